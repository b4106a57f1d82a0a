"""``Expression.from_object``: SymPy and SymEngine objects from the caller (issue 15, item 3)."""

from __future__ import annotations

import copy
import math
import pickle
import time

import pytest
import symengine as se
import sympy

import nablab
from nablab.errors import NablabError
from nablab.expression import Expression

x, y, z, n, N, w = sympy.symbols("x y z n N w")


def _dag(mod, depth):
    sym = mod.Symbol("x")
    e = sym
    for _ in range(depth):
        e = mod.sin(e) * mod.cos(e) + sym
    return e


def test_sympy_expression_reads_like_the_text():
    text = nablab.parse("x^2 y + sin(xy)")
    obj = Expression.from_object(x**2 * y + sympy.sin(x * y))
    assert obj.expr == text.expr
    assert obj.variables == text.variables == (x, y)
    assert obj.parameters == ()
    assert obj.native == se.sympify("x**2*y + sin(x*y)")
    assert obj.source == "x**2*y + sin(x*y)"


def test_symengine_expression_and_variables_as_symbols_or_names():
    sx, sy = se.symbols("x y")
    e = Expression.from_object(sx**2 * sy + se.sin(sx * sy), variables=[sy, "x"])
    assert e.variables == (y, x)
    assert e.expr == x**2 * y + sympy.sin(x * y)
    assert e.native == sx**2 * sy + se.sin(sx * sy)
    e = Expression.from_object(x * y + z, variables="x, z")
    assert e.variables == (x, z)
    assert e.parameters == (y,)


def test_symbols_with_assumptions_become_plain_symbols_by_name():
    xr = sympy.Symbol("x", real=True)
    e = Expression.from_object(xr**2 + sympy.Abs(xr))
    assert e.expr == x**2 + sympy.Abs(x)
    assert all(s == sympy.Symbol(s.name) for s in e.expr.free_symbols)
    assert e.variables == (x,)


def test_a_symbol_alone_and_natural_order():
    x2, x10 = sympy.symbols("x2 x10")
    assert Expression.from_object(x).variables == (x,)
    assert Expression.from_object(se.Symbol("y")).expr == y
    assert Expression.from_object(x10 + x2).variables == (x2, x10)


def test_sums_over_data_have_no_native_and_limits_are_parameters():
    data = sympy.Function("x")(n)
    e = Expression.from_object(sympy.Sum((data - w) ** 2, (n, 1, N)))
    assert e.native is None
    assert e.variables == (w,)
    assert e.parameters == (N,)


@pytest.mark.parametrize("mod", [sympy, se], ids=["sympy", "symengine"])
def test_shared_dag_of_depth_20_converts_in_milliseconds(mod):
    e = _dag(mod, 20)  # its tree has about 2^20 nodes
    Expression.from_object(_dag(mod, 3))
    start = time.perf_counter()
    got = Expression.from_object(e)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05, elapsed  # a tree walk would take minutes
    assert got.variables == (x,)
    assert got.source.startswith("<a ")  # not the exponential text
    # the same function: compare at a point, evaluating over the DAG
    value = 0.3
    expect = value
    for _ in range(20):
        expect = math.sin(expect) * math.cos(expect) + value
    if mod is sympy:
        assert float(got.native.subs({se.Symbol("x"): value})) == pytest.approx(expect)
    else:
        assert got.native is e


@pytest.mark.parametrize(("obj", "kind"), [([1, 2], "list"), (3, "int"), (2.5, "float"),
                                           (None, "NoneType"), (sympy.Eq(x, 1), "Equality"),
                                           ({"x": 1}, "dict")])
def test_anything_else_is_refused_naming_its_type(obj, kind):
    with pytest.raises(NablabError, match=f"got {kind}$"):
        Expression.from_object(obj)


def test_text_is_sent_to_the_parser_and_bad_variables_are_refused():
    with pytest.raises(NablabError, match="got str"):
        Expression.from_object("x^2")
    with pytest.raises(NablabError, match="declared twice"):
        Expression.from_object(x + y, variables=["x", x])
    with pytest.raises(NablabError, match="got int"):
        Expression.from_object(x + y, variables=[1])


def test_expression_stays_immutable_and_compares_by_value():
    a = nablab.parse("x + y")
    b = Expression.from_object(x + y)
    with pytest.raises(AttributeError):
        a.source = "z"  # type: ignore[misc]
    assert a.expr == b.expr
    assert a == nablab.parse("x + y")
    assert hash(a) == hash(nablab.parse("x + y"))


def test_expression_pickles_and_copies_with_its_sympy_form():
    e = nablab.parse("x^2 y + sin(xy)")
    for again in (pickle.loads(pickle.dumps(e)), copy.deepcopy(e), copy.copy(e)):
        assert again == e
        assert again.native == e.native
