"""The computational graph: reverse mode equals the symbolic ∇f on the whole step corpus at
several points; shared subexpressions are one node; rule names are the step tree's."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

import nablab
from nablab.api import parse
from nablab.calculus.graph import graph
from nablab.calculus.partials import partial
from nablab.errors import DomainError, NablabError
from nablab.expression import to_real
from nablab.render.json import to_json
from nablab.steps.rules import RULES

sys.path.insert(0, str(Path(__file__).parents[1] / "steps"))
from steps_corpus import CORPUS

POINTS_2D = [(1.0, 2.0), (-0.7, 0.3), (2.5, -1.25), (0.0, 4.0)]
POINTS = [(0.3, 0.7, 0.45, 0.2, 1.3, 0.6, 0.8), (0.8, -0.35, 0.6, -0.55, 0.7, 1.4, 2.5),
          (1.7, 2.3, -0.4, 1.9, -0.8, 0.9, 1.2), (-0.6, 0.25, 0.85, -0.15, 2.1, -1.1, 0.5)]


def symbolic_gradient(expr, names, point):
    """∂f/∂x over the reals from the calculus core, evaluated at the point with mpmath."""
    real, _ = to_real(expr)
    by_name = {s.name: s for s in real.free_symbols}
    subs = {by_name[k]: sympy.Float(v, 30) for k, v in point.items() if k in by_name}
    out = []
    for n in names:
        sym = by_name.get(n)
        d = partial(real, sym) if sym is not None else sympy.Integer(0)
        val = complex(d.xreplace(subs).evalf(30))
        out.append(val)
    return out


@pytest.mark.parametrize(("expr", "variables", "params"), CORPUS,
                         ids=[str(i) for i in range(len(CORPUS))])
def test_reverse_mode_equals_symbolic_gradient(expr, variables, params):
    names = variables.split()
    symbols = sorted(s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol))
    if expr.has(sympy.Sum):
        with pytest.raises(NablabError, match="sum over data"):
            graph(expr, dict.fromkeys(symbols, 1.0), names)
        return
    checked = 0
    for values in POINTS:
        point = dict(zip(sorted(set(symbols) | set(names)), values, strict=False))
        try:
            g = graph(expr, point, names)
        except DomainError:
            continue
        want = symbolic_gradient(expr, names, point)
        if not all(abs(w.imag) < 1e-12 and math.isfinite(w.real) for w in want):
            continue
        if not all(math.isfinite(v) for v in g.gradient):
            continue
        np.testing.assert_allclose(g.gradient, [w.real for w in want], rtol=1e-9, atol=1e-11)
        assert g.value == pytest.approx(float(expr.evalf(30, subs={sympy.Symbol(k): v
                                                                    for k, v in point.items()})),
                                        rel=1e-9, abs=1e-12)
        checked += 1
    assert checked >= 1, "no point in the domain of f was tried"


def test_shared_subexpressions_are_one_node_and_rules_are_step_rules():
    g = graph(parse("sin(xy) + cos(xy) + exp(xy)"), {"x": 0.5, "y": 2.0})
    xy_expr = sympy.Symbol("x") * sympy.Symbol("y")
    products = [n for n in g.nodes if n.op == "mul" and n.expr == xy_expr]
    assert len(products) == 1
    xy = products[0]
    users = [n for n in g.nodes if xy.id in n.inputs]
    assert len(users) == 3  # sin, cos and exp read the same node
    assert {n.rule for n in g.nodes} <= set(RULES)
    # by hand: ∂/∂x = y(cos u − sin u + eᵘ) with u = xy = 1
    u = 1.0
    assert g.gradient[0] == pytest.approx(2.0 * (math.cos(u) - math.sin(u) + math.exp(u)))


def test_rule_names_by_operation():
    g = graph(parse("3x + 2^y + x^y + exp(x) log(y)"), {"x": 1.5, "y": 2.0})
    rules = {n.op: set() for n in g.nodes}
    for n in g.nodes:
        rules[n.op].add(n.rule)
    assert "constant_multiple" in rules["mul"] and "product" in rules["mul"]
    assert {"exponential", "log_diff"} <= rules["pow"]
    assert rules["add"] == {"sum"} and rules["exp"] == {"exp"} and rules["log"] == {"log"}


def test_parameters_and_absent_variables():
    g = graph(parse("a x^2", variables="x z"), {"x": 2.0, "z": 5.0, "a": 3.0})
    assert g.gradient == [12.0, 0.0]
    assert any(n.op == "parameter" and n.rule == "other_symbol" for n in g.nodes)
    with pytest.raises(NablabError, match="no value for a"):
        graph(parse("a x^2", variables="x"), {"x": 2.0})
    with pytest.raises(DomainError):
        graph(parse("log(x)"), {"x": -1.0})


def test_the_public_graph_reads_text_once_and_equals_the_partials():
    """nablab.graph: the function and the point as the user types them (speed is in
    bench/bench_optimizers.py, not here)."""
    f = "x^2 y + sin(xy)"
    dx, dy = (sympy.lambdify(sympy.symbols("x y"), partial(parse(f).expr, s))
              for s in sympy.symbols("x y"))
    for x, y in POINTS_2D:
        g = nablab.graph(f, f"x={x},y={y}")
        assert g.variables == ["x", "y"] and g.point == {"x": x, "y": y}
        assert g.gradient == pytest.approx([dx(x, y), dy(x, y)], rel=1e-12, abs=1e-12)
        assert g.value == pytest.approx(x * x * y + math.sin(x * y))
    assert to_json(nablab.graph("x^2 y", {"x": 1, "y": 2}))["gradient"] == [4.0, 1.0]
    assert nablab.graph("a x^2", "x=2, a=3", "x").gradient == [12.0]
    with pytest.raises(NablabError) as err:
        nablab.graph("x^2 +", "x=1")
    assert err.value.column == 6
    with pytest.raises(NablabError, match="not in the function"):
        nablab.graph("x^2", "z=1")
