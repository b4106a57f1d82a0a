"""``nablab grad TEXT --at … --graph``: the computational graph of f at the point.

Kept apart from cli/grad.py (one option there, one call here)."""

from __future__ import annotations

import argparse
from typing import Any

from nablab.errors import NablabError


def add_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--graph", action="store_true",
                   help="with --at: the computational graph, forward values and backward "
                   "adjoints (reverse mode)")


def graph_of(args: argparse.Namespace) -> Any:
    """The Graph for the command line's TEXT, --vars and --at (None without --graph)."""
    if not getattr(args, "graph", False):
        return None
    if not args.at:
        raise NablabError("--graph needs a point", hint="add --at x=1,y=2")
    from nablab import api  # lazy: start-up time (only --graph pays for the facade here)

    return api.graph(args.text, args.at, args.vars)


def graph_json(g: Any) -> dict:
    from nablab.render.json import to_json  # lazy: start-up time

    return to_json(g)


def graph_text(g: Any) -> str:
    # lazy: ~20 ms (the graph's module with it) that only --graph pays
    from nablab.render.graph_text import graph_text as text

    return text(g)
