"""The Python API takes a caller's own SymPy and SymEngine expressions (and symbols), keeps
shared subexpressions shared, and answers exactly as for the same function typed as text."""

from __future__ import annotations

import math
import random
import time

import pytest
import symengine as se
import sympy

import nablab
from nablab.errors import NablabError
from nablab.render.json import to_json

x, y, z = sympy.symbols("x y z")


def _value(e: sympy.Basic, at: dict[str, float], memo: dict) -> float:
    """A float evaluator written for the test, memoised over the DAG (SymPy's evalf would walk
    the tree, 2^20 nodes for depth 20): independent of nablab's own evaluation."""
    got = memo.get(e)
    if got is not None:
        return got
    if e.is_Symbol:
        v = at[e.name]
    elif e.is_Number:
        v = float(e)
    elif e.is_Add:
        v = math.fsum(_value(a, at, memo) for a in e.args)
    elif e.is_Mul:
        v = math.prod(_value(a, at, memo) for a in e.args)
    elif e.is_Pow:
        v = _value(e.base, at, memo) ** _value(e.exp, at, memo)
    else:
        fn = {"sin": math.sin, "cos": math.cos, "exp": math.exp, "log": math.log}[
            type(e).__name__]
        v = fn(_value(e.args[0], at, memo))
    memo[e] = v
    return v


def _fd_check(f: sympy.Basic, partials: list[sympy.Basic], names: list[str],
              points: int = 25, seed: int = 1) -> None:
    """Every partial agrees with central differences of f at many random points."""
    rng = random.Random(seed)
    for _ in range(points):
        at = {n: rng.uniform(-1.2, 1.2) for n in names}
        for name, p in zip(names, partials, strict=True):
            h = 1e-5
            hi, lo = dict(at), dict(at)
            hi[name] += h
            lo[name] -= h
            numeric = (_value(f, hi, {}) - _value(f, lo, {})) / (2 * h)
            symbolic = _value(p, at, {})
            assert symbolic == pytest.approx(numeric, rel=1e-5, abs=1e-5), (name, at)


def _dag(depth: int, x: sympy.Basic, y: sympy.Basic, sin=sympy.sin, cos=sympy.cos):
    e = x * y
    for _ in range(depth):
        e = sin(e) * cos(e) + x
    return e


def test_sympy_expression_prints_exactly_like_the_same_text():
    f = x**2 * y + sympy.sin(x * y)
    from_text = to_json(nablab.gradient("x^2 y + sin(xy)", at="x=1,y=2"))
    from_object = to_json(nablab.gradient(f, [x, y], at="x=1,y=2"))
    from_text.pop("input")
    from_object.pop("input")
    assert from_object == from_text


def test_variables_as_symbols_or_names_and_symbols_with_assumptions():
    rx, ry = sympy.symbols("x y", positive=True)
    for variables in ([x, y], ["x", "y"], "x,y", [rx, ry]):
        r = nablab.gradient(rx**3 * ry + sympy.exp(rx), variables)
        assert [v.name for v in r.variables] == ["x", "y"]
        assert r.partials == [3 * x**2 * y + sympy.exp(x), x**3]
    r = nablab.gradient(x**2 * y, [y])
    assert [p.name for p in r.parameters] == ["x"] and r.partials == [x**2]


def test_symengine_expression_and_symbols():
    sx, sy = se.symbols("x y")
    r = nablab.gradient(sx**2 * sy + se.sin(sx * sy), [sx, sy], at={"x": 1, "y": 2})
    assert r.partials == [2 * x * y + y * sympy.cos(x * y), x**2 + x * sympy.cos(x * y)]
    assert [g.value for g in r.at.gradient] == pytest.approx(
        [4 + 2 * math.cos(2), 1 + math.cos(2)])


@pytest.mark.parametrize("f", [
    x**2 * y + sympy.sin(x * y),
    sympy.exp(x * y) / (1 + y**2) + sympy.log(x**2 + 1),
    (x + y + z) ** 3 * sympy.cos(z),
    sympy.sin(sympy.cos(x + y)) * sympy.exp(-(z**2)),
])
def test_partials_of_sympy_input_agree_with_finite_differences(f):
    names = sorted(s.name for s in f.free_symbols)
    r = nablab.gradient(f, names, form="derived")
    _fd_check(f, r.partials, names)


def test_depth_20_dag_stays_shared_and_is_right():
    f = _dag(20, x, y)
    t0 = time.perf_counter()
    r = nablab.gradient(f, [x, y], form="derived")
    elapsed = time.perf_counter() - t0
    # as a tree the partial has ~10^8 nodes; as the DAG it is small: a tree walk would not end
    assert elapsed < 2.0
    _fd_check(f, r.partials, ["x", "y"], points=10)


def _nodes(e: sympy.Basic) -> dict[int, sympy.Basic]:
    """Every node of the DAG ``e`` by id (each shared node once)."""
    seen: dict[int, sympy.Basic] = {}
    stack = [e]
    while stack:
        n = stack.pop()
        if id(n) not in seen:
            seen[id(n)] = n
            stack.extend(n.args)
    return seen


@pytest.mark.parametrize("depth", [20, 40])
def test_the_partials_of_a_deep_dag_reuse_the_callers_own_subexpressions(depth):
    """Converting the partials back to SymPy reuses the caller's nodes. Rebuilt equal copies
    made SymPy's cache compare them with the caller's node by node, which is exponential in the
    depth: depth 20 took 1.8 s and depth 40 ran into the 10 s time limit."""
    f = _dag(depth, x, y)
    r = nablab.gradient(f, [x, y], form="derived")
    inner = {i for i, n in _nodes(f).items() if n.args}
    for p in r.partials:
        shared = inner & set(_nodes(p))
        assert len(shared) >= depth  # sin(e_k), cos(e_k) of every level, as the caller's objects
    _fd_check(f, r.partials, ["x", "y"], points=5)


def test_depth_20_dag_from_symengine():
    sx, sy = se.symbols("x y")
    r = nablab.gradient(_dag(20, sx, sy, se.sin, se.cos), ["x", "y"], form="derived")
    _fd_check(_dag(20, x, y), r.partials, ["x", "y"], points=10)


def test_text_input_still_refuses_partials_too_large_to_print():
    with pytest.raises(nablab.ComputeLimitError, match="too large to write out"):
        nablab.gradient(_nested_text(14))


def _nested_text(depth: int) -> str:
    e = "x y"
    for _ in range(depth):
        e = f"sin({e}) cos({e}) + x"
    return e


@pytest.mark.parametrize("thing", [3 + 4j, [x, y], {"f": 1}, object(), None, True])
def test_a_non_expression_is_refused_naming_its_type(thing):
    with pytest.raises(NablabError, match=type(thing).__name__):
        nablab.gradient(thing)


def test_text_answers_for_object_input_check_answer():
    r = nablab.check_answer(x**2 * y + sympy.sin(x * y), "x", "2xy + y cos(xy)")
    assert r.equivalent
