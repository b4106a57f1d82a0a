"""Limits: big legitimate inputs pass, and each documented limit sits exactly where
``nablab.parse.limits`` says it does."""

from __future__ import annotations

import time

import pytest
import sympy

import nablab
from nablab.errors import LimitError
from nablab.parse import limits
from nablab.printing.text import to_text


def rosenbrock_text(n: int) -> str:
    return " + ".join(f"100(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))


def test_rosenbrock_1000_written_out_in_full():
    text = rosenbrock_text(1000)
    assert 35_000 < len(text) < limits.MAX_INPUT_CHARS
    e = nablab.parse(text)
    assert e.variable_names == [f"x{i}" for i in range(1, 1001)]  # natural order
    xs = [None, *(sympy.Symbol(f"x{i}") for i in range(1, 1001))]
    expected = {100 * (xs[i + 1] - xs[i] ** 2) ** 2 for i in range(1, 1000)}
    expected |= {(1 - xs[i]) ** 2 for i in range(1, 1000)}
    assert set(e.expr.args) == expected


def test_twenty_thousand_terms_are_built_flat():
    text = " + ".join(f"x{i}" for i in range(1, 20_001))
    e = nablab.parse(text)
    assert len(e.expr.args) == 20_000
    assert e.variable_names[-1] == "x20000"
    assert sympy.sympify(to_text(e.expr)) == e.expr  # no recursion problem printing it either


def test_long_alternating_sum_and_long_product():
    e = nablab.parse("x" + " - x + y" * 10_000)
    assert e.expr == 10_000 * sympy.Symbol("y") + sympy.Symbol("x") * (1 - 10_000)
    e = nablab.parse(" ".join(f"x{i}" for i in range(1, 5001)))
    assert len(e.expr.args) == 5000


def test_numbers_up_to_the_digit_limit():
    ok = "9" * limits.MAX_DIGITS
    assert nablab.parse(ok).expr == sympy.Integer(ok)
    with pytest.raises(LimitError):
        nablab.parse(ok + "9")


def test_nesting_up_to_the_depth_limit():
    # each bracket level is one level of depth, and the whole expression is one more
    deep = limits.MAX_DEPTH - 1
    assert nablab.parse("(" * deep + "x" + ")" * deep).expr == sympy.Symbol("x")
    with pytest.raises(LimitError):
        nablab.parse("(" * (deep + 1) + "x" + ")" * (deep + 1))
    with pytest.raises(LimitError):
        nablab.parse("(" * (limits.MAX_DEPTH + 1) + "x" + ")" * (limits.MAX_DEPTH + 1))


def test_magnitude_limit_on_numbers():
    assert nablab.parse("2^900").expr == sympy.Integer(2) ** 900
    assert nablab.parse("10^299").expr == sympy.Integer(10) ** 299
    assert nablab.parse("(1/2)^900").expr == sympy.Rational(1, 2**900)
    for text in ("2^1000", "10^301", "(10^200)^2", "(1/2)^1000", "9^(9^3)"):
        with pytest.raises(LimitError, match="too large"):
            nablab.parse(text)


def test_hyperbolic_towers_of_numbers_are_size_checked():
    """cosh u and sinh u grow as e^|u|: a tower of them on a number is refused like exp's,
    with the column of the function that overflows (found by ./dev fuzz: SymPy's evalf raised
    OverflowError, a traceback, on the sec(2cosh(sinh(…))) chain)."""
    assert nablab.parse("cosh(2cosh(5))").expr == sympy.cosh(2 * sympy.cosh(5))
    assert nablab.parse("sech(cosh(cosh(10)))").expr.is_number  # tiny, not too large
    for text, column in (("cosh(1000)", 1), ("sinh(cosh(cosh(10)))", 1),
                         ("sec(2cosh(sinh(2cosh(2cosh(2sec(2))))))", 17),
                         ("x + tanh(cosh(cosh(cosh(10))))", 10)):
        with pytest.raises(LimitError, match="this number is too large") as err:
            nablab.parse(text)
        assert err.value.column == column, text


def test_powers_of_products_with_numbers_are_size_checked():
    x = sympy.Symbol("x")
    assert nablab.parse("(2x)^900").expr == 2**900 * x**900
    for text in ("(2x)^999999999", "(3 x y)^(10^8)", "(x/2)^5000"):
        start = time.perf_counter()
        with pytest.raises(LimitError, match="too large"):
            nablab.parse(text)
        assert time.perf_counter() - start < 0.25, text


def test_symbolic_powers_up_to_the_exponent_limit():
    x = sympy.Symbol("x")
    assert nablab.parse("x^999999999").expr == x**999999999
    assert nablab.parse("x^-999999999").expr == x**-999999999
    with pytest.raises(LimitError):
        nablab.parse(f"x^{limits.MAX_EXPONENT + 1}")


def test_scientific_notation_range():
    for text in ("1e300", "1e-300", "-2.5e-300"):
        e = nablab.parse(text).expr
        assert e == sympy.Float(text, 15)
        assert sympy.sympify(to_text(e)) == e
    for text in ("1e301", "1e-301", "1e1000000", "1e99999999999"):
        with pytest.raises(LimitError):
            nablab.parse(text)


def test_rounded_decimals_warn():
    e = nablab.parse("3.14159265358979323846 x")
    assert any("rounded" in w.message for w in e.warnings)
    assert sympy.sympify(to_text(e.expr)) == e.expr
    # computed floats (0.1·3 is not the double nearest 0.3) read back exactly too
    e = nablab.parse("0.1*3 + 0.2 x")
    assert sympy.sympify(to_text(e.expr)) == e.expr


def test_name_length_limit():
    ok = "velocity" * (limits.MAX_NAME_LENGTH // 8)
    assert nablab.parse(ok).variable_names == [ok]
    with pytest.raises(LimitError):
        nablab.parse(ok + "q")


def test_token_limit():
    text = "+".join(["1"] * (limits.MAX_TOKENS // 2 + 1))
    assert len(text) < limits.MAX_INPUT_CHARS
    with pytest.raises(LimitError, match="tokens"):
        nablab.parse(text)


def test_hostile_numbers_are_refused_in_milliseconds():
    nablab.parse("2^3")
    for text in ("9^9^9^9", "((9^9)^9999)^9999", "10^10^10", "1" * 100_000, "1e1000000",
                 "(" * 5000 + "x" + ")" * 5000, "2^2^2^2^2^2^2", "(7/3)^(10^10)",
                 "exp(exp(exp(10)))", "e^(e^(e^10))", "sqrt(2)^(2^2^2^2^2)"):
        start = time.perf_counter()
        with pytest.raises(LimitError):
            nablab.parse(text)
        assert time.perf_counter() - start < 0.25, text


def test_chapter_example_parses_well_under_a_millisecond():
    text = "x^2 y + sin(xy)"
    nablab.parse(text)
    best = min(_timed(text) for _ in range(50))
    assert best < 1e-3, best


def _timed(text: str) -> float:
    start = time.perf_counter()
    nablab.parse(text)
    return time.perf_counter() - start
