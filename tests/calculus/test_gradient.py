"""The gradient result: the chapter's examples, the JSON schema, values at a point."""

import math

import pytest
import sympy

from nablab.api import gradient
from nablab.calculus.gradient import GradientResult
from nablab.errors import ComputeLimitError, DomainError, NablabError
from nablab.expression import Expression
from nablab.render.json import to_json

x, y = sympy.symbols("x y")


def test_chapter_worked_example():
    r = gradient("x^2 y + sin(xy)")
    assert [v.name for v in r.variables] == ["x", "y"]
    assert r.partials[0] - (2 * x * y + y * sympy.cos(x * y)) == 0
    assert r.partials[1] - (x**2 + x * sympy.cos(x * y)) == 0
    assert r.gradient.shape == (2, 1)  # a column vector


def test_expression_input_is_used_as_is():
    e = Expression("x^2 y + sin(xy)", x**2 * y + sympy.sin(x * y), (x, y))
    r = gradient(e, ["y"])
    assert [v.name for v in r.variables] == ["y"]
    assert [p.name for p in r.parameters] == ["x"]
    assert r.partials == [x**2 + x * sympy.cos(x * y)]


def test_chapter_mse_partials():
    r = gradient("(1/N) sum((y_n - (t0 + t1 x_n))^2, n, 1, N)")
    t0, t1, N, n = sympy.symbols("t0 t1 N n")
    Y, X = sympy.Function("y"), sympy.Function("x")
    residual = Y(n) - (t0 + t1 * X(n))
    assert r.partials[0] == -2 * sympy.Sum(residual, (n, 1, N)) / N
    assert r.partials[1] == -2 * sympy.Sum(X(n) * residual, (n, 1, N)) / N
    d = to_json(r)
    for p in d["partials"]:
        assert sympy.sympify(p["text"]) == r.partials[[v.name for v in r.variables]
                                                      .index(p["variable"])]


def test_mse_latex_input_matches_text_input():
    text = gradient("(1/N) sum((y_n - (t0 + t1 x_n))^2, n, 1, N)", "t0,t1")
    latex = gradient(r"\frac{1}{N}\sum_{n=1}^{N}(y_n - (\theta_0 + \theta_1 x_n))^2",
                     "theta0,theta1")
    ren = {sympy.Symbol("theta0"): sympy.Symbol("t0"), sympy.Symbol("theta1"): sympy.Symbol("t1")}
    assert [p.xreplace(ren) for p in latex.partials] == text.partials


def test_real_semantics_abs_and_relu():
    r = gradient("|x| + relu(y)")
    assert r.partials == [sympy.sign(x), sympy.Heaviside(y)]
    # and the printed result uses the parser's plain symbols
    assert all(not s.is_real for p in r.partials for s in p.free_symbols)


def test_json_keys_and_round_trip():
    d = to_json(gradient("x^2 y + sin(xy)", at="x=1,y=2", hessian=True, direction="1,1"))
    assert {"input", "expression", "variables", "parameters", "warnings", "partials",
            "gradient", "hessian", "domain", "at"} <= set(d)
    assert set(d["at"]) >= {"point", "value", "gradient", "norm", "direction",
                            "directional_derivative", "check"}
    assert {"variable", "symbolic", "numeric", "abs_error", "rel_error", "ok"} <= set(
        d["at"]["check"][0])
    for item in [d["expression"], *d["partials"], d["gradient"], d["hessian"]]:
        sympy.sympify(item["text"])  # every text reads back
    from nablab.parse import parse

    for item in d["partials"]:  # and the readable form is nablab's own reading of the partial
        assert sympy.simplify(parse(item["echo"]).expr - sympy.sympify(item["text"])) == 0
    assert sympy.sympify(d["gradient"]["text"]) == sympy.Matrix(
        [[2 * x * y + y * sympy.cos(x * y)], [x**2 + x * sympy.cos(x * y)]])
    assert "steps" not in d


def test_steps_field_is_emitted_when_set():
    r = gradient("x + y")
    assert isinstance(r, GradientResult)
    assert "steps" not in to_json(r)
    r = gradient("x + y", steps=True)
    d = to_json(r)
    assert [d["steps"][v]["rule"] for v in ("x", "y")] == ["partial", "partial"]
    assert d["steps"]["x"]["result"]["text"] == "1"
    assert d["gradient_steps"]["rule"] == "gradient"


def test_values_at_a_point():
    r = gradient("x^2 y + sin(xy)", at={"x": 1, "y": "2"}, direction=[1, 1], hessian=True)
    at = r.at
    gx = 4 + 2 * math.cos(2)
    gy = 1 + math.cos(2)
    assert at.value.value == pytest.approx(2 + math.sin(2))
    assert at.value.exact == 2 + sympy.sin(2)
    assert [g.value for g in at.gradient] == pytest.approx([gx, gy])
    assert at.norm == pytest.approx(math.hypot(gx, gy))
    assert at.direction == pytest.approx([gx / math.hypot(gx, gy), gy / math.hypot(gx, gy)])
    dd = at.directional_derivative
    assert dd["value"] == pytest.approx((gx + gy) / math.sqrt(2))
    assert "normalised" in dd["note"]
    # the norm is the largest directional derivative: along ∇f itself
    assert at.norm >= dd["value"]
    h = at.hessian
    assert h[0][0] == pytest.approx(2 * 2 - 4 * math.sin(2))
    assert h[0][1] == pytest.approx(h[1][0])
    assert all(row.ok for row in at.check)


def test_parameters_need_values_and_are_held_constant():
    r = gradient("a x^2 + y", "x,y", at="x=2,y=0,a=3")
    assert [g.value for g in r.at.gradient] == pytest.approx([12.0, 1.0])
    with pytest.raises(NablabError, match="no value for a"):
        gradient("a x^2 + y", "x,y", at="x=2,y=0")
    with pytest.raises(NablabError, match="not in the function"):
        gradient("x^2", at="x=1,q=2")


def test_stationary_point_has_no_direction():
    r = gradient("x^2 + y^2", at="x=0,y=0")
    assert r.at.norm == 0 and r.at.direction is None
    assert "stationary" in r.at.notes[0]


def test_bad_inputs_raise_nablab_errors():
    with pytest.raises(NablabError):
        gradient("x^2 +")
    with pytest.raises(NablabError, match="form"):
        gradient("x^2", form="prettiest")
    with pytest.raises(NablabError, match="zero vector"):
        gradient("x^2 + y", at="x=1,y=1", direction="0,0")
    with pytest.raises(NablabError, match="components"):
        gradient("x^2 + y", at="x=1,y=1", direction="1,1,1")
    with pytest.raises(NablabError, match="needs a point"):
        gradient("x^2 + y", direction="1,1")
    with pytest.raises(NablabError, match="sums over data"):
        gradient("sum(y_n - t x_n, n, 1, N)", "t", at="t=1,N=3")
    with pytest.raises(NablabError, match="cannot read the value"):
        gradient("x^2", at="x=__import__('os')")
    with pytest.raises(NablabError):
        gradient("x^2", at="x=nan")


def test_outside_domain_is_refused_with_the_condition():
    with pytest.raises(DomainError, match="x > 0") as info:
        gradient("ln(x) + y", at="x=-1,y=0")
    assert "logarithm" in info.value.hint
    with pytest.raises(DomainError, match="x ≠ 0") as info:
        gradient("|x| + y", at="x=0,y=1")
    assert "not differentiable" in info.value.hint
    with pytest.raises(DomainError, match=r"x ≥ -1 and x ≤ 1"):
        gradient("asin(x)", at="x=2")
    with pytest.raises(DomainError):
        gradient("sqrt(x)", at="x=0")  # f is defined, its partial is not


def test_overflow_is_refused_not_shown_as_inf():
    with pytest.raises(ComputeLimitError):
        gradient("x^999999999", at="x=2")


def test_an_overflow_meeting_a_zero_is_not_called_outside_the_domain():
    # in doubles (x+y+1)^99999 (x-y)^99999 at x = y is inf*0 = NaN; the true value is 0
    f = "(x+y+1)^99999 (x-y)^99999"
    r = gradient(f, at="x=1,y=1", form="derived")
    assert r.at.value.value == 0.0
    assert [g.value for g in r.at.gradient] == [0.0, 0.0]
    with pytest.raises(ComputeLimitError):  # 1.75^99999: really too large for a double
        gradient(f, at="x=1,y=0.5", form="derived")
    with pytest.raises(DomainError):  # and a real NaN is still a domain problem
        gradient("sqrt(x - y)", at="x=0,y=1")


def test_exact_values_skip_huge_powers_but_floats_work():
    r = gradient("x^999999999", at="x=1")
    assert r.at.value.value == 1.0
    assert r.at.gradient[0].value == pytest.approx(999999999.0)


def test_functions_symengine_cannot_evaluate_fall_back_to_sympy():
    r = gradient("atan2(y, x)", at="x=1,y=1")  # SymEngine: "Not Implemented"
    assert r.at.value.value == pytest.approx(math.pi / 4)
    assert [g.value for g in r.at.gradient] == pytest.approx([-0.5, 0.5])  # (-y, x)/(x²+y²)
    assert r.at.check_ok


def test_a_point_may_spell_names_as_the_function_does():
    assert gradient("x_1^2 + x_2^2", at="x_1=1, x_{2}=2").at.value.value == 5.0
    assert gradient("(y - θ_0)^2", at={"theta_0": 1, "y": 3}).at.value.value == 4.0
    assert gradient("(y - theta_0)^2", at="θ₀=1, y=3").at.value.value == 4.0
    with pytest.raises(NablabError, match="not in the function"):
        gradient("x^2", at="z=1")


def test_a_jump_s_delta_is_zero_off_the_jump_in_numbers():
    from nablab.numeric import compile_numpy, numpy_source

    r = gradient("sign(x) y", at="x=2,y=3")
    assert [g.value for g in r.at.gradient] == [0.0, 1.0]
    fn = compile_numpy(r.partials, r.variables)
    values = fn(__import__("numpy").array([-1.0, 0.0, 2.0]), 3.0)
    assert list(values[0][[0, 2]]) == [0.0, 0.0] and math.isnan(values[0][1])
    namespace: dict = {}
    exec(numpy_source(r.partials, r.variables), namespace)  # our own generated code, not input
    assert list(namespace["grad_f"](2.0, 3.0)) == [0.0, 1.0]


def test_a_direction_must_be_finite_and_match_the_variables():
    with pytest.raises(NablabError, match="finite numbers"):
        gradient("x y", at="x=1,y=1", direction="1e400, 1")
    with pytest.raises(NablabError, match="has 1 component but f has 2 variables"):
        gradient("x y", at="x=1,y=1", direction="1")
