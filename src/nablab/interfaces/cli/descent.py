"""``nablab descent TEXT --from x=1,y=1 --rate 0.1``: gradient descent on a typed function."""

from __future__ import annotations

import argparse

from nablab.interfaces.cli._common import (
    ProgressBar,
    emit_json,
    parse_assignments,
    report_error,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "descent", help="gradient descent θ ← θ − η∇f on a function",
        description="Run gradient descent (or momentum, or Adam) on a function typed the way "
        "people write it, driven by its symbolic gradient.")
    p.add_argument("text", metavar="TEXT", help='the function, e.g. "x^2 + 10y^2"')
    p.add_argument("--from", dest="start", required=True, metavar="x=1,y=1",
                   help="starting point, one value per variable")
    p.add_argument("--rate", type=float, required=True, help="learning rate η")
    p.add_argument("--steps", type=int, default=1000, help="at most this many steps (1000)")
    p.add_argument("--tol", type=float, default=1e-8, help="stop when ‖∇f‖ < tol (1e-8)")
    p.add_argument("--method", choices=("gd", "momentum", "adam"), default="gd",
                   help="plain gradient descent (default), heavy-ball momentum, or Adam")
    p.add_argument("--set", dest="params", default="", metavar="a=2",
                   help="values for parameters of f")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="save the path over contours and f per step "
                   "(PNG or SVG)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nablab.errors import NablabError

    try:
        start = parse_assignments(args.start, "--from")
        params = parse_assignments(args.params, "--set") if args.params else None
        from nablab.api import descent

        with ProgressBar(args.steps, args.json, label="descent", value_name="f",
                         min_total=20000, every=500) as progress:
            result = descent(args.text, start, args.rate, steps=args.steps, tol=args.tol,
                             method=args.method, params=params, progress=progress)
        if args.plot:
            from nablab.optimize.plots import descent_plot

            descent_plot(result, args.plot)
    except NablabError as err:
        return report_error(err, args.json)
    if args.json:
        emit_json(result.to_dict())
    else:
        _show(result, args.plot)
    return 0


def _show(r, plot: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(f"[bold]f[/] = {r.function}   ({r.method}, η = {r.rate:g})")
    for name, g in zip(r.variables, r.gradient, strict=True):
        con.print(f"  ∂f/∂{name} = {g}")
    table = Table("step", *r.variables, "f", "‖∇f‖")
    idx = list(range(len(r.path)))
    shown = idx if len(idx) <= 12 else [*idx[:6], None, *idx[-5:]]
    for i in shown:
        if i is None:
            table.add_row("…", *["…"] * len(r.variables), "…", "…")
            continue
        table.add_row(str(i), *[f"{c:.8g}" for c in r.path[i]], f"{r.values[i]:.8g}",
                      f"{r.grad_norms[i]:.3g}")
    con.print(table)
    status = "converged" if r.converged else ("DIVERGED" if r.diverged else "stopped")
    con.print(f"[bold]{status}[/] after {r.steps} steps: {r.reason}", highlight=False)
    if r.curvature is not None and not r.diverged:
        c = r.curvature
        con.print(f"f is quadratic: L = {c.L:.6g} (largest Hessian eigenvalue), plain GD is stable "
                  f"for η < 2/L = {c.max_stable_rate:.6g}")
    if plot:
        con.print(f"plot written to {plot}")
