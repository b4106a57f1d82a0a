"""MathML and Unicode pretty renderers."""

import sympy

from nablab.render.mathml import to_mathml
from nablab.render.pretty import column, to_pretty

x, y, n, N = sympy.symbols("x y n N")


def test_mathml_is_presentation_markup():
    m = to_mathml(x**2 * y + sympy.sin(x * y), display=True)
    assert m.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">')
    assert "<msup>" in m and "sin" in m


def test_data_is_subscripted():
    Y = sympy.Function("y")
    assert "<msub><mi>y</mi><mi>n</mi></msub>" in to_mathml(sympy.Sum(Y(n), (n, 1, N)))
    assert "yₙ" in to_pretty(sympy.Sum(Y(n), (n, 1, N)))


def test_pretty_column():
    out = column([2 * x * y, sympy.sqrt(y)])
    assert "√y" in out and "⎡" in out and "⎣" in out
