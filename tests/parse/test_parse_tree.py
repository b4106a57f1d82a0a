"""The grammar's tree (issue 15): ``Expression.expr`` is built lazily from recipes and, where
provably safe, directly (no SymPy evaluation); ``native`` is SymEngine. These tests compare the
direct construction with SymPy's own constructors, and ``native`` with ``expr`` numerically."""

from __future__ import annotations

import math
import random

import pytest
import symengine as se
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from parse_cases import CASES

import nablab
from nablab.errors import NablabError
from nablab.parse import nodes

IDS = [f"{k}:{text}" for k, (text, _, _) in enumerate(CASES)]


def _both(text, opts=None):
    opts = opts or {}
    nodes.DIRECT = False
    try:
        slow = nablab.parse(text, opts.get("declare"), latex=opts.get("latex")).expr
    finally:
        nodes.DIRECT = True
    fast = nablab.parse(text, opts.get("declare"), latex=opts.get("latex")).expr
    return fast, slow


@pytest.mark.parametrize(("text", "expected", "opts"), CASES, ids=IDS)
def test_direct_construction_equals_sympy_constructors(text, expected, opts):
    fast, slow = _both(text, opts)
    assert fast == slow == expected
    assert sympy.srepr(fast) == sympy.srepr(slow)


def _rosenbrock(n):
    return " + ".join(f"100(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))


@pytest.mark.parametrize("text", [
    _rosenbrock(50), "x" + " - x + y" * 200, "-(x - y) - 2(x + y) + 3 x y - y x",
    "x x x^2 y^-1 y", "2 x (x+1)(x-1) - 2(x+1)", "-(2 x y) + 2 y x - 3(-x)(-y)",
    "sin(x)^2 sin(x) - cos(x) exp(x) exp(y)", "(x + y)^2 (x + y)^-2 + 1/2 x - x/2",
    "-x^2 - -x^2 + 1.5 x - x 1.5", "x/(y z) - x y^-1 z^-1", "2^x 2^y - 3 sqrt(2) x sqrt(3)",
])
def test_direct_construction_on_shapes_that_merge(text):
    fast, slow = _both(text)
    assert sympy.srepr(fast) == sympy.srepr(slow)


TERMS = ["x", "y", "z", "2", "3", "1/2", "x^2", "-y", "sin(x)", "exp(y)", "(x+1)", "(y-x)",
         "|x|", "2.5", "sqrt(2)", "pi", "e^x", "x^-1", "(x+y)^2"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TERMS), min_size=1, max_size=4), min_size=1,
                max_size=6), st.lists(st.sampled_from(["+", "-", " - "]), min_size=6,
                                      max_size=6))
def test_random_sums_of_products_read_the_same_both_ways(products, signs):
    text = "".join(f"{signs[k]}{' '.join(p)}" if k else " ".join(p)
                   for k, p in enumerate(products))
    try:
        fast, slow = _both(text)
    except NablabError:
        return
    assert sympy.srepr(fast) == sympy.srepr(slow), text


@pytest.mark.parametrize(("text", "expected", "opts"), CASES, ids=IDS)
def test_native_is_the_same_function(text, expected, opts):
    e = nablab.parse(text, opts.get("declare"), latex=opts.get("latex"))
    if e.expr.has(sympy.Sum):
        assert e.native is None
        return
    assert e.native is not None, text
    names = [s.name for s in e.expr.free_symbols]
    f = sympy.lambdify([sympy.Symbol(n) for n in names], e.expr, "math")
    rng = random.Random(7)
    checked = 0
    for _ in range(20):
        point = {n: rng.uniform(0.2, 1.8) for n in names}
        try:
            want = float(f(*point.values()))
        except (ValueError, ZeroDivisionError, OverflowError):
            continue
        got = float(e.native.subs({se.Symbol(n): v for n, v in point.items()}).evalf())
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), (text, point)
        checked += 1
    assert checked > 0


def test_expr_is_built_once_on_first_access():
    e = nablab.parse("x^2 y + sin(xy)")
    assert e._expr is None
    first = e.expr
    assert e.expr is first


def test_symbols_cancelling_still_give_the_old_errors():
    for text, message in [("1/(x - x)", "division by zero"), ("log(x - x)", "undefined"),
                          ("(y - y)^-1", "division by zero"), ("sqrt(x - x - 4)", "real")]:
        with pytest.raises(NablabError, match=message):
            nablab.parse(text)
