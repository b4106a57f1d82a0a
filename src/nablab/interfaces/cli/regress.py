"""``nablab regress DATA.csv --x COL --y COL``: linear regression by gradient descent."""

from __future__ import annotations

import argparse
from typing import Any

from nablab.errors import NablabError
from nablab.interfaces.cli._common import ProgressBar, emit_json, report_error
from nablab.optimize.methods import method_names, resolve
from nablab.parse.values import read_assignments

# The facade, the JSON renderer, matplotlib and rich are imported where they are used:
# start-up time of every command (``nablab --help`` loads none of them).


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "regress", help="linear regression by gradient descent on the MSE",
        description="Fit ŷ = θ0 + θ1 x1 + … by gradient descent on J(θ) = (1/N) Σ (yₙ − ŷₙ)², "
        "with the partials derived symbolically, and compare with least squares. DATA is a CSV "
        "file, or for data larger than memory a CSV/Parquet glob or directory read by Dask.")
    p.add_argument("data", metavar="DATA", help="CSV file, or Parquet/CSV glob for Dask")
    p.add_argument("--x", metavar="COL[,COL…]", help="feature columns (default: all but --y)")
    p.add_argument("--y", metavar="COL", help="target column (default: the last column)")
    p.add_argument("--rate", type=float, help="learning rate η (default 1/L, L the largest "
                   "eigenvalue of the Hessian of J)")
    p.add_argument("--epochs", type=int, default=1000, help="at most this many passes (1000)")
    p.add_argument("--tol", type=float, default=1e-10,
                   help="stop when ‖∇J‖ ≤ tol·‖∇J(θ₀)‖ (1e-10)")
    p.add_argument("--scale", action="store_true",
                   help="standardise features; θ is reported in original units")
    p.add_argument("--compare-scaling", action="store_true",
                   help="also run in the other coordinates and show steps to converge")
    p.add_argument("--batch", type=int, help="mini-batch size (default: full batch)")
    p.add_argument("--batch-method", choices=("sgd", "svrg"), default="sgd",
                   help="mini-batch updates: sgd at the constant rate (wanders near the "
                   "minimum), or svrg, variance-reduced, which converges to least squares "
                   "(about 3 passes per epoch)")
    p.add_argument("--method", default="gd",
                   help="update rule: gd (default), momentum, nesterov, adagrad, rmsprop, adam")
    p.add_argument("--opt", default="", metavar="beta=0.9",
                   help="method parameters by name: beta, mu, rho, beta1, beta2, eps")
    p.add_argument("--shuffle", action="store_true",
                   help="mini-batches: shuffle the rows every epoch")
    p.add_argument("--seed", type=int, help="seed of the shuffle (reproducible runs)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="dask.distributed scheduler, e.g. tcp://10.0.0.5:8786 (Dask input)")
    p.add_argument("--persist", action="store_true",
                   help="Dask input: keep the data in (cluster) memory between iterations")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="OUT.png",
                   help="save loss curve, fit and J contours with the path (PNG or SVG)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        from nablab.api import regress  # lazy: start-up time

        hyper: dict[str, Any] = read_assignments(args.opt, "--opt") if args.opt else {}
        # the methods' own names only: --opt rate=… is refused naming them, never a clash
        # with the call's keywords (the HTTP API checks its "opt" the same way)
        resolve(method_names(args.method or "gd"), hyper)

        with ProgressBar(args.epochs, args.json, label="epochs", value_name="J",
                         min_total=50) as progress:
            result = regress(args.data, args.x, args.y, rate=args.rate, epochs=args.epochs,
                             scale=args.scale, batch=args.batch, tol=args.tol,
                             batch_method=args.batch_method,
                             compare_scaling=args.compare_scaling, progress=progress,
                             scheduler=args.scheduler, persist=args.persist,
                             method=args.method, shuffle=args.shuffle, seed=args.seed, **hyper)
        if args.plot:
            from nablab.optimize.plots import regression_plot  # lazy: matplotlib (an extra)

            regression_plot(result, args.plot, args.data)
    except NablabError as err:
        return report_error(err, args.json)
    if args.json:
        from nablab.render.json import to_json  # lazy: start-up time

        emit_json(to_json(result))
    else:
        _show(result, args.plot)
    return 0


def _show(r, plot: str | None) -> None:
    from rich.console import Console  # lazy: start-up time
    from rich.table import Table

    from nablab.render.objective import model_dict, partials_list

    con = Console(highlight=False)
    con.print(f"[bold]J(θ)[/] = (1/N) Σₙ (yₙ − ŷₙ)²,  {model_dict(r.objective, r.data_names)['echo']}   "
              f"(N = {r.n_rows}, y = {r.y_name!r}"
              + "".join(f", {k} = {v!r}" for k, v in r.data_names.items() if k != "y") + ")")
    for p in partials_list(r.objective):
        con.print(f"  ∂J/∂{p['variable']} = {p['echo']}")
    table = Table("", "gradient descent", "least squares (lstsq)")
    for name, a, b in zip(["intercept", *r.x_names], r.theta, r.closed_form, strict=True):
        table.add_row(name, f"{a:.10g}", f"{b:.10g}")
    table.add_row("J", f"{r.loss:.10g}", f"{r.closed_form_loss:.10g}")
    con.print(table)
    status = "converged" if r.converged else ("DIVERGED" if r.diverged else "not converged")
    con.print(f"[bold]{status}[/] after {r.iterations} iterations ({r.updates} updates, "
              f"{r.method}, η = {r.rate:.6g} [{r.rate_rule}]"
              f"{', standardised features' if r.scale else ''}"
              + (f", mini-batches of {r.batch} by {r.batch_method}" if r.batch else "")
              + (", shuffled" + (f" (seed {r.seed})" if r.seed is not None else "")
                 if r.shuffle else "") + "): "
              f"{r.reason}")
    con.print(f"max relative difference to least squares: {r.max_rel_diff:.2e}")
    cond = r.curvature.get("condition_number")
    if not r.converged and not r.scale and cond and cond > 100:
        con.print(f"hint: the Hessian of J has condition number {cond:.3g}; --scale "
                  "standardises the features, which usually fixes this")
    if r.comparison:
        for k in ("scaled", "unscaled"):
            c = r.comparison[k]
            cond = f"{c['condition_number']:.4g}" if c["condition_number"] else "∞"
            con.print(f"  {k:9s}: {c['iterations']:>7} iterations, "
                      f"{'converged' if c['converged'] else 'not converged'} "
                      f"(η = {c['rate']:.4g}, condition number of the Hessian {cond})")
    if plot:
        con.print(f"plot written to {plot}")
