"""The time limit on one answer from typed text (nablab/time_limit.deadline): SymPy can take
minutes to build short, innocent-looking text, and the user must get an error instead."""

from __future__ import annotations

import signal
import time

import pytest

from nablab.calculus.budget import run_with_budget
from nablab.errors import ComputeLimitError
from nablab.parse import parse
from nablab.time_limit import deadline, time_limit_s

#: 6 nested sech: SymPy's construction queries assumptions exponentially in the nesting
#: (about a minute on this machine); 4 take about 2 s
RUNAWAY = "sech(sech(sech(sech(sech(sech(x))))))"


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def _outer_timer_given_back(before: float, start: float) -> None:
    """The timer that was running before (pytest-timeout's, in the suite) runs on."""
    left, _ = signal.getitimer(signal.ITIMER_REAL)
    if before == 0:
        assert left == 0
    else:
        assert before - (time.monotonic() - start) - 1 < left <= before


def test_a_runaway_reading_is_stopped_at_the_limit_with_a_clear_error():
    before, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()
    with pytest.raises(ComputeLimitError) as info, deadline(1.0, "reading f"):
        parse(RUNAWAY).expr  # noqa: B018  the SymPy form is built here
    took = time.monotonic() - start
    assert took < 5, took
    assert "reading f took longer than the time limit of 1 s" in info.value.message
    assert "NABLAB_TIME_LIMIT" in info.value.hint
    _outer_timer_given_back(before, start)


def test_the_sympy_form_of_a_parse_is_under_the_limit_on_its_own(monkeypatch):
    """nablab.parse(text).expr with no facade around it: the reading builds SymPy's form
    under the same limit (it is where the minutes go), and asking again is not half-built."""
    monkeypatch.setenv("NABLAB_TIME_LIMIT", "1")
    before, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()
    e = parse(RUNAWAY)
    for _ in range(2):
        with pytest.raises(ComputeLimitError) as info:
            e.expr  # noqa: B018  the SymPy form is built here
        assert "building SymPy's form of this function took longer than the time limit " \
               "of 1 s" in info.value.message
    assert time.monotonic() - start < 8
    _outer_timer_given_back(before, start)
    assert str(parse("x^2 y + sin(xy)").expr) == "x**2*y + sin(x*y)"


def test_work_within_the_limit_is_untouched_and_inner_budgets_still_work():
    before, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()
    with deadline(5.0):
        assert parse("x^2 y + sin(xy)").variables
        inner = run_with_budget(lambda: _spin(2.0), 0.2)
        assert not inner.ok and inner.timed_out
        assert run_with_budget(lambda: 42, 1.0).value == 42
    _outer_timer_given_back(before, start)


def test_the_outer_deadline_still_fires_after_an_inner_budget_gave_its_timer_back():
    start = time.monotonic()
    with pytest.raises(ComputeLimitError), deadline(0.5):
        run_with_budget(lambda: 1, 0.1)
        _spin(5.0)
    assert time.monotonic() - start < 3


def test_an_outer_timer_is_borrowed_and_re_armed():
    fired = []
    outer, _ = signal.getitimer(signal.ITIMER_REAL)  # pytest-timeout's, in the suite
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 3.0)
        with deadline(10.0):
            pass
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 2.0 < left <= 3.0  # the outer timer runs on with what it had left
    finally:
        signal.signal(signal.SIGALRM, previous)
        signal.setitimer(signal.ITIMER_REAL, outer)
    assert not fired


def test_the_limit_is_ten_seconds_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delenv("NABLAB_TIME_LIMIT", raising=False)
    assert time_limit_s() == 10.0
    monkeypatch.setenv("NABLAB_TIME_LIMIT", "2.5")
    assert time_limit_s() == 2.5
    for bad in ("abc", "-1", "0"):
        monkeypatch.setenv("NABLAB_TIME_LIMIT", bad)
        assert time_limit_s() == 10.0


def _alarm_lands_in_a_gc_callback(seconds: float) -> None:
    """Work during which the timer fires inside a garbage-collector callback: Python drops an
    exception raised there ("Exception ignored in ..."), and the work itself runs on for
    ``seconds`` unless the alarm is raised again."""
    import gc

    def _slow_callback(phase: str, info: dict) -> None:
        if phase == "start":
            time.sleep(0.5)  # the alarm fires here, and its exception is dropped

    gc.callbacks.append(_slow_callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(_slow_callback)
    _spin(seconds)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_deadline_that_lands_in_a_gc_callback_still_stops_the_work():
    """Found by the grammar fuzzer: a reading ran 6 s under a 2 s limit because the alarm fired
    in hypothesis's gc callback. The alarm now repeats until the work has stopped."""
    before, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()
    with pytest.raises(ComputeLimitError), deadline(0.2):
        _alarm_lands_in_a_gc_callback(5.0)
    assert time.monotonic() - start < 1.5
    _outer_timer_given_back(before, start)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_budget_that_lands_in_a_gc_callback_still_stops_the_work():
    start = time.monotonic()
    outcome = run_with_budget(lambda: _alarm_lands_in_a_gc_callback(5.0), 0.2)
    assert not outcome.ok and outcome.timed_out
    assert time.monotonic() - start < 1.5


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_work_that_finishes_after_a_dropped_alarm_is_still_past_the_limit():
    with pytest.raises(ComputeLimitError), deadline(0.2):
        _alarm_lands_in_a_gc_callback(0.0)  # the repeat never comes: the work ended first
