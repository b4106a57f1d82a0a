"""Property: for random expression trees, the step tree's result is SymPy's derivative and
every node is a named rule (no "don't know")."""

from __future__ import annotations

import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from steps_helpers import make, same_value

from nablab.steps import derive_partial
from nablab.steps import rules as R

x, y, a = sympy.symbols("x y a")
LEAVES = st.sampled_from([x, y, a, sympy.Integer(2), sympy.Rational(1, 3), x * y])
UNARY = [sympy.sin, sympy.cos, sympy.exp, sympy.atan, sympy.tanh, sympy.Abs, sympy.sinh,
         lambda u: sympy.log(1 + u**2), lambda u: sympy.sqrt(1 + u**2),
         lambda u: 1 / (1 + sympy.exp(-u)), lambda u: sympy.Max(0, u)]
BINARY = [sympy.Add, sympy.Mul, lambda u, v: u / (1 + v**2), lambda u, v: u - v,
          lambda u, v: u ** 3 + v, lambda u, v: sympy.Max(u, v)]


def _trees():
    return st.recursive(
        LEAVES,
        lambda inner: st.one_of(
            st.tuples(st.sampled_from(UNARY), inner).map(lambda t: t[0](t[1])),
            st.tuples(st.sampled_from(BINARY), inner, inner).map(lambda t: t[0](t[1], t[2])),
        ),
        max_leaves=6,
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_trees(), st.sampled_from(["x", "y"]))
def test_random_trees(expr, var):
    root = derive_partial(make(expr, "x y", "a"), var, form="derived")
    rx = sympy.Symbol(var, real=True)
    f = expr.xreplace({s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols})
    assert same_value(root.derivation.result, sympy.diff(f, rx))
    for node in root.walk():
        assert node.rule in R.RULES
        assert node.rule != "table"
