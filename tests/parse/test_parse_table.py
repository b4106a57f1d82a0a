"""Every convention of the syntax, one row each (see ``parse_cases.py``), plus round-trips of our
own output: ``sympify(to_text(e)) == e`` and reading the echo back gives the same expression."""

from __future__ import annotations

import pytest
import sympy
from parse_cases import CASES

import nablab
from nablab.printing.text import to_echo, to_text
from nablab.render.latex import to_latex

IDS = [f"{k}:{text}" for k, (text, _, _) in enumerate(CASES)]


def _parse(text: str, opts: dict):
    return nablab.parse(text, opts.get("declare"), latex=opts.get("latex"))


def test_table_is_big_enough():
    assert len(CASES) >= 150


@pytest.mark.parametrize(("text", "expected", "opts"), CASES, ids=IDS)
def test_reading(text, expected, opts):
    e = _parse(text, opts)
    assert e.expr == expected, f"{text!r} read as {e.expr}, expected {expected}"
    if "vars" in opts:
        assert e.variable_names == opts["vars"]
    if "params" in opts:
        assert e.parameter_names == opts["params"]
    if "warn" in opts:
        messages = [w.message for w in e.warnings]
        if opts["warn"] == "":
            assert messages == []
        else:
            assert any(opts["warn"] in m for m in messages), messages
    assert e.source == text


@pytest.mark.parametrize(("text", "expected", "opts"), CASES, ids=IDS)
def test_text_round_trips_through_sympify(text, expected, opts):
    e = _parse(text, opts)
    assert sympy.sympify(to_text(e.expr)) == e.expr
    assert to_latex(e.expr)  # renders


@pytest.mark.parametrize(("text", "expected", "opts"), CASES, ids=IDS)
def test_echo_reads_back(text, expected, opts):
    e = _parse(text, opts)
    names = [*e.variable_names, *e.parameter_names]
    again = nablab.parse(to_echo(e.expr), names or None)
    assert again.expr == e.expr, to_echo(e.expr)
