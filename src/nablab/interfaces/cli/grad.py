"""``nablab grad TEXT``: every partial derivative, ∇f, the domain and, at a point, the values
with the finite-difference check."""

from __future__ import annotations

import argparse
import math
import shutil
import sys

from nablab.errors import NablabError
from nablab.interfaces.cli import graph_view
from nablab.parse import values
from nablab.sampling import check_window

FORMS = ("derived", "simplified", "factored", "expanded")
STEP_FORMATS = ("text", "markdown", "latex")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "grad", help="partial derivatives and the gradient of a function",
        description="Every ∂f/∂xₖ and ∇f of TEXT; with --at the values at a point, checked "
                    "against finite differences.",
    )
    p.add_argument("text", metavar="TEXT", help='the function, e.g. "x^2 y + sin(xy)" or '
                   '"-x*y" (a leading minus needs no --)')
    p.add_argument("--vars", help="variables in order, e.g. x,y (others are parameters)")
    p.add_argument("--at", help="a point, e.g. x=1,y=2 (parameters need values too)")
    p.add_argument("--direction", help="a direction for the directional derivative, e.g. 1,1")
    p.add_argument("--hessian", action="store_true", help="also the Hessian matrix")
    p.add_argument("--form", choices=FORMS, default="simplified", help="output form")
    p.add_argument("--numpy", action="store_true", help="print a NumPy function of ∇f")
    p.add_argument("--steps", action="store_true", help="show the derivation of each partial")
    p.add_argument("--detail", choices=("rules", "algebra"), default="rules",
                   help="detail of --steps")
    p.add_argument("--format", choices=STEP_FORMATS, default="text", dest="steps_format",
                   help="how --steps are written: text (default), markdown (a nested list "
                   "with $…$ math) or latex (one array)")
    p.add_argument("--latex", action="store_true", help="show LaTeX for every result")
    p.add_argument("--mathml", action="store_true",
                   help="show presentation MathML for every result (the JSON always has it)")
    p.add_argument("--plot", metavar="OUT.png",
                   help="save contours of f with ∇f arrows and the --at point (PNG or SVG; "
                   "needs nablab[plot])")
    p.add_argument("--surface", action="store_true", help="with --plot: the surface beside "
                   "the contours")
    p.add_argument("--x-range", metavar="LO,HI", help="with --plot: the window of the first "
                   "axis (default ±3 around the point)")
    p.add_argument("--y-range", metavar="LO,HI", help="with --plot: the window of the second "
                   "axis")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    graph_view.add_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nablab import api  # lazy: start-up time (`nablab --help` does not load SymPy)
    from nablab.interfaces.cli._common import emit_json, report_error
    from nablab.render.json import to_json  # lazy: start-up time

    try:
        result = api.gradient(args.text, args.vars, at=args.at or None, form=args.form,
                              hessian=args.hessian, direction=args.direction or None,
                              steps=args.steps)
        source = _numpy(result) if args.numpy else None
        graph = graph_view.graph_of(args)
        picture = _plot(result, args) if args.plot else None
    except NablabError as err:
        if err.source is None and err.column is not None:
            err.source = args.text
        return report_error(err, args.json)
    if args.json:
        out = to_json(result)
        if source is not None:
            out["numpy"] = source
        if graph is not None:
            out["graph"] = graph_view.graph_json(graph)
        if picture is not None:
            out["plot"] = picture
        emit_json(out)
        return 0
    _human(result, args, source)
    if graph is not None:
        print(graph_view.graph_text(graph))
    if picture is not None:
        print(f"plot written to {picture}")
    return 0


def _range(text: str | None, option: str) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = [p for p in text.replace(";", ",").split(",") if p.strip()]
    if len(parts) != 2:
        raise NablabError(f"{option} needs two numbers LO,HI, got {text!r}",
                          hint=f"write it like {option} -3,3")
    lo, hi = (float(values.read_value(p, option).evalf()) for p in parts)
    return check_window(option, (lo, hi))


def _plot(result, args: argparse.Namespace) -> str:
    """--plot: f's contours with ∇f arrows (and --surface) written to the file; its path."""
    from nablab import api  # lazy: start-up time (matplotlib loads only for --plot)
    from nablab.optimize.plots import save

    fig = api.plot(result, x_range=_range(args.x_range, "--x-range"),
                   y_range=_range(args.y_range, "--y-range"), surface=args.surface)
    return save(fig, args.plot)


def _numpy(result) -> str:
    # lazy: start-up time (the CLI module loads before SymPy is needed)
    from nablab.calculus.sums import sums_over_data
    from nablab.numeric import numpy_source
    from nablab.printing.text import to_echo

    if any(sums_over_data(p) for p in result.partials):
        raise NablabError("--numpy needs a function of its variables only; this one sums over "
                          "data", hint="nablab regress compiles the data sums for you")
    symbols = list(result.variables) + list(result.parameters)
    return numpy_source(result.partials, symbols, "grad_f",
                        f"∇f of f = {to_echo(result.expression.expr)}; works on arrays "
                        "(rows of the result are the partials).")


def _fmt(v: float, spec: str = ".12g") -> str:
    return format(v, spec) if math.isfinite(v) else "—"


def _human(result, args, source: str | None) -> None:
    # lazy: start-up time (rich and SymPy load only when a result is printed)
    import sympy
    from rich.console import Console
    from rich.table import Table

    from nablab.calculus.domain import describe
    from nablab.printing.text import to_echo
    from nablab.render.latex import to_latex
    from nablab.render.mathml import to_mathml
    from nablab.render.pretty import column, to_pretty
    from nablab.render.steps import to_latex as steps_latex
    from nablab.render.steps import to_markdown as steps_markdown
    from nablab.render.steps import to_text as steps_text

    write_steps = {"text": steps_text, "markdown": steps_markdown,
                   "latex": steps_latex}[args.steps_format]

    width = max(shutil.get_terminal_size((120, 24)).columns, 100)
    console = Console(highlight=False, soft_wrap=True, width=width)
    e = result.expression
    console.print(f"[bold]f[/bold]({', '.join(v.name for v in result.variables)}) = "
                  f"{to_echo(e.expr)}", markup=True)
    if result.parameters:
        console.print("parameters (held constant): "
                      + ", ".join(p.name for p in result.parameters))
    for w in e.warnings:
        where = f" (column {w.column})" if w.column else ""
        console.print(f"[yellow]note{where}:[/yellow] {w.message}")
    console.print()
    for v, p, note in zip(result.variables, result.partials, result.notes, strict=True):
        console.print(f"∂f/∂{v.name} = {to_echo(p)}")
        if args.latex:
            console.print(f"   LaTeX: {to_latex(p)}", soft_wrap=True)
        if args.mathml:
            console.print(f"   MathML: {to_mathml(p)}", soft_wrap=True, markup=False)
        if note:
            console.print(f"   [yellow]note:[/yellow] {note}")
    if args.steps and getattr(result, "steps", None):
        # the answers above, then how each was found (each derivation ends on its answer)
        nodes = [result.steps.get(v.name) for v in result.variables]
        assembly = getattr(result.steps, "assembly", None)  # ∇f from the partials (and --at)
        for node in [*nodes, assembly]:
            if node is not None:
                console.print()
                console.print(write_steps(node, detail=args.detail), markup=False)
    console.print()
    console.print("∇f =")
    console.print(column(result.partials), markup=False)
    if args.latex:
        console.print(f"LaTeX: {to_latex(result.gradient)}", soft_wrap=True)
    if args.mathml:
        console.print(f"MathML: {to_mathml(result.gradient)}", soft_wrap=True, markup=False)
    if result.hessian is not None:
        console.print("\nHessian =")
        console.print(to_pretty(sympy.Matrix(result.hessian)), markup=False)
    console.print()
    if result.domain:
        console.print("[bold]domain over the reals[/bold]")
        for c in result.domain:
            shown = describe(c.expr)
            console.print(f"  {shown:<28} ({c.applies_to}) — {c.reason}", markup=False)
    else:
        console.print("domain: all real numbers (f and its partials are defined everywhere)")
    at = result.at
    if at is not None:
        console.print()
        point = ", ".join(f"{k} = {_fmt(v)}" for k, v in at.point.items())
        console.print(f"[bold]at ({point})[/bold]")
        exact = f"  = {to_echo(at.value.exact)}" if at.value.exact is not None else ""
        console.print(f"  f = {_fmt(at.value.value)}{exact}")
        table = Table("∂f/∂", "exact", "symbolic", "finite difference", "abs error",
                      "rel error", "check", title="∇f at the point, checked")
        for v, g, row in zip(result.variables, at.gradient, at.check, strict=True):
            table.add_row(v.name, "" if g.exact is None else to_echo(g.exact),
                _fmt(row.symbolic), _fmt(row.numeric), _fmt(row.abs_error, ".2e"),
                _fmt(row.rel_error, ".2e"), "[green]ok[/green]" if row.ok else
                "[yellow]not checked[/yellow]" if not row.checked else
                f"[bold red]MISMATCH[/bold red] (tol {row.tolerance:.1e})")
        console.print(table)
        tol = max((r.tolerance for r in at.check if r.checked), default=0.0)
        console.print(f"  check: central differences + Richardson, tolerance up to {tol:.1e}")
        console.print(f"  ‖∇f‖ = {_fmt(at.norm)}  (the largest directional derivative)")
        if at.direction is not None:
            console.print("  steepest ascent along ("
                          + ", ".join(_fmt(d) for d in at.direction) + ")")
        dd = at.directional_derivative
        if dd is not None:
            console.print(f"  directional derivative along ({', '.join(_fmt(d) for d in dd['unit'])}"
                          f") = {_fmt(dd['value'])}  — {dd['note']}")
        if at.hessian is not None:
            console.print("  Hessian = " + str([[float(f"{x:.12g}") for x in row]
                                                for row in at.hessian]))
        for note in at.notes:
            style = "bold red" if note == at.mismatch_note else "yellow"
            console.print(f"  [{style}]{note}[/{style}]")
    if source is not None:
        sys.stdout.write("\n" + source)
