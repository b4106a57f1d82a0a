"""Check my answer: equivalent forms accepted, wrong ones rejected with a counterexample that
really is one, wrong terms of a sum named, bad answer text reported with its column."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy

from nablab.api import check_answer
from nablab.calculus.answer_check import CheckResult
from nablab.errors import NablabError, ParseError
from nablab.render.json import to_json

WORKED = "x^2 y + sin(xy)"


def _value(text: str, point: dict) -> float:
    """Evaluate our own JSON text at a counterexample point (independently of the checker)."""
    expr = sympy.sympify(text)
    subs = {}
    for name, v in point.items():
        if "(" in name:  # data such as y(1)
            subs[sympy.sympify(name)] = v
        else:
            subs[sympy.Symbol(name)] = v
    if expr.has(sympy.Sum):
        expr = expr.xreplace({k: v for k, v in subs.items() if isinstance(k, sympy.Symbol)})
        expr = expr.doit()
    return float(sympy.N(expr.xreplace(subs), 30))


@pytest.mark.parametrize(("function", "var", "answer"), [
    (WORKED, "x", "2xy + y cos(xy)"),
    (WORKED, "x", "y (2x + cos(xy))"),
    (WORKED, "y", "x^2 + x cos(x y)"),
    (WORKED, "y", "x (x + cos(xy))"),
    ("sin(x)^2", "x", "sin(2x)"),                         # trig identity
    ("sin(x) cos(x)", "x", "cos(2x)"),
    ("tan(x)", "x", "sec(x)^2"),
    ("tan(x)", "x", "1/cos(x)^2"),
    ("(x + 1)^3", "x", "3x^2 + 6x + 3"),                  # factored vs expanded
    ("x^3/3 + x^2 + x", "x", "(x + 1)^2"),
    ("ln(x^2)", "x", "2/x"),
    ("sqrt(x)", "x", "1/(2 sqrt(x))"),
    ("exp(2x) y", "x", "2 y e^(2x)"),
    ("sigmoid(x)", "x", "sigmoid(x) (1 - sigmoid(x))"),
    ("softplus(x)", "x", "sigmoid(x)"),
    ("tanh(x)", "x", "1/cosh(x)^2"),
    ("x^x", "x", "x^x (ln(x) + 1)"),
    ("abs(x)", "x", "x/abs(x)"),
    ("log(x, 2)", "x", "1/(x ln(2))"),
])
def test_equivalent_forms_are_accepted(function, var, answer):
    result = check_answer(function, var, answer)
    assert isinstance(result, CheckResult)
    assert result.equivalent, to_json(result)
    d = to_json(result)
    assert d["counterexample"] is None and d["wrong_terms"] == []
    assert d["equivalent"] is True
    assert result.points_checked >= 5


@pytest.mark.parametrize(("function", "var", "answer"), [
    (WORKED, "x", "2xy + x cos(xy)"),
    (WORKED, "x", "2xy - y cos(xy)"),
    (WORKED, "y", "x^2 + cos(xy)"),
    ("sin(x)^2", "x", "cos(2x)"),
    ("(x + 1)^3", "x", "3x^2 + 6x + 1"),
    ("ln(x)", "x", "1/x^2"),
    ("x^x", "x", "x x^(x - 1)"),
    ("abs(x)", "x", "1"),
])
def test_wrong_answers_are_rejected_with_a_real_counterexample(function, var, answer):
    d = to_json(check_answer(function, var, answer))
    assert d["equivalent"] is False
    cex = d["counterexample"]
    assert cex is not None
    # the point is inside the domain and the two values really differ there
    expected = _value(d["expected"]["text"], cex["point"])
    assert math.isclose(expected, cex["expected"], rel_tol=1e-9, abs_tol=1e-12)
    if cex["answer"] is not None:
        assert math.isclose(_value(d["answer"]["text"], cex["point"]), cex["answer"],
                            rel_tol=1e-9, abs_tol=1e-12)
        assert not math.isclose(cex["expected"], cex["answer"], rel_tol=1e-6)


def test_wrong_sign_in_one_term_of_a_sum_is_named():
    d = to_json(check_answer(WORKED, "x", "2xy - y cos(xy)"))
    assert d["equivalent"] is False
    assert d["wrong_terms"] == [{
        "problem": "wrong sign",
        "expected": {"text": "y*cos(x*y)", "latex": r"y \cos{\left(x y \right)}"},
        "answer": {"text": "-y*cos(x*y)", "latex": r"- y \cos{\left(x y \right)}"},
    }]


def test_a_wrong_term_and_a_missing_term_are_named():
    d = to_json(check_answer(WORKED, "x", "x y + y cos(xy)"))
    assert [(t["problem"], t["expected"]["text"], t["answer"]["text"])
            for t in d["wrong_terms"]] == [("wrong", "2*x*y", "x*y")]
    d = to_json(check_answer(WORKED, "x", "2 x y"))
    assert [(t["problem"], t["expected"]["text"], t["answer"]) for t in d["wrong_terms"]] \
        == [("missing", "y*cos(x*y)", None)]
    d = to_json(check_answer(WORKED, "y", "x^2 + x cos(xy) + y"))
    assert [(t["problem"], t["expected"], t["answer"]["text"]) for t in d["wrong_terms"]] \
        == [("unexpected", None, "y")]


def test_the_chapter_mse_partials():
    mse = "(1/N) sum((y_n - (t0 + t1 x_n))^2, n, 1, N)"
    good = check_answer(mse, "t0", "-(2/N) sum(y_n - (t0 + t1 x_n), n, 1, N)")
    assert good.equivalent, to_json(good)
    good = check_answer(mse, "t1", "-(2/N) sum(x_n (y_n - (t0 + t1 x_n)), n, 1, N)")
    assert good.equivalent, to_json(good)
    bad = to_json(check_answer(mse, "t0", "(2/N) sum(y_n - (t0 + t1 x_n), n, 1, N)"))
    assert bad["equivalent"] is False
    cex = bad["counterexample"]
    assert isinstance(cex["point"]["N"], int) and "y(1)" in cex["point"]
    assert math.isclose(cex["answer"], -cex["expected"], rel_tol=1e-9)
    assert math.isclose(_value(bad["expected"]["text"], cex["point"]), cex["expected"],
                        rel_tol=1e-9)


def test_points_are_inside_the_domain():
    # ln(x) and its partial only exist for x > 0; a wrong answer gets a point with x > 0
    d = to_json(check_answer("ln(x) + y", "x", "1/x + 1"))
    assert d["counterexample"]["point"]["x"] > 0
    d = to_json(check_answer("asin(x)", "x", "1/sqrt(1 + x^2)"))
    assert d["equivalent"] is False and abs(d["counterexample"]["point"]["x"]) < 1
    assert check_answer("asin(x)", "x", "1/sqrt(1 - x^2)").equivalent


def test_independent_oracle_agrees_with_the_verdict():
    # the expected partial itself is checked against mpmath's numerical derivative
    d = to_json(check_answer(WORKED, "x", "2xy + y cos(xy)"))
    expected = sympy.lambdify(sympy.symbols("x y"), sympy.sympify(d["expected"]["text"]),
                              "mpmath")
    f = lambda t: t**2 * 2 + mpmath.sin(2 * t)  # noqa: E731 - f(x, 2)
    assert mpmath.almosteq(expected(1.3, 2), mpmath.diff(f, 1.3), 1e-12)


def test_bad_answer_text_raises_the_parsers_error_with_its_column():
    with pytest.raises(ParseError) as info:
        check_answer(WORKED, "x", "2xy + y cos(xy")
    err = info.value
    assert err.message.startswith("in the answer: ")
    assert err.column is not None and 1 <= err.column <= len("2xy + y cos(xy")
    assert err.source == "2xy + y cos(xy"


def test_bad_function_text_and_unknown_variable():
    with pytest.raises(ParseError):
        check_answer("x^2 +", "x", "2x")
    with pytest.raises(NablabError, match="not a variable"):
        check_answer(WORKED, "z", "0")
    with pytest.raises(NablabError, match="cannot differentiate with respect to N"):
        check_answer("(1/N) sum((y_n - t x_n)^2, n, 1, N)", "N", "0")
    with pytest.raises(NablabError, match="does not appear in f"):
        check_answer(WORKED, "x", "2xy + y cos(xy) + q")


def test_huge_input_is_refused_clearly():
    from nablab.errors import ComputeLimitError

    text = "x y"
    for _ in range(10):
        text = f"sin({text}) cos({text}) + x"
    with pytest.raises(ComputeLimitError, match="too large to check"):
        check_answer(text, "x", "1")


def test_accepts_a_parsed_expression_and_variables():
    from nablab.parse import parse

    result = check_answer(parse("a x^2", variables=["x"]), "x", "2 a x")
    assert result.equivalent
    result = check_answer("a x^2", "x", "2 a x", variables="x")
    assert result.equivalent and to_json(result)["expected"]["text"] == "2*a*x"


def test_the_public_facade():
    import nablab

    result = nablab.check_answer("x^2 y + sin(xy)", "y", "x^2 + x cos(xy)", ["x", "y"])
    assert result.equivalent
    assert nablab.check_answer("a x^2", "x", "a x", "x").equivalent is False


MSE_TEXT = "sum((y_n - (t0 + t1 x_n))^2, n, 1, N)/N"


def test_wrong_sign_inside_a_sum_over_data_is_named():
    r = check_answer(MSE_TEXT, "t1", "-(2/N) sum(x_n (y_n - t0 + t1 x_n), n, 1, N)")
    assert not r.equivalent
    assert [t.problem for t in r.wrong_terms] == ["wrong sign"]
    n, N, t1 = sympy.symbols("n N t1")
    x = sympy.Function("x")
    want = 2 * t1 * sympy.Sum(x(n) ** 2, (n, 1, N)) / N
    assert sympy.simplify(r.wrong_terms[0].expected - want) == 0
    assert sympy.simplify(r.wrong_terms[0].answer + want) == 0
    # the counterexample is a real disagreement: recompute both sides from its point
    cex = r.counterexample
    data = {sympy.sympify(k, locals={"N": N}): v for k, v in cex.point.items()}
    vals = {N: data[N], sympy.Symbol("t0"): data[sympy.Symbol("t0")], t1: data[t1]}
    y = sympy.Function("y")
    rows = range(1, int(vals[N]) + 1)
    exp = -2 / vals[N] * sum(data[x(i)] * (data[y(i)] - vals[sympy.Symbol("t0")]
                                           - vals[t1] * data[x(i)]) for i in rows)
    assert abs(float(exp) - cex.expected) < 1e-9 * max(1, abs(cex.expected))
    assert abs(cex.answer - cex.expected) > 1e-3


def test_intercept_partial_with_a_missing_term_inside_the_sum():
    r = check_answer(MSE_TEXT, "t0", "-(2/N) sum(y_n - t1 x_n, n, 1, N)")
    assert not r.equivalent
    problems = {t.problem for t in r.wrong_terms}
    assert problems == {"missing"}
    (missing,) = r.wrong_terms
    t0 = sympy.Symbol("t0")
    assert sympy.simplify(missing.expected - 2 * t0) == 0  # (2/N)·Σ t0 = 2·t0: the count N cancels


def test_right_answers_with_sums_written_differently():
    assert check_answer(MSE_TEXT, "t1", "(2/N) sum(t0 x_n + t1 x_n^2 - x_n y_n, n, 1, N)").equivalent
    assert check_answer(MSE_TEXT, "t0", "2 t0 + (2/N) sum(t1 x_n - y_n, n, 1, N)").equivalent


def test_an_answer_may_keep_its_left_hand_side_as_copied_from_nablab():
    # the page's "Copy text" writes "∂f/∂x = 2·x·y + y·cos(x·y)"
    assert check_answer("x^2 y + sin(xy)", "x", "∂f/∂x = 2·x·y + y·cos(x·y)").equivalent
    assert check_answer("x^2 y + sin(xy)", "y", "df/dy = x^2 + x cos(xy)").equivalent
    assert not check_answer("x^2 y + sin(xy)", "x", "df/dx = 2xy").equivalent
    # written for the other variable: refused, not checked against the wrong partial
    with pytest.raises(NablabError, match="written as ∂f/∂y") as err:
        check_answer("x^2 y + sin(xy)", "x", "∂f/∂y = x^2 + x cos(xy)")
    assert err.value.column == 5
    # an error after the left-hand side points at the right column of what was typed
    with pytest.raises(NablabError) as err:
        check_answer("x^2 y + sin(xy)", "x", "∂f/∂x = 2xy + y cos(xy")
    assert err.value.column == 20 and "column 20" in err.value.message
