"""MathML and Unicode pretty renderers."""

import sympy

from nablab.render.latex import to_latex
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


def test_large_expressions_are_written_on_one_line_not_drawn():
    """SymPy's 2-D layout takes minutes on a 5 000-node partial."""
    import time

    from nablab.printing.text import to_echo
    from nablab.render.pretty import PRETTY_MAX_NODES

    e = sympy.Add(*[sympy.sin(k * x * y) / (x + k) for k in range(1, PRETTY_MAX_NODES // 4)])
    t0 = time.perf_counter()
    assert to_pretty(e) == to_echo(e)
    assert column([e, x]) == f"[{to_echo(e)}]\n[x]"
    assert time.perf_counter() - t0 < 2
    assert "⎡" in column([x, y])  # small ones are still drawn


def test_remembered_renderings_tell_apart_expressions_that_only_look_alike():
    """The renderers memoise by expression: a Float's precision, a Symbol's assumptions and a
    mutable matrix must not share an entry with something merely equal-looking."""
    from nablab.printing.text import to_text

    z = sympy.Symbol("z")
    low, high = sympy.Float("0.1", 15) * z, sympy.Float("0.1", 30) * z
    assert to_text(low) != to_text(high)
    assert to_text(low) == to_text(sympy.Float("0.1", 15) * z)  # the remembered one
    assert to_latex(sympy.Symbol("z", positive=True) ** 2) == to_latex(z**2) == "z^{2}"
    m = sympy.Matrix([[z]])
    before = to_latex(m)
    m[0, 0] = z + 1  # mutable: printed afresh, never remembered
    assert to_latex(m) != before and "z + 1" in to_latex(m)
    assert to_mathml(z) == to_mathml(z) and 'display="block"' in to_mathml(z, True)
