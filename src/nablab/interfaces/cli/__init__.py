"""The ``nablab`` command line.

Each subcommand lives in its own module here (``parse.py``, ``grad.py``, ``check.py``,
``descent.py``, ``regress.py``, ``serve.py``) exposing ``register(subparsers)`` and
``run(args) -> int``. Heavy imports happen inside ``run`` so that ``nablab --help`` and cold
start stay fast. ``main(argv)`` is callable from tests without a subprocess.

A function may start with a minus sign (``nablab grad "-x*y"``): :func:`positional_minus`
tells argparse which tokens are text rather than options before it reads them (issue 13).

Exit status: 0 success, 2 bad input (the message and caret on stderr, or the ``error`` object on
stdout with ``--json``), 1 "no" from a command that answers yes/no (``check``: the answer is
wrong), 70 an internal failure (a bug: reported in one line, never as a traceback).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from typing import Any

from nablab import __version__
from nablab.errors import NablabError
from nablab.interfaces.cli import check, descent, grad, parse, regress, serve
from nablab.interfaces.cli._common import report_error

COMMANDS = ("parse", "grad", "check", "descent", "regress", "serve")
#: what an option can look like; ``--x*y`` cannot be one, so it is text
_OPTION_LIKE = re.compile(r"--[A-Za-z][A-Za-z0-9-]*(=.*)?", re.S)


class _Version(argparse.Action):
    """``--version``: the installed package's version, read only when asked (start-up time)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS,
                 help: str | None = None) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, default=argparse.SUPPRESS,
                         help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        sys.stdout.write(f"nablab {version()}\n")  # on stdout, as argparse's own "version"
        parser.exit()


def version() -> str:
    """The version pip installed (package metadata); the source's own from a bare checkout."""
    # lazy: importlib.metadata costs ~22 ms of every command's start, and only --version asks
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("nablab")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nablab",
        description="Partial derivatives, gradients, steps and gradient descent for functions "
        "typed the way people write them.",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (parse, grad, check, descent, regress, serve):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    tokens = list(argv) if argv is not None else sys.argv[1:]
    tokens, texts = positional_minus(parser, tokens)
    args = parser.parse_args(tokens)
    for name, value in vars(args).items():  # the text exactly as typed (columns of errors)
        if isinstance(value, str) and value in texts:
            setattr(args, name, texts[value])
    try:
        return int(args.run(args) or 0)
    except NablabError as err:  # commands report their own; this is the safety net
        return report_error(err, getattr(args, "json", False))
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except Exception as exc:  # a bug in nablab, not in the input: say so, in one line
        if os.environ.get("NABLAB_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "this is a bug in nablab; run again with NABLAB_DEBUG=1 for the traceback\n"
        )
        return 70


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser | None = action.choices.get(name)
            return found
    return None


def _option(sub: argparse.ArgumentParser, token: str) -> argparse.Action | None:
    """The option ``token`` names as argparse would read it (exactly, ``--name=value``, or a
    unique prefix of a long option), or None when it names none."""
    actions = sub._option_string_actions
    if token in actions:
        return actions[token]
    if not token.startswith("--"):
        return None
    name = token.split("=", 1)[0]
    if name in actions:
        return actions[name]
    matches = {a for opt, a in actions.items() if opt.startswith("--") and opt.startswith(name)}
    return matches.pop() if len(matches) == 1 else None


def positional_minus(parser: argparse.ArgumentParser, tokens: list[str]
                     ) -> tuple[list[str], dict[str, str]]:
    """``tokens`` rewritten so that argparse reads text starting with ``-`` as text.

    Two places: a value after an option that takes one (``--direction -1,1``, ``--answer
    -2x``) becomes ``--direction=-1,1``; a token in the place of a positional argument
    (the function, the data) that is no option of the subcommand (``-x*y``, ``-c``, and
    ``--x*y``, which no option's name can be) gets a leading space, argparse's own sign of a
    positional, and the map ``{rewritten: typed}`` gives the text back afterwards. Everything else is left to argparse: ``-h``/``--help``,
    known options, an unknown ``--name`` (its error names it), and all after ``--``.
    """
    command = next((i for i, t in enumerate(tokens) if t in COMMANDS), None)
    if command is None:
        return tokens, {}
    sub = _subparser(parser, tokens[command])
    if sub is None:
        return tokens, {}
    positionals = sum(1 for a in sub._actions if not a.option_strings)
    out, texts = tokens[:command + 1], {}
    filled, i = 0, command + 1
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token == "--":
            out.extend(tokens[i - 1:])
            break
        action = _option(sub, token) if token.startswith("-") and len(token) > 1 else None
        if action is not None:
            takes_value = action.nargs != 0 and "=" not in token and not (
                len(token) > 2 and not token.startswith("--"))  # -xVALUE has it already
            if takes_value and i < len(tokens) and tokens[i].startswith("-") \
                    and _option(sub, tokens[i]) is None and tokens[i] != "--":
                out.append(f"{token}={tokens[i]}")
                i += 1
            elif takes_value and i < len(tokens):
                out.extend([token, tokens[i]])
                i += 1
            else:
                out.append(token)
            continue
        if token.startswith("-") and len(token) > 1 and filled < positionals and (
                not token.startswith("--") or not _OPTION_LIKE.fullmatch(token)):
            texts[" " + token] = token
            token = " " + token
        if not token.startswith("-") or token.startswith(" "):
            filled += 1
        out.append(token)
    return out, texts


def entry() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())
