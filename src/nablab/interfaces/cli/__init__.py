"""The ``nablab`` command line.

Each subcommand lives in its own module here (``parse.py``, ``grad.py``, ``check.py``,
``descent.py``, ``regress.py``, ``serve.py``) exposing ``register(subparsers)`` and
``run(args) -> int``. Heavy imports happen inside ``run`` so that ``nablab --help`` and cold
start stay fast. ``main(argv)`` is callable from tests without a subprocess.

Exit status: 0 success, 2 bad input (the message and caret on stderr, or the ``error`` object on
stdout with ``--json``), 1 "no" from a command that answers yes/no (``check``: the answer is
wrong), 70 an internal failure (a bug: reported in one line, never as a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

COMMANDS = ("parse", "grad", "check", "descent", "regress", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nablab",
        description="Partial derivatives, gradients, steps and gradient descent for functions "
        "typed the way people write them.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"nablab.interfaces.cli.{name}")
        except ModuleNotFoundError as exc:  # a command still being built is simply not offered
            if exc.name != f"nablab.interfaces.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from nablab.errors import NablabError
    from nablab.interfaces.cli._common import report_error

    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
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


def entry() -> None:  # pragma: no cover - console script wrapper
    sys.exit(main())
