"""The one time limit on an answer from typed text, and the SIGALRM timer that enforces it.

A bottom-layer module (next to errors) because the limit starts at the bottom: building SymPy's
form of a parsed function (``Expression.expr``) can itself take minutes, before any calculus
runs. Python threads cannot be interrupted, so the guard is a ``SIGALRM`` timer: it works in the
main thread of the main interpreter (the CLI, tests, notebooks, the web server's worker
processes) and interrupts pure-Python SymPy code. A timer already running (an outer limit, a
shorter budget, pytest-timeout) is borrowed: a shorter one stays in charge, and a borrowed one is
re-armed with its remaining time afterwards. ``calculus/budget.py`` builds its smaller budgets
for single steps (simplification, exact evaluation) on the same timer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from nablab.errors import ComputeLimitError

#: seconds one answer from typed text may take, the same as the web server's default worker
#: limit (``NABLAB_TIME_LIMIT`` overrides it): SymPy can spend minutes building innocent-looking
#: text (``sech(sech(sech(sech(sech(sech(x))))))``: its assumption queries grow exponentially
#: with the nesting), and a user must get an error, not a hang
TIME_LIMIT_S = 10.0


def time_limit_s() -> float:
    """The limit in force: ``NABLAB_TIME_LIMIT`` (seconds) if set to a positive number."""
    try:
        value = float(os.environ.get("NABLAB_TIME_LIMIT", ""))
    except ValueError:
        return TIME_LIMIT_S
    return value if value > 0 else TIME_LIMIT_S


def give_back(previous: Any, old_delay: float, old_interval: float, start: float) -> None:
    """Disarm our timer and give the one we borrowed back its handler and what it has left."""
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)
    if old_delay > 0:
        left = old_delay - (time.monotonic() - start)
        signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), old_interval)


#: seconds between repeats of an alarm whose exception did not stop the work: Python drops an
#: exception raised in a garbage-collector or weakref callback ("Exception ignored in ..."), so a
#: signal that lands there would otherwise be lost and the work would run on past its limit
REPEAT_S = 0.05


class Alarm:
    """The SIGALRM handler of one timer: it raises ``exc`` and, until :meth:`disarm`, raises it
    again every :data:`REPEAT_S` in case the first one landed in a callback and was dropped.
    ``fired`` records that the time ran out even when the work then finished on its own."""

    def __init__(self, exc: type[BaseException]) -> None:
        self.exc = exc
        self.fired = False
        self.armed = True

    def __call__(self, signum: int, frame: Any) -> None:  # pragma: no cover - timing dependent
        if not self.armed:
            return
        self.fired = True
        signal.setitimer(signal.ITIMER_REAL, REPEAT_S)
        raise self.exc

    def disarm(self) -> None:
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)


@contextlib.contextmanager
def alarm(limit: float, exc: type[BaseException]) -> Iterator[Alarm]:
    """Raise ``exc`` in the enclosed work after ``limit`` seconds, then catch it here: the
    block ends early and the caller reads ``fired`` on the yielded :class:`Alarm`. A timer that
    was running (an outer limit, pytest-timeout) is borrowed and given back what it has left.
    The shared core of :func:`deadline` and ``calculus.budget.run_with_budget``."""
    old_delay, old_interval = signal.getitimer(signal.ITIMER_REAL)
    timer = Alarm(exc)
    previous = signal.signal(signal.SIGALRM, timer)
    start = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        try:
            yield timer
        finally:
            timer.disarm()  # a repeat that lands before this is caught just below
    except exc:
        timer.fired = True
    finally:
        give_back(previous, old_delay, old_interval, start)


class _DeadlinePassed(BaseException):
    """The outer deadline's alarm (a BaseException, like BudgetExceeded, so that SymPy's broad
    ``except Exception`` clauses cannot swallow it; a separate class so that an inner budget
    never mistakes it for its own)."""


@contextlib.contextmanager
def deadline(seconds: float | None = None, what: str = "this answer") -> Iterator[None]:
    """Stop the enclosed work after ``seconds`` (default :func:`time_limit_s`) with a
    :class:`ComputeLimitError`. Inner budgets (``calculus.budget.run_with_budget``) borrow this timer and
    give it back. Where no timer can interrupt (not the main thread), it does nothing: there
    the web server's worker pool enforces its own limit by ending the worker."""
    limit = time_limit_s() if seconds is None else seconds
    if not can_interrupt() or limit <= 0:
        yield
        return
    old_delay, _ = signal.getitimer(signal.ITIMER_REAL)
    if 0 < old_delay <= limit:  # a shorter timer already runs (the widget's, an outer
        yield                   # budget): it stays in charge, with its own message
        return
    with alarm(limit, _DeadlinePassed) as timer:
        yield
    if timer.fired:  # stopped, or finished after a dropped alarm: past the limit either way
        raise ComputeLimitError(
            f"{what} took longer than the time limit of {limit:g} s and was stopped",
            hint="simplify the function (deep nesting of sech, csch or tanh is very costly to "
                 "build), or raise the limit with NABLAB_TIME_LIMIT=seconds")


def can_interrupt() -> bool:
    """True when a SIGALRM timer can stop runaway work in this thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
