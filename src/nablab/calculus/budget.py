"""Time limits for work that can blow up (simplification, expansion, exact evaluation).

Python threads cannot be interrupted, so the guard is a ``SIGALRM`` timer: it works in the main
thread of the main interpreter (the CLI, tests, benchmarks) and interrupts pure-Python SymPy code.
A timer already running (an outer budget, pytest-timeout) is borrowed: our limit is cut to what
is left of it, and it is re-armed with its remaining time afterwards.
Anywhere else (a web server's worker thread) we cannot interrupt, so :func:`run_with_budget`
refuses up front any job whose input is larger than a conservative size bound and otherwise
runs it unguarded — the size bound is what keeps it bounded there. The one limit on a whole
answer (``deadline``) and the timer's plumbing are in ``nablab/time_limit.py``, below.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sympy

from nablab.dag import tree_size
from nablab.time_limit import alarm, can_interrupt

T = TypeVar("T")

DEFAULT_BUDGET_S = 2.0
#: in threads without a timer, only inputs up to this many operations are simplified
UNGUARDED_MAX_OPS = 60


class BudgetExceeded(BaseException):
    """Raised inside the guarded call when its time is up (a BaseException so that SymPy's
    broad ``except Exception`` clauses cannot swallow it)."""


@dataclass(frozen=True)
class Outcome:
    """The result of a guarded call, or why there is none (``value`` is then ``None``)."""

    value: Any
    ok: bool
    reason: str | None = None
    #: the time ran out (or there was none): the same call may succeed later, on a quieter
    #: machine, so its fallback is not remembered
    timed_out: bool = False


def estimate_work(expr: Any) -> int:
    """A size for :func:`run_with_budget` that also counts what expanding would create: the
    tree size plus |n| for every integer power n of something other than a symbol (a tree of a
    dozen nodes such as ``(x + y + 1)**40`` expands to hundreds of terms)."""
    if not isinstance(expr, sympy.Basic):
        return 0
    size = tree_size(expr)
    for p in expr.atoms(sympy.Pow):
        if p.exp.is_Integer and not p.base.is_Symbol:
            size += min(abs(int(p.exp)), 10**6)
    return size


def run_with_budget(
    fn: Callable[[], T], budget_s: float = DEFAULT_BUDGET_S, *, size: Any = 0
) -> Outcome:
    """Run ``fn()`` for at most ``budget_s`` seconds (see module docstring for where that holds).

    ``size`` is a measure of the input (best :func:`estimate_work`, or an expression, which is
    measured with it); without a timer, jobs larger than :data:`UNGUARDED_MAX_OPS` are not
    started at all.
    """
    if budget_s <= 0:
        return Outcome(None, False, "no time budget", timed_out=True)
    if not can_interrupt():
        if not isinstance(size, int):
            size = estimate_work(size)
        if size > UNGUARDED_MAX_OPS:
            return Outcome(None, False, "too large to simplify safely here")
        try:
            return Outcome(fn(), True)
        except RecursionError:
            return Outcome(None, False, "expression too deeply nested")

    # someone else's timer (an outer budget, pytest-timeout) is borrowed and given back
    old_delay, _ = signal.getitimer(signal.ITIMER_REAL)
    limit = min(budget_s, old_delay) if old_delay > 0 else budget_s
    with alarm(limit, BudgetExceeded) as timer:
        try:
            value = fn()
        except RecursionError:
            return Outcome(None, False, "expression too deeply nested")
    if timer.fired:  # stopped, or finished after a dropped alarm (see time_limit.Alarm)
        return Outcome(None, False, f"took longer than {limit:g} s", timed_out=True)
    return Outcome(value, True)
