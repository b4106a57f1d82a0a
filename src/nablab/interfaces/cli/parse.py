"""``nablab parse TEXT [--vars x,y] [--latex] [--json]``: show how a function was read."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "parse", help="read a function and show how it was understood",
        description="Read a function (typed or LaTeX) and print the reading, its LaTeX, the "
                    "variables, the parameters and any warnings. TEXT may begin with '-' "
                    "(nablab parse \"-x^2\").")
    p.add_argument("text", metavar="TEXT", help="the function, e.g. 'x^2 y + sin(xy)'")
    p.add_argument("--vars", metavar="x,y", default=None,
                   help="the variables, in order (default: every symbol, naturally sorted)")
    p.add_argument("--latex", action="store_true", help="read TEXT as LaTeX (default: detect)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # lazy: start-up time (`nablab --help` does not load the parser, SymPy or the renderers)
    from nablab.errors import NablabError
    from nablab.interfaces.cli._common import emit_json, report_error
    from nablab.parse import parse
    from nablab.render.json import to_json

    try:
        expression = parse(args.text, args.vars, latex=True if args.latex else None)
    except NablabError as err:
        return report_error(err, args.json)
    data = to_json(expression)
    if args.json:
        emit_json(data)
        return 0
    _show(data)
    return 0


def _show(data: dict) -> None:
    # lazy: start-up time
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    table.add_row("reading", escape(data["expression"]["echo"]))
    table.add_row("LaTeX", escape(data["expression"]["latex"]))
    table.add_row("SymPy", escape(data["expression"]["text"]))
    table.add_row("variables", escape(", ".join(data["variables"]) or "—"))
    table.add_row("parameters", escape(", ".join(data["parameters"]) or "—"))
    console.print(table)
    for w in data["warnings"]:
        where = f" (column {w['column']})" if w["column"] else ""
        console.print(f"[yellow]warning{where}:[/yellow] {escape(w['message'])}")
