"""Helpers shared by the CLI subcommands: JSON output and the one way errors are reported."""

from __future__ import annotations

import json
import sys
from typing import Any

from nablab.errors import NablabError


def emit_json(obj: Any) -> None:
    """Print one JSON object on stdout (UTF-8, not ASCII-escaped, so formulas stay readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def report_error(err: NablabError, as_json: bool) -> int:
    """Report a user error: ``{"error": …}`` on stdout with --json, message and caret on stderr
    otherwise. Returns the exit status for bad input (2)."""
    if as_json:
        from nablab.render.json import error_body  # lazy: start-up time (loads SymPy)

        emit_json({"error": error_body(err)})
    else:
        sys.stderr.write(err.display() + "\n")
    return 2


class ProgressBar:
    """A rich progress bar on stderr for long runs, shown only when stderr is a terminal.

    ``with ProgressBar(total, quiet, ...) as tick`` gives ``tick(k, total, value)`` for the core
    to call, or None when no bar is shown (the core then skips the calls).
    """

    def __init__(self, total: int, quiet: bool, *, label: str, value_name: str,
                 min_total: int, every: int = 1) -> None:
        self.enabled = total >= min_total and sys.stderr.isatty() and not quiet
        self.total, self.label, self.value_name, self.every = total, label, value_name, every

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.console import Console  # lazy: start-up time (only long runs show a bar)
        from rich.progress import Progress

        self.bar = Progress(console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total)

        def tick(k: int, total: int, value: float) -> None:
            if k % self.every == 0 or k == total:
                self.bar.update(self.task, completed=k,
                                description=f"{self.value_name} = {value:.6g}")

        return tick

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self.bar.stop()
