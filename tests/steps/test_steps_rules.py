"""One test per rule of the issue: the rule chosen and the result it gives."""

from __future__ import annotations

import pytest
import sympy
from steps_helpers import make, numeric_derivative_agrees, real
from sympy import Abs, Max, Min, Rational, Sum, exp, log, sqrt

from nablab.errors import NablabError
from nablab.steps import derive_partial
from nablab.steps import rules as R

x, y, a, b, N, n = sympy.symbols("x y a b N n")
t0, t1 = sympy.symbols("theta_0 theta_1")
Y, X = sympy.Function("y"), sympy.Function("x")
rx, ry, ra, rb = real("x"), real("y"), real("a"), real("b")


def steps(expr, variables="x", var="x", params=""):
    return derive_partial(make(expr, variables, params), var, form="derived").derivation


def chain_outer(node):
    assert node.rule == "chain", node.rule
    return node.outer_step


def same(got, want):
    d = sympy.simplify(got - want)
    return d == 0


# (case id, expression, variables, variable, parameters, rule at the root, outer rule when the
#  root is a chain rule or None, the expected derivative over real symbols)
CASES = [
    ("constant", sympy.Integer(5), "x", "x", "", "constant", None, 0),
    ("constant-expression", sympy.sin(y) + 2, "x y", "x", "", "constant", None, 0),
    ("variable", x, "x", "x", "", "variable", None, 1),
    ("other-variable", y, "x y", "x", "", "other_symbol", None, 0),
    ("parameter", a, "x", "x", "a", "other_symbol", None, 0),
    ("constant-multiple", 7 * a * x, "x", "x", "a", "constant_multiple", None, 7 * ra),
    ("sum", x**2 - 3 * x + 1, "x", "x", "", "sum", None, 2 * rx - 3),
    ("power", x**5, "x", "x", "", "power", None, 5 * rx**4),
    ("power-root", sqrt(x), "x", "x", "", "power", None, 1 / (2 * sqrt(rx))),
    ("power-cbrt", x ** Rational(1, 3), "x", "x", "", "power", None,
     rx ** Rational(-2, 3) / 3),
    ("power-reciprocal", 1 / x, "x", "x", "", "power", None, -1 / rx**2),
    ("power-negative", x**-4, "x", "x", "", "power", None, -4 / rx**5),
    ("power-fractional", x ** Rational(5, 2), "x", "x", "", "power", None,
     Rational(5, 2) * rx ** Rational(3, 2)),
    ("exp", exp(x), "x", "x", "", "exp", None, exp(rx)),
    ("exp-base-a", 3**x, "x", "x", "", "exponential", None, 3**rx * log(3)),
    ("exp-base-param", a**x, "x", "x", "a", "exponential", None, ra**rx * log(ra)),
    ("ln", log(x), "x", "x", "", "log", None, 1 / rx),
    ("log-base", log(x) / log(2), "x", "x", "", "log_base", None, 1 / (rx * log(2))),
    ("product-2", x * sympy.sin(x), "x", "x", "", "product", None,
     sympy.sin(rx) + rx * sympy.cos(rx)),
    ("product-3", x * exp(x) * sympy.sin(x), "x", "x", "", "product", None,
     sympy.diff(rx * exp(rx) * sympy.sin(rx), rx)),
    ("quotient", x / (x + 1), "x", "x", "", "quotient", None, 1 / (rx + 1) ** 2),
    ("chain", sympy.sin(x**2), "x", "x", "", "chain", "sin", 2 * rx * sympy.cos(rx**2)),
    ("sin", sympy.sin(x), "x", "x", "", "sin", None, sympy.cos(rx)),
    ("cos", sympy.cos(x), "x", "x", "", "cos", None, -sympy.sin(rx)),
    ("tan", sympy.tan(x), "x", "x", "", "tan", None, 1 + sympy.tan(rx) ** 2),
    ("sec", sympy.sec(x), "x", "x", "", "sec", None, sympy.sec(rx) * sympy.tan(rx)),
    ("csc", sympy.csc(x), "x", "x", "", "csc", None, -sympy.csc(rx) * sympy.cot(rx)),
    ("cot", sympy.cot(x), "x", "x", "", "cot", None, -1 / sympy.sin(rx) ** 2),
    ("asin", sympy.asin(x), "x", "x", "", "asin", None, 1 / sqrt(1 - rx**2)),
    ("acos", sympy.acos(x), "x", "x", "", "acos", None, -1 / sqrt(1 - rx**2)),
    ("atan", sympy.atan(x), "x", "x", "", "atan", None, 1 / (1 + rx**2)),
    ("acot", sympy.acot(x), "x", "x", "", "acot", None, -1 / (1 + rx**2)),
    ("atan2", sympy.atan2(y, x), "x y", "x", "", "atan2", None, -ry / (rx**2 + ry**2)),
    ("sinh", sympy.sinh(x), "x", "x", "", "sinh", None, sympy.cosh(rx)),
    ("cosh", sympy.cosh(x), "x", "x", "", "cosh", None, sympy.sinh(rx)),
    ("tanh", sympy.tanh(x), "x", "x", "", "tanh", None, 1 - sympy.tanh(rx) ** 2),
    ("abs", Abs(x), "x", "x", "", "abs", None, sympy.sign(rx)),
    ("sign", sympy.sign(x), "x", "x", "", "sign", None, 2 * sympy.DiracDelta(rx)),
    ("max", Max(x, y), "x y", "x", "", "max_min", None, sympy.Heaviside(rx - ry)),
    ("min", Min(x, y), "x y", "x", "", "max_min", None, sympy.Heaviside(ry - rx)),
    ("relu", Max(0, x), "x", "x", "", "relu", None, sympy.Heaviside(rx)),
    ("sigmoid", 1 / (1 + exp(-x)), "x", "x", "", "sigmoid", None,
     exp(-rx) / (1 + exp(-rx)) ** 2),
    ("softplus", log(1 + exp(x)), "x", "x", "", "softplus", None, 1 / (1 + exp(-rx))),
    ("u-to-the-v", x**x, "x", "x", "", "log_diff", None, rx**rx * (log(rx) + 1)),
    ("table", sympy.asinh(x), "x", "x", "", "table", None, 1 / sqrt(1 + rx**2)),
]


@pytest.mark.parametrize(("expr", "variables", "var", "params", "rule", "outer", "want"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_chosen_and_result(expr, variables, var, params, rule, outer, want):
    node = steps(expr, variables, var, params)
    assert node.rule == rule
    if outer is not None:
        assert chain_outer(node).rule == outer
    assert same(node.result, want), (node.result, want)


def test_every_rule_of_the_issue_has_a_case():
    covered = {c[5] for c in CASES} | {c[6] for c in CASES if c[6]}
    derivation_rules = set(R.RULES) - {"partial", "simplify", "rewrite", "gradient",
                                       "evaluate", "repeat", "sum_over_data"}
    assert derivation_rules <= covered


def test_chain_rule_names_the_substitution():
    node = steps(sympy.sin(x * y), "x y")
    assert node.rule == "chain"
    u, inner = node.substitution
    assert u.name == "u" and inner == rx * ry
    assert node.outer_step.variable == u and node.outer_step.expr == sympy.sin(u)
    assert node.inner_step.expr == rx * ry and node.inner_step.result == ry
    assert node.result == ry * sympy.cos(rx * ry)


def test_substitution_letter_avoids_the_functions_own_names():
    node = steps(sympy.sin(x * sympy.Symbol("u")), "x u")
    assert node.substitution[0].name == "v"


def test_nested_chains_get_different_letters():
    node = steps(sympy.sin(sympy.cos(x**2)))
    inner = node.inner_step
    assert node.substitution[0].name != inner.substitution[0].name
    assert same(node.result, sympy.diff(sympy.sin(sympy.cos(rx**2)), rx))


def test_sigmoid_of_an_expression_goes_through_the_chain_rule():
    node = steps(1 / (1 + exp(-(a * x + b))), "x", "x", "a b")
    assert node.rule == "chain" and node.outer_step.rule == "sigmoid"
    assert node.substitution[1] == ra * rx + rb
    assert same(node.result, sympy.diff(1 / (1 + exp(-(ra * rx + rb))), rx))


def test_relu_of_an_expression_and_max_with_three_arguments():
    node = steps(Max(0, x * y - 1), "x y")
    assert node.rule == "chain" and node.outer_step.rule == "relu"
    assert node.result == ry * sympy.Heaviside(rx * ry - 1)
    node = steps(Max(x, y, x**2), "x y")
    assert node.rule == "max_min" and len(node.substeps) == 3
    assert numeric_derivative_agrees(node.expr, rx, node.result, points=3) == 3


def test_log_base_with_a_constant_factor():
    node = steps(3 * log(x**2 + 1) / log(10))
    assert node.rule == "constant_multiple" and node.constant == 3
    assert node.inner.rule == "chain" and node.inner.outer_step.rule == "log_base"
    assert same(node.result, 6 * rx / ((rx**2 + 1) * log(10)))


def test_logarithmic_differentiation_differentiates_v_ln_u():
    node = steps(x ** sympy.sin(x))
    assert node.rule == "log_diff"
    assert node.log_step.expr == sympy.sin(rx) * log(rx)
    assert node.log_step.rule == "product"
    assert same(node.result, sympy.diff(rx ** sympy.sin(rx), rx))


def test_quotient_with_constant_numerator_is_a_constant_times_a_power():
    node = steps(3 / (x**2 + 1))
    assert node.rule == "constant_multiple"
    assert node.inner.rule == "chain" and node.inner.outer_step.rule == "power"
    assert node.inner.outer_step.exponent == -1


def test_sum_over_data_by_linearity():
    node = steps(Sum((Y(n) - t0 * X(n)) ** 2, (n, 1, N)), "theta_0", "theta_0", "N")
    assert node.rule == "sum_over_data"
    assert node.inner.expr == (Y(n) - real("theta_0") * X(n)) ** 2
    rt0 = real("theta_0")
    assert isinstance(node.result, sympy.Sum) and node.result.limits == node.expr.limits
    assert sympy.expand(node.result.function + 2 * X(n) * (Y(n) - rt0 * X(n))) == 0


def test_a_repeated_sub_derivation_is_shown_once_and_referred_to():
    node = steps(sympy.sin(x * y) * sympy.cos(x * y), "x y")
    assert node.rule == "product"
    first, second = node.steps
    assert first.inner_step.rule == "constant_multiple"
    assert second.inner_step.rule == "repeat"
    assert second.inner_step.ref is first.inner_step
    assert second.substitution[0] == first.substitution[0]  # the same letter for x·y
    assert same(node.result, sympy.diff(sympy.sin(rx * ry) * sympy.cos(rx * ry), rx))


def test_partial_starts_by_holding_the_others_constant():
    root = derive_partial(make(x**2 * y + a, "x y", "a"), "x")
    assert root.rule == "partial"
    assert [c.name for c in root.constants] == ["y", "a"]
    assert [s.rule for s in root.substeps] == ["sum", "simplify"]


def test_unknown_variable_is_a_user_error():
    with pytest.raises(NablabError, match="not a variable or parameter"):
        derive_partial(make(x**2, "x"), "q")


def test_a_summation_limit_is_not_a_variable_here():
    with pytest.raises(NablabError, match="cannot differentiate with respect to N"):
        derive_partial(make(Sum(Y(n) * a, (n, 1, N)), "N", "a"), "N")


def test_unknown_form_is_a_user_error():
    with pytest.raises(NablabError, match="unknown form"):
        derive_partial(make(x**2, "x"), "x", form="pretty")
