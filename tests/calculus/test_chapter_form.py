"""The MSE partials read as the chapter writes them, in every renderer, while the text still
reads back (round 2, known item 1)."""

import sympy

import nablab
from nablab.printing.text import to_echo, to_text
from nablab.render.latex import to_latex
from nablab.render.pretty import to_pretty

MSE = "(1/N) sum((y_n - (t0 + t1 x_n))^2, n, 1, N)"
MSE_LATEX = r"\frac{1}{N}\sum_{n=1}^{N}(y_n - (\theta_0 + \theta_1 x_n))^2"


def test_latex_has_the_constant_in_front_and_data_minus_prediction():
    r = nablab.gradient(MSE_LATEX)
    d0, d1 = (to_latex(p) for p in r.partials)
    assert d0 == r"- \frac{2}{N} \sum_{n=1}^{N} \left(y_{n} - \theta_{0} - \theta_{1} x_{n}\right)"
    assert d1 == (r"- \frac{2}{N} \sum_{n=1}^{N} x_{n} "
                  r"\left(y_{n} - \theta_{0} - \theta_{1} x_{n}\right)")
    assert to_latex(r.expression.expr) == (
        r"\frac{1}{N} \sum_{n=1}^{N} \left(y_{n} - \theta_{0} - \theta_{1} x_{n}\right)^{2}")


def test_echo_reads_like_the_chapter_and_back_through_our_parser():
    r = nablab.gradient(MSE)
    echoes = [to_echo(p) for p in r.partials]
    assert echoes == ["-(2/N)·sum(y_n - t0 - t1·x_n, n, 1, N)",
                      "-(2/N)·sum(x_n·(y_n - t0 - t1·x_n), n, 1, N)"]
    assert to_echo(r.expression.expr) == "(1/N)·sum((y_n - t0 - t1·x_n)^2, n, 1, N)"
    for p, echo in zip(r.partials, echoes, strict=True):
        assert nablab.parse(echo, "t0,t1").expr == p


def test_pretty_has_the_fraction_before_the_sigma():
    r = nablab.gradient(MSE)
    art = to_pretty(r.partials[1]).splitlines()
    middle = next(line for line in art if "╱" in line and "x" in line)
    assert middle.index("xₙ⋅(yₙ - t₀ - t₁⋅xₙ)") > 0
    fraction = next(line for line in art if "───" in line)
    assert fraction.index("───") < fraction.index("╱")  # -2/N is drawn left of the Σ


def test_text_still_round_trips_exactly():
    r = nablab.gradient(MSE)
    for p in [r.expression.expr, *r.partials]:
        assert sympy.srepr(sympy.sympify(to_text(p))) == sympy.srepr(p)


def test_arrangement_leaves_functions_without_data_alone():
    x, y = sympy.symbols("x y")
    assert to_echo(y - x) == "-x + y"
    assert to_latex(2 * sympy.Sum(x**y, (y, 1, 3)) / 3) == r"\frac{2}{3} \sum_{y=1}^{3} x^{y}"
    assert to_latex((x + 1) * y) == r"y \left(x + 1\right)"


def test_mathml_has_the_same_arrangement():
    from nablab.render.mathml import to_mathml

    m = to_mathml(nablab.gradient(MSE).partials[1])
    fraction = m.index("<mfrac><mn>2</mn><mi>N</mi></mfrac>")
    assert m.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"><mrow><mo>-</mo>')
    assert fraction < m.index("&#x2211;") < m.index("<msub><mi>x</mi><mi>n</mi></msub>")
    residual = m[m.index("<msub><mi>y</mi><mi>n</mi></msub>"):]
    assert residual.index("<mo>-</mo><msub><mi>t</mi><mi>0</mi></msub>") < residual.index("t</mi><mi>1")
