"""``nablab.parse.values``: the one reader of values typed by users. Messages are the ones the
callers gave before (calculus.point, steps, optimize, CLI, web), word for word."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

from nablab.errors import NablabError, ParseError
from nablab.parse import values as V

x = sympy.Symbol("x")


def test_values_are_exact_and_read_by_the_grammar():
    assert V.read_value("1/3", "x") == sympy.Rational(1, 3)
    assert V.read_value(0.1, "x") == sympy.Rational(1, 10)
    assert V.read_value(2, "x") == 2
    assert V.read_value("pi/2", "x") == sympy.pi / 2
    assert V.read_value("sqrt(2)/2", "x") == sympy.sqrt(2) / 2
    assert V.read_value("-2e-3", "x") == sympy.Rational(-2, 1000)
    assert V.read_value(sympy.pi, "x") == sympy.pi


@pytest.mark.parametrize(("value", "message"), [
    (True, "value for x must be a number, got True"),
    (float("inf"), "value for x is not finite: inf"),
    ([1], "value for x must be a number, got list"),
    ("y", "the value 'y' for x is not a real number"),
    ("ln(-2)", "cannot read the value 'ln(-2)' for x: this is not a real number"),
    ("1/0", "cannot read the value '1/0' for x: this gives division by zero"),
    ("2 +", "cannot read the value '2 +' for x: the input ends too early: something is missing "
            "after '+'"),
])
def test_bad_values_keep_their_messages(value, message):
    with pytest.raises(NablabError) as err:
        V.read_value(value, "x")
    assert err.value.message == message


def test_points_from_text_dicts_and_lists():
    assert V.read_point("x=1,y=2/3") == {"x": 1, "y": sympy.Rational(2, 3)}
    assert V.read_point(" x = pi/2 , y=0.5 ") == {"x": sympy.pi / 2, "y": sympy.Rational(1, 2)}
    assert V.read_point({"x_1": 1, "θ₀": "2"}) == {"x1": 1, "theta0": 2}
    assert V.read_point([1, "1/2"], ["x", "y"]) == {"x": 1, "y": sympy.Rational(1, 2)}
    assert V.parse_point is V.read_point  # the name calculus.point uses: a one-line switch
    with pytest.raises(NablabError, match=r"^expected name=value, got 'y'$"):
        V.read_point("x=1,y")
    with pytest.raises(NablabError, match=r"^the point must be name=value pairs$"):
        V.read_point([1, 2])
    with pytest.raises(NablabError, match=r"f has 2 variables \(x, y\) but the point has 1"):
        V.read_point([1], ["x", "y"])


def test_directions():
    assert V.read_direction("1,1", 2) == [1.0, 1.0]
    assert V.read_direction("1; -2 3", 3) == [1.0, -2.0, 3.0]
    assert V.read_direction(["pi", 0], 2) == [pytest.approx(3.14159265), 0.0]
    with pytest.raises(NablabError, match=r"^the direction has 1 component but f has 2 variables$"):
        V.read_direction("1", 2)
    with pytest.raises(NablabError, match="zero vector"):
        V.read_direction("0,0", 2)


def test_point_values_for_worked_steps():
    got = V.point_values({"x": "pi", "y": 2, "z": Fraction(1, 2)}, ["y", "x", "z"])
    assert got == [("y", 2), ("x", sympy.pi), ("z", sympy.Rational(1, 2))]
    with pytest.raises(NablabError, match=r"^the point gives no value for y$"):
        V.point_values({"x": 1}, ["x", "y"])
    with pytest.raises(NablabError, match=r"^the value of x must be a number, got 'y'$"):
        V.point_values({"x": "y"}, ["x"])
    with pytest.raises(NablabError, match="finite real number"):
        V.point_values({"x": float("nan")}, ["x"])


def test_floats_and_start_points():
    assert V.read_float("the rate", "0.1", "value") == 0.1
    assert V.read_float("x", np.float32(0.5), "starting value") == 0.5
    assert V.read_float("x", np.int64(3), "starting value") == 3.0
    with pytest.raises(ParseError, match=r"^starting value for x is not a number: 'pi'$"):
        V.read_float("x", "pi", "starting value")
    with pytest.raises(ParseError, match="must be finite"):
        V.read_float("x", "inf", "starting value")
    assert V.read_start({"x_1": 1, "y": "2"}, ["x1", "y"]) == [1.0, 2.0]
    assert V.read_start("y=2, x1=1", ["x1", "y"]) == [1.0, 2.0]
    assert V.read_start([1, 2], ["x", "y"]) == [1.0, 2.0]
    assert V.read_start("1 2", ["x", "y"]) == [1.0, 2.0]
    with pytest.raises(NablabError, match=r"^z is not a variable of f \(variables: x, y\)$"):
        V.read_start({"z": 1}, ["x", "y"])
    with pytest.raises(NablabError, match=r"^no starting value for y$"):
        V.read_start({"x": 1}, ["x", "y"])
    with pytest.raises(NablabError, match=r"f has 2 variables \(x, y\) but the start point has 3"):
        V.read_start([1, 2, 3], ["x", "y"])


def test_assignments_and_names():
    assert V.read_assignments("x=1, y=pi/2", "--at") == {"x": "1", "y": "pi/2"}
    with pytest.raises(NablabError, match=r"^--at expects name=value pairs, got 'x'$"):
        V.read_assignments("x", "--at")
    with pytest.raises(NablabError, match=r"^--at: empty name or value in 'x='$"):
        V.read_assignments("x=", "--at")
    assert V.split_names("x, y z") == ["x", "y", "z"]
    assert V.split_names(["x", " "]) == ["x"]
    assert V.split_names("") is None
    assert V.read_variables("θ_0, x_1") == ["theta0", "x1"]
    with pytest.raises(NablabError, match="declared twice"):
        V.read_variables("x, x")
