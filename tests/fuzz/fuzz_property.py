"""The one property every parser fuzzer checks, shared by the hypothesis run, the atheris run
and the corpus replay in the ordinary suite, so all three hold the parser to the same rule:
any text gives an Expression or a NablabError with a column inside the text, quickly."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from nablab.errors import ComputeLimitError, LimitError, NablabError
from nablab.expression import Expression
from nablab.parse import parse
from nablab.time_limit import deadline

#: Seconds one parse may take (the parser's limits are meant to refuse hostile input in
#: milliseconds; this is far above that, so a shared, busy machine does not fail it).
PARSE_TIME_LIMIT = 2.0
#: A reading whose SymPy form takes longer (SymPy's assumptions on nested hyperbolic functions
#: grow exponentially: sech nested 5 deep takes seconds) is stopped at PARSE_TIME_LIMIT by the
#: library's own time limit, as a user's would be at theirs: a ComputeLimitError (about the
#: input as a whole, so without a column), counted apart. This is the slack for the stop.
STOP_SLACK = 1.0

#: Where the coverage-guided fuzzer keeps its corpus; the ordinary suite replays every file.
CORPUS = Path(__file__).resolve().parents[1] / "data" / "fuzz_corpus"

#: values that a parsed function must never hold (the parser refuses them with a column)
_BAD = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)


class PropertyViolation(AssertionError):
    """The parser broke the property: the message says how, for which text."""


@dataclass
class Tally:
    """Outcome counts of a fuzz run, printed at its end."""

    tried: int = 0
    parsed: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    no_column: int = 0
    max_seconds: float = 0.0
    slowest: str = ""

    def line(self) -> str:
        refused = ", ".join(f"{k} {v}" for k, v in sorted(self.refused.items()))
        return (f"inputs tried {self.tried}: parsed {self.parsed}, refused "
                f"{sum(self.refused.values())} ({refused}; {self.no_column} without column), "
                f"max time {self.max_seconds * 1000:.1f} ms for {self.slowest[:60]!r}")


def check(text: str, latex: bool | None = None, tally: Tally | None = None) -> None:
    """Parse ``text``; raise PropertyViolation unless the outcome keeps the property.

    A column must lie in 1..len(text)+1 (the caret may sit just past the end: "x +" is missing
    its right side there). None is allowed only for errors about the input as a whole (too
    long: a LimitError), which say so without pointing at a character."""
    start = time.perf_counter()
    try:
        with deadline(PARSE_TIME_LIMIT, "reading this text"):
            e = parse(text, latex=latex)
            expr = e.expr  # built lazily: building it is part of the reading
    except NablabError as err:
        seconds = time.perf_counter() - start
        _timing(text, seconds, tally, stopped=isinstance(err, ComputeLimitError))
        if not err.message:
            raise PropertyViolation(f"error without a message for {text!r}") from err
        if err.column is None:
            if not isinstance(err, LimitError | ComputeLimitError):
                raise PropertyViolation(f"{type(err).__name__} without a column for "
                                        f"{text!r}: {err.message}") from err
            if tally is not None:
                tally.no_column += 1
        elif not isinstance(err.column, int) or not 1 <= err.column <= len(text) + 1:
            raise PropertyViolation(f"column {err.column!r} outside {text!r} "
                                    f"(length {len(text)}): {err.message}") from err
        if tally is not None:
            name = type(err).__name__
            tally.refused[name] = tally.refused.get(name, 0) + 1
        return
    except RecursionError as exc:  # named: the commonest way a recursive parser breaks
        raise PropertyViolation(f"RecursionError for {text!r}") from exc
    except Exception as exc:
        raise PropertyViolation(f"{type(exc).__name__}: {exc} for {text!r}") from exc
    seconds = time.perf_counter() - start
    _timing(text, seconds, tally)
    if not isinstance(e, Expression) or not isinstance(expr, sympy.Expr):
        raise PropertyViolation(f"parse gave {type(e).__name__} for {text!r}")
    if any(expr.has(b) for b in _BAD):
        raise PropertyViolation(f"parsed {text!r} to {expr}, which holds an infinity or NaN")
    if tally is not None:
        tally.parsed += 1


def _timing(text: str, seconds: float, tally: Tally | None, stopped: bool = False) -> None:
    if tally is not None:
        tally.tried += 1
        if seconds > tally.max_seconds:
            tally.max_seconds, tally.slowest = seconds, text
    if seconds > PARSE_TIME_LIMIT + (STOP_SLACK if stopped else 0.0):
        raise PropertyViolation(f"{seconds:.2f} s (limit {PARSE_TIME_LIMIT} s) for {text!r}")


def check_bytes(data: bytes) -> None:
    """The fuzz target's reading of raw bytes: the first byte picks the LaTeX mode (detected,
    forced, off), the rest is the text, with bytes that are not UTF-8 replaced."""
    if not data:
        return
    mode = (None, True, False)[data[0] % 3]
    check(data[1:].decode("utf-8", errors="replace"), latex=mode)


def corpus_files() -> list[tuple[str, bytes]]:
    """(file name, bytes) of every corpus file."""
    return [(p.name, p.read_bytes())
            for p in sorted(CORPUS.iterdir()) if p.is_file() and not p.name.startswith(".")]


def corpus_texts() -> list[tuple[str, str]]:
    """(file name, text) of every corpus file; bytes that are not UTF-8 are replaced, the way
    the fuzzer itself turns bytes into text."""
    return [(p.name, p.read_bytes().decode("utf-8", errors="replace"))
            for p in sorted(CORPUS.iterdir()) if p.is_file() and not p.name.startswith(".")]
