"""``nablab descent TEXT --from x=1,y=1 --rate 0.1 [--method gd,nesterov,adam]``: descent on a
typed function, one or several methods from the same start."""

from __future__ import annotations

import argparse
import os
from typing import Any

from nablab.errors import NablabError
from nablab.interfaces.cli._common import ProgressBar, emit_json, report_error
from nablab.optimize.methods import method_names, resolve
from nablab.parse.values import read_assignments
from nablab.printing.text import to_text

# The facade, the JSON renderer, matplotlib and rich are imported where they are used:
# start-up time of every command (``nablab --help`` loads none of them).


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "descent", help="gradient descent θ ← θ − η∇f and other optimizers on a function",
        description="Run gradient descent, momentum, Nesterov, AdaGrad, RMSProp, Adam or "
        "Newton's method on a function typed the way people write it, driven by its symbolic "
        "gradient (and Hessian). Several methods (--method gd,adam) run from the same start, "
        "one result each in the order given; with --json one method prints one object, several "
        "print {\"runs\": [...]}.")
    p.add_argument("text", metavar="TEXT", help='the function, e.g. "x^2 + 10y^2"')
    p.add_argument("--from", dest="start", required=True, metavar="x=1,y=1",
                   help="starting point, one value per variable")
    p.add_argument("--rate", help="learning rate η (newton: the step, default 1; with a line "
                   "search: the first trial step)")
    p.add_argument("--steps", type=int, default=1000, help="at most this many steps (1000)")
    p.add_argument("--tol", type=float, default=1e-8, help="stop when ‖∇f‖ < tol (1e-8)")
    p.add_argument("--method", default="gd", metavar="gd[,momentum,…]",
                   help="one or more of gd, momentum, nesterov, adagrad, rmsprop, adam, newton "
                   "(comma-separated; default gd)")
    p.add_argument("--opt", default="", metavar="beta=0.9,eps=1e-8",
                   help="method parameters by their names in the literature: beta (β, "
                   "momentum), mu (μ, nesterov), rho (ρ, rmsprop), beta1, beta2 (β1, β2, adam), "
                   "eps (ε)")
    p.add_argument("--line-search", choices=("fixed", "armijo", "wolfe"), default="fixed",
                   help="step size for gd and newton: fixed η (default), backtracking with the "
                   "Armijo condition, or a strong-Wolfe line search")
    p.add_argument("--set", dest="params", default="", metavar="a=2",
                   help="values for parameters of f")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="save the path over contours and f per step "
                   "(PNG or SVG; with several methods one file each, OUT-method.png)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        start = read_assignments(args.start, "--from")
        params = read_assignments(args.params, "--set") if args.params else None
        hyper: dict[str, Any] = read_assignments(args.opt, "--opt") if args.opt else {}
        # the methods' own names only: --opt rate=… is refused naming them, never a clash
        # with the call's keywords (the HTTP API checks its "opt" the same way)
        resolve(method_names(args.method or "gd"), hyper)
        from nablab.api import descent  # lazy: start-up time

        with ProgressBar(args.steps, args.json, label="descent", value_name="f",
                         min_total=20000, every=500) as progress:
            result = descent(args.text, start, args.rate, steps=args.steps, tol=args.tol,
                             method=args.method, params=params, progress=progress,
                             line_search=args.line_search, **hyper)
        runs = getattr(result, "runs", [result])
        plots = []
        if args.plot:
            from nablab.optimize.plots import descent_plot  # lazy: matplotlib (an extra)

            for r in runs:
                out = args.plot
                if len(runs) > 1:
                    stem, ext = os.path.splitext(args.plot)
                    out = f"{stem}-{r.method}{ext}"
                plots.append(descent_plot(r, out))
    except NablabError as err:
        return report_error(err, args.json)
    if args.json:
        from nablab.render.json import to_json  # lazy: start-up time

        emit_json(to_json(result))
    else:
        for i, r in enumerate(runs):
            _show(r, plots[i] if plots else None)
    return 0


def _show(r, plot: str | None) -> None:
    from rich.console import Console  # lazy: start-up time
    from rich.table import Table

    con = Console()
    hyper = "".join(f", {k} = {v:g}" for k, v in r.hyper.items())
    search = "" if r.line_search == "fixed" else f", {r.line_search} line search"
    con.print(f"[bold]f[/] = {r.function}   ({r.method}, η = {r.rate:g}{hyper}{search})",
              highlight=False)
    for name, g in zip(r.variables, r.gradient, strict=True):
        con.print(f"  ∂f/∂{name} = {to_text(g)}", highlight=False)
    searched = bool(r.trials)
    cols = ["step", *r.variables, "f", "‖∇f‖", *(["α", "trials"] if searched else [])]
    table = Table(*cols)
    idx = list(range(len(r.path)))
    shown = idx if len(idx) <= 12 else [*idx[:6], None, *idx[-5:]]
    for i in shown:
        if i is None:
            table.add_row(*["…"] * len(cols))
            continue
        extra = []
        if searched:
            extra = ([f"{r.step_sizes[i - 1]:.4g}", str(r.trials[i - 1])]
                     if 0 < i <= len(r.step_sizes) else ["", ""])
        table.add_row(str(i), *[f"{c:.8g}" for c in r.path[i]], f"{r.values[i]:.8g}",
                      f"{r.grad_norms[i]:.3g}", *extra)
    con.print(table)
    status = {"converged": "converged", "diverged": "DIVERGED", "limit": "stopped"}.get(
        r.status.value, "STOPPED")
    con.print(f"[bold]{status}[/] after {r.steps} steps: {r.reason}", highlight=False)
    if r.advice is not None and not r.diverged:
        con.print(f"advice: {r.advice.note}", highlight=False)
    s = r.sensitivity
    if s is not None and len(r.variables) > 1:
        a = s.at_start
        spread = f"{a.spread:.3g}" if a.spread is not None else "∞"
        words = (f"sensitivity at the start: |∂f/∂{a.largest}| is the largest, |∂f/∂{a.smallest}| "
                 f"the smallest (spread {spread})")
        if a.vanishing:
            words += f"; vanishing: {', '.join(a.vanishing)}"
        con.print(words, highlight=False)
    if plot:
        con.print(f"plot written to {plot}")
