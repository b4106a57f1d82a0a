"""Rich display of every result object (issue 12 item 2): the MIME bundle a notebook shows.

Each result's ``_repr_mimebundle_`` goes through nablab.display to the builders of
render/html.py; the bundle carries HTML with MathML (offline), plain text for terminals, and
LaTeX/Markdown where the result is mathematical. Values are checked against the numbers they
must show, not against the renderer's own output.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sympy

import nablab
from nablab import display
from nablab.render.html import mime_bundle, to_html
from nablab.render.mathml import to_mathml

x, y = sympy.symbols("x y")
CHAPTER = "x^2 y + sin(xy)"
HOUSES = Path(__file__).resolve().parents[2] / "examples" / "houses.csv"
VOID = {"br", "hr", "img", "input", "meta", "link", "col", "wbr"}


class _Balance(HTMLParser):
    """Fails on a closing tag that does not close the innermost open one."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def assert_well_formed(markup: str) -> None:
    parser = _Balance()
    parser.feed(markup)
    parser.close()
    assert parser.stack == [], f"unclosed: {parser.stack}"


def assert_offline(markup: str) -> None:
    """Nothing is fetched: no scripts, no links, no addresses but the MathML namespace."""
    assert "<script" not in markup and "<link" not in markup and "<img" not in markup
    addresses = set(re.findall(r"https?://[^\s\"'<>]+", markup))
    assert addresses <= {"http://www.w3.org/1998/Math/MathML"}


@pytest.fixture(scope="module")
def chapter():
    return nablab.gradient(CHAPTER, at="x=1,y=2", steps=True)


def test_gradient_bundle_has_every_format(chapter):
    bundle = chapter._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain", "text/latex", "text/markdown"}
    assert bundle == mime_bundle(chapter)
    assert_well_formed(bundle["text/html"])
    assert_offline(bundle["text/html"])


def test_gradient_html_has_each_partial_as_mathml(chapter):
    html = to_html(chapter)
    assert chapter.partials == [2 * x * y + y * sympy.cos(x * y), x**2 + x * sympy.cos(x * y)]
    for p in chapter.partials:
        assert to_mathml(p) in html
    # ∂f/∂x typeset as a fraction, not as a name
    assert "<mfrac><mrow><mo>∂</mo><mi>f</mi></mrow><mrow><mo>∂</mo><mi>x</mi></mrow></mfrac>" \
        in html


def test_gradient_is_a_column(chapter):
    html = to_html(chapter)
    section = html[html.index("<h4>gradient</h4>"):html.index("<h4>domain") if "<h4>domain"
                   in html else html.index("domain:")]
    column = re.search(r"<mtable>(.*?)</mtable>", section).group(1)
    rows = re.findall(r"<mtr>(.*?)</mtr>", column)
    assert len(rows) == 2 and all(r.count("<mtd>") == 1 for r in rows)


def test_gradient_plain_text_is_the_reading(chapter):
    text = chapter._repr_mimebundle_()["text/plain"]
    lines = text.splitlines()
    assert lines[0] == "f(x, y) = x^2·y + sin(x·y)"
    assert "∂f/∂x = 2·x·y + y·cos(x·y)" in lines
    assert "∂f/∂y = x^2 + x·cos(x·y)" in lines
    assert "domain: all real numbers" in lines
    assert "<" not in text  # no markup for a terminal


def test_point_table_shows_the_true_values(chapter):
    fx, fy = 4 + 2 * math.cos(2), 1 + math.cos(2)  # ∂f/∂x, ∂f/∂y at (1, 2) by hand
    html, text = to_html(chapter), chapter._repr_mimebundle_()["text/plain"]
    for v in (fx, fy, 2 + math.sin(2), math.hypot(fx, fy)):
        assert format(v, ".12g") in html
        assert format(v, ".12g") in text
    assert html.count('<span class="ok">ok</span>') == 2
    # the exact values typeset
    assert to_mathml(2 * sympy.cos(2) + 4) in html


def test_point_result_alone(chapter):
    bundle = chapter.at._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    assert bundle["text/plain"].startswith("at (x = 1, y = 2): f = 2.90929742683")
    assert format(4 + 2 * math.cos(2), ".12g") in bundle["text/html"]
    assert_well_formed(bundle["text/html"])


def test_steps_are_collapsible_sections(chapter):
    html = to_html(chapter)
    summaries = re.findall(r"<details><summary>(.*?)</summary>", html)
    assert summaries == ["∂f/∂x step by step", "∂f/∂y step by step", "∇f assembled"]
    assert "chain rule" in html and "power rule" in html
    assert "- **sum rule**" in chapter._repr_mimebundle_()["text/markdown"]


def test_step_objects_display_themselves(chapter):
    steps = chapter.steps
    b = steps._repr_mimebundle_()
    assert set(b) == {"text/html", "text/plain", "text/markdown"}
    assert b["text/plain"].startswith("∂f/∂x, treating y as a constant")
    assert b["text/html"].count("<details>") == 3
    node = steps["y"]._repr_mimebundle_()
    assert "<details open>" in node["text/html"]
    assert node["text/plain"].splitlines()[-1].strip() == "so ∂f/∂y = x^2 + x·cos(x·y)"
    assert_well_formed(node["text/html"])


def test_gradient_latex_for_mathjax(chapter):
    latex = chapter._repr_mimebundle_()["text/latex"]
    assert latex.startswith("$$") and latex.endswith("$$")
    assert r"\frac{\partial f}{\partial x} &= 2 x y + y \cos{\left(x y \right)}" in latex
    assert r"\nabla f &= \left[\begin{matrix}" in latex


def test_domain_and_hessian_are_shown():
    r = nablab.gradient("log(x) + 1/(x - y)", hessian=True)
    html, text = to_html(r), r._repr_mimebundle_()["text/plain"]
    assert "<h4>Hessian</h4>" in html and "<h4>domain over the reals</h4>" in html
    assert "x > 0" in text and "x - y ≠ 0" in text
    h = sympy.Matrix(r.hessian)
    assert to_mathml(h) in html
    assert_well_formed(html)


def test_parse_result_bundle():
    e = nablab.parse("theta_0 + a x^2", "theta_0, x")
    b = e._repr_mimebundle_()
    assert set(b) == {"text/html", "text/plain", "text/latex", "text/markdown"}
    assert b["text/plain"].splitlines()[0] == "f(theta0, x) = a·x^2 + theta0"
    assert "parameters (held constant): a" in b["text/plain"]
    assert b["text/latex"] == r"$$f(\theta_{0}, x) = a x^{2} + \theta_{0}$$"
    assert "<msub><mi>&#952;</mi><mi>0</mi></msub>" in b["text/html"]
    assert_offline(b["text/html"])


def test_parse_warning_is_shown():
    b = nablab.parse("x(y+1)")._repr_mimebundle_()
    assert "not a function" in b["text/plain"]
    assert 'class="note"' in b["text/html"]


def test_check_result_bundle():
    right = nablab.check_answer(CHAPTER, "x", "y(2x + cos(xy))")
    b = right._repr_mimebundle_()
    assert set(b) == {"text/html", "text/plain", "text/latex", "text/markdown"}
    assert b["text/plain"].startswith("y·(2·x + cos(x·y)) equals ∂f/∂x")
    assert '<span class="ok">equals</span>' in b["text/html"]
    wrong = nablab.check_answer(CHAPTER, "x", "2xy - y cos(xy)")
    w = wrong._repr_mimebundle_()
    assert '<span class="bad">does not equal</span>' in w["text/html"]
    assert r"\ne" in w["text/latex"]
    cex = wrong.counterexample
    assert format(cex.expected, ".12g") in w["text/plain"]
    assert "wrong sign" in w["text/plain"]


def test_descent_bundle():
    r = nablab.descent("x^2 + 10y^2", {"x": 1, "y": 1}, 0.05)
    b = r._repr_mimebundle_()
    assert set(b) == {"text/html", "text/plain"}
    assert b["text/plain"].startswith(f"descent (gd, rate 0.05): converged after {r.steps} steps")
    html = b["text/html"]
    assert "<td>0</td><td>1</td><td>1</td><td>11</td>" in html  # the start: f(1, 1) = 11
    assert to_mathml(2 * x) in html and to_mathml(20 * y) in html
    assert_well_formed(html)


def test_several_runs_bundle():
    runs = nablab.descent("x^2 + y^2", "x=1,y=1", 0.1, method="gd,adam")
    b = runs._repr_mimebundle_()
    assert re.findall(r"<summary>(.*?)</summary>", b["text/html"]) == ["gd", "adam"]
    assert [line.split(",")[0] for line in b["text/plain"].splitlines()] == \
        ["descent (gd", "descent (adam"]


def test_regression_bundle():
    r = nablab.regress(str(HOUSES), "size,rooms", "price", scale=True)
    b = r._repr_mimebundle_()
    assert set(b) == {"text/html", "text/plain"}
    for t in r.theta:
        assert format(t, ".10g") in b["text/html"]
    assert b["text/plain"].startswith("regression price ~ size, rooms: θ = (56.42555")
    assert "partials of the MSE" in b["text/html"]
    assert_well_formed(b["text/html"])


def test_include_and_exclude(chapter):
    assert set(chapter._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert "text/html" not in chapter._repr_mimebundle_(exclude=["text/html"])


def test_ipython_uses_the_bundle(chapter):
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(chapter)
    assert data["text/plain"] == chapter._repr_mimebundle_()["text/plain"]
    assert "<math" in data["text/html"]


def test_a_type_without_builder_falls_back_to_repr():
    class Other(display.RichDisplay):
        pass

    assert Other()._repr_mimebundle_() is None
    with pytest.raises(TypeError, match="no rich display for Other"):
        mime_bundle(Other())


def test_registry_finds_a_builder_through_the_mro():
    class Base(display.RichDisplay):
        pass

    class Child(Base):
        pass

    display.register(Base)(lambda obj: {"text/plain": type(obj).__name__})
    assert Child()._repr_mimebundle_() == {"text/plain": "Child"}


def test_import_nablab_does_not_load_the_renderers():
    code = ("import sys, nablab\n"
            "assert 'nablab.render.html' not in sys.modules\n"
            "r = nablab.parse('x*y')\n"
            "assert 'nablab.render.html' not in sys.modules\n"
            "assert '<math' in r._repr_mimebundle_()['text/html']\n"
            "assert 'nablab.render.html' in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
