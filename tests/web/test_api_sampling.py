"""nablab.sampling (the core behind /api/plot) without a server: values against NumPy written
out by hand, nulls outside the domain, bounds."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy

from nablab.errors import LimitError, NablabError
from nablab.expression import Expression
from nablab.render.json import to_json
from nablab.sampling import MAX_N, sample

x, y, z, a = sympy.symbols("x y z a")


def expr(e, variables, parameters=()):
    return Expression(str(e), e, tuple(variables), tuple(parameters))


def test_grid_layout_and_values():
    g = to_json(sample(expr(x**2 * y + sympy.sin(x * y), (x, y)), x_range=(-1, 2), y_range=(0, 3),
               n=4, arrows=2))
    assert g["x"] == [-1.0, 0.0, 1.0, 2.0] and g["y"] == [0.0, 1.0, 2.0, 3.0]
    for i, yv in enumerate(g["y"]):
        for j, xv in enumerate(g["x"]):
            assert g["z"][i][j] == pytest.approx(xv**2 * yv + math.sin(xv * yv), abs=1e-14)
    assert g["arrows"]["u"][1][0] == pytest.approx(2 * -1 * 3 + 3 * math.cos(-3))
    assert g["arrows"]["v"][1][0] == pytest.approx(1 + -1 * math.cos(-3))


def test_complex_and_infinite_values_are_null_and_json_is_strict():
    g = to_json(sample(expr(sympy.sqrt(x) + 1 / y, (x, y)), x_range=(-1, 1), y_range=(-1, 1),
               n=3, arrows=3))
    assert g["z"][0][0] is None and g["z"][1][2] is None  # sqrt(-1); 1/0
    assert g["z"][2][2] == pytest.approx(2.0)
    text = json.dumps(g, allow_nan=False)  # raises on NaN or infinity
    assert "NaN" not in text


def test_constant_function_and_zero_gradient():
    g = to_json(sample(expr(sympy.Integer(7), (x, y)), n=2, arrows=2))
    assert g["z"] == [[7.0, 7.0], [7.0, 7.0]] and g["arrows"]["max_norm"] == 0.0


def test_slice_of_three_variables_with_a_parameter():
    g = sample(expr(a * x + y * z, (x, y, z), (a,)), x_var="z", y_var="x",
               fixed={"y": 2, "a": 3}, x_range=(0, 1), y_range=(0, 1), n=2, arrows=0)
    assert g.x_var == "z" and g.y_var == "x"
    np.testing.assert_allclose(np.array(g.z), [[0, 2], [3, 5]])  # rows: x = 0, 1; cols: z


def test_one_variable_curve():
    g = sample(expr(sympy.Abs(x), (x,)), n=3, arrows=3)
    assert g.y is None and g.z == [3.0, 0.0, 3.0] and g.arrows["u"] == [-1.0, 0.0, 1.0]


@pytest.mark.parametrize(("kwargs", "error", "needle"), [
    ({"n": MAX_N + 1}, LimitError, "between 2 and"),
    ({"arrows": 99}, LimitError, "arrow grid"),
    ({"x_range": (1, 0)}, NablabError, "low < high"),
    ({"x_range": (0, math.inf)}, LimitError, "finite"),
    ({"x_var": "q"}, NablabError, "not a variable"),
    ({"x_var": "x", "y_var": "x"}, NablabError, "two different"),
    ({"fixed": {"w": 1}}, NablabError, "no other variable"),
])
def test_bad_requests_raise_nablab_errors(kwargs, error, needle):
    with pytest.raises(error, match=needle):
        sample(expr(x * y, (x, y)), **kwargs)


def test_missing_values_and_sums_over_data():
    with pytest.raises(NablabError, match="give a value for a"):
        sample(expr(a * x * y, (x, y), (a,)))
    n, big_n = sympy.symbols("n N")
    mse = sympy.Sum((sympy.Function("y")(n) - x) ** 2, (n, 1, big_n)) / big_n
    with pytest.raises(NablabError, match="sums over data"):
        sample(expr(mse, (x,), (big_n,)), fixed={"N": 3})
