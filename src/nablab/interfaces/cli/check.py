"""``nablab check``: is my answer for ∂f/∂x right, even when written another way?"""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "check",
        help="check an answer for a partial derivative",
        description="Say whether ANSWER equals ∂f/∂VAR (equivalent forms are accepted); when it "
        "does not, show a point where they differ and which terms are wrong. Exit status "
        "(like diff): 0 the answer is right, 1 it is not, 2 input that cannot be read.",
    )
    p.add_argument("text", metavar="TEXT", help='the function, e.g. "x^2 y + sin(xy)"')
    p.add_argument("--var", required=True, help="the variable of the partial derivative")
    p.add_argument("--answer", required=True, help='your answer, e.g. "2xy + y cos(xy)"')
    p.add_argument("--vars", default=None, metavar="x,y",
                   help="the function's variables, in order (default: read from TEXT)")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from nablab.api import check_answer  # lazy: start-up time
    from nablab.errors import NablabError
    from nablab.interfaces.cli._common import emit_json, report_error
    from nablab.render.json import to_json  # lazy: start-up time

    variables = [v.strip() for v in args.vars.split(",") if v.strip()] if args.vars else None
    try:
        result = check_answer(args.text, args.var, args.answer, variables)
    except NablabError as err:
        return report_error(err, args.json)
    if args.json:
        emit_json(to_json(result))
    else:
        sys.stdout.write(human(result) + "\n")
    # like diff(1): 0 the answer is right, 1 it is not, 2 the input could not be read
    return 0 if result.equivalent else 1


def human(result) -> str:
    """The verdict as a person reads it in a terminal."""
    from nablab.render.text import to_echo  # lazy: start-up time

    d = f"∂f/∂{result.variable}"
    lines = [f"{d} = {to_echo(result.expected)}", f"your answer: {to_echo(result.answer)}"]
    if result.equivalent:
        lines.append(f"✓ correct: your answer equals {d} ({result.method} check, "
                     f"{result.points_checked} points)")
        return "\n".join(lines)
    lines.append(f"✗ not equal to {d}")
    cex = result.counterexample
    if cex is not None:
        at = ", ".join(f"{k} = {v:g}" for k, v in cex.point.items())
        yours = "undefined" if cex.answer is None else f"{cex.answer:.12g}"
        lines.append(f"  at {at}: {d} = {cex.expected:.12g}, your answer = {yours}")
    for term in result.wrong_terms:
        exp = to_echo(term.expected) if term.expected is not None else None
        ans = to_echo(term.answer) if term.answer is not None else None
        if term.problem == "wrong sign":
            lines.append(f"  wrong sign: the term {exp} (you wrote {ans})")
        elif term.problem == "wrong":
            lines.append(f"  wrong term: expected {exp}, you wrote {ans}")
        elif term.problem == "missing":
            lines.append(f"  missing term: {exp}")
        else:
            lines.append(f"  unexpected term: {ans}")
    return "\n".join(lines)
