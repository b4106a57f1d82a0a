"""The page in a real browser: typing, rendered partials, error marks, clicking the plot, permalinks.

Values on screen are checked against independent references: the partials by SymPy
differentiation of the hand-written function and by mpmath numerical differentiation, the
clicked point by the plot's own pixel geometry.
"""

from __future__ import annotations

import re

import mpmath
import pytest
import sympy
from page_helpers import (
    contour_box,
    open_page,
    plot_data,
    table_value,
    type_function,
    wait_for_partials,
    wait_for_point,
    wait_ready,
)

pytestmark = pytest.mark.browser

X, Y = sympy.symbols("x y")
CHAPTER = X**2 * Y + sympy.sin(X * Y)


def chapter_f(x, y):
    return x**2 * y + mpmath.sin(x * y)


def numeric_gradient(x: float, y: float) -> tuple[float, float]:
    """∇f by mpmath's numerical differentiation: independent of nablab's symbolic work."""
    return (float(mpmath.diff(lambda t: chapter_f(t, y), x)), float(mpmath.diff(lambda t: chapter_f(x, t), y)))


def numbers(text: str) -> list[float]:
    return [float(s) for s in re.findall(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", text)]


def test_typing_the_chapter_example_renders_both_partials(app):
    page = app.page
    type_function(page, "x^2 y + sin(xy)", "")
    wait_for_partials(page)
    page.wait_for_function("() => document.querySelector('#preview .katex') !== null")
    items = page.locator("#partials li")
    assert items.count() == 2
    for var, sym in (("x", X), ("y", Y)):
        item = page.locator(f"#partials li[data-var='{var}']")
        shown = sympy.sympify(item.get_attribute("data-text"), locals={"x": X, "y": Y})
        assert sympy.simplify(shown - sympy.diff(CHAPTER, sym)) == 0
        # typeset by KaTeX with MathML for screen readers, and the TeX says what it shows
        assert item.locator(".katex-mathml math").count() == 1
        tex = item.locator("annotation[encoding='application/x-tex']").text_content()
        assert "\\cos" in tex and "\\partial" in tex
    gradient_tex = page.locator("#gradient annotation[encoding='application/x-tex']").text_content()
    assert "\\nabla" in gradient_tex and "bmatrix" in gradient_tex  # ∇f as a column
    # the reading's preview shows the function
    assert "\\sin" in page.locator("#preview annotation[encoding='application/x-tex']").text_content()
    app.assert_clean()


def test_steps_per_partial_are_collapsible_and_revealed_step_by_step(app):
    page = app.page
    details = page.locator("#steps details[data-var='x']")
    details.locator("summary").click()
    total = details.locator("li.step").count()
    assert total >= 2
    assert details.locator("li.step:visible").count() == 1
    details.locator(".step-next").click()
    assert details.locator("li.step:visible").count() == 2
    details.locator(".step-all").click()
    assert details.locator("li.step:visible").count() == total
    # it starts by holding y constant, names the chain rule with its substitution, ends by simplifying
    steps = details.locator("li.step")
    assert "y" in steps.first.locator(".constants").inner_text()
    assert details.locator("li.step[data-rule='chain'] .substitution").count() == 1
    assert steps.nth(total - 1).get_attribute("data-rule") == "simplify"
    # the other partial's steps are there too, still collapsed
    assert page.locator("#steps details[data-var='y']:not([open])").count() == 1
    app.assert_clean()


def test_a_typo_marks_the_column_and_keeps_the_last_good_result(app):
    page = app.page
    before = page.locator("#partials li[data-var='x']").get_attribute("data-text")
    type_function(page, "x^2 y + sin(xy))", "x, y")
    page.wait_for_selector("#fn[aria-invalid='true'][data-error-column]")
    column = int(page.get_attribute("#fn", "data-error-column"))
    assert column == 16  # the stray ')' (1-based)
    assert page.inner_text("#fn-mark .err-char") == ")"
    status = page.inner_text("#input-status")
    assert "column 16" in status and ")" in status
    # the last good result stays, marked as such
    assert page.is_visible("#results-stale")
    assert page.locator("#partials li[data-var='x']").get_attribute("data-text") == before
    # fixing it clears the mark
    page.press("#fn", "Backspace")
    page.wait_for_selector("#fn:not([aria-invalid])")
    assert page.locator("#fn-mark .err-char").count() == 0


def test_clicking_the_contour_plot_sets_the_point_and_updates_the_table(app):
    page = app.page
    wait_for_point(page)
    box = contour_box(page)
    traces = plot_data(page, "#contour")
    contour = next(t for t in traces if t["type"] == "contour")
    (x_lo, x_hi), (y_lo, y_hi) = (contour["x"][0], contour["x"][-1]), (contour["y"][0], contour["y"][-1])
    # equal axis scales: one unit is as long on x as on y
    assert box["width"] / (x_hi - x_lo) == pytest.approx(box["height"] / (y_hi - y_lo), rel=0.02)
    fx, fy = 0.75, 0.3
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
    want_x, want_y = x_lo + fx * (x_hi - x_lo), y_hi - fy * (y_hi - y_lo)
    page.wait_for_function("(old) => document.querySelector('#point').value !== old", arg="x=1, y=2")
    point = dict(re.findall(r"(\w+)=(-?[\d.e+-]+)", page.input_value("#point")))
    x0, y0 = float(point["x"]), float(point["y"])
    pixel = (x_hi - x_lo) / box["width"]
    assert x0 == pytest.approx(want_x, abs=3 * pixel)
    assert y0 == pytest.approx(want_y, abs=3 * pixel)
    # the table follows: f and ∇f at the clicked point, checked independently
    page.wait_for_function(
        "(p) => (document.querySelector(\"#point-table td[data-key='point']\")||{}).textContent?.includes(p)",
        arg=f"x = {point['x']}",
    )
    assert numbers(table_value(page, "value"))[0] == pytest.approx(float(chapter_f(x0, y0)), rel=1e-4, abs=1e-6)
    gx, gy = numeric_gradient(x0, y0)
    shown = numbers(table_value(page, "gradient"))
    assert shown == pytest.approx([gx, gy], rel=1e-4, abs=1e-6)
    assert numbers(table_value(page, "norm"))[0] == pytest.approx((gx**2 + gy**2) ** 0.5, rel=1e-4)
    # finite-difference table: one row per variable, all ok
    rows = page.locator("#fd-table tbody tr")
    assert rows.count() == 2
    assert all("ok" in rows.nth(i).inner_text() for i in range(2))
    # the picture shows the point where it was clicked, with the level curve through it
    marker = next(t for t in plot_data(page, "#contour") if t["name"] == "point")
    assert marker["x"][0] == pytest.approx(x0) and marker["y"][0] == pytest.approx(y0)
    assert any(t["name"] == "level curve through the point" for t in plot_data(page, "#contour"))
    app.assert_clean()


def test_a_permalink_reproduces_the_state(context, base_url, app):
    page = app.page
    page.select_option("#preset", "himmelblau")
    wait_for_partials(page)
    page.fill("#point", "x=2, y=-1.5")
    page.fill("#direction", "3, 4")
    page.click("#point-go")
    page.wait_for_function(
        "() => (document.querySelector(\"#point-table td[data-key='point']\")||{}).textContent?.includes('y = -1.5')")
    page.select_option("#form", "expanded")
    page.fill("#eta", "0.02")
    page.dispatch_event("#eta", "change")
    page.fill("#y-range", "-4, 5")
    page.dispatch_event("#y-range", "change")
    # the hash is written after a short debounce
    page.wait_for_function(
        "() => { const h = new URLSearchParams(location.hash.slice(1));"
        " return h.get('yr') === '-4, 5' && h.get('eta') === '0.02' && h.get('form') === 'expanded'; }")
    wait_ready(page)  # the expanded form's partials and the point's value are shown
    url = page.url
    assert "#" in url
    partial = page.locator("#partials li[data-var='x']").get_attribute("data-text")
    value = table_value(page, "value")

    other = open_page(context, base_url, url.removeprefix(base_url))
    try:
        p2 = other.page
        wait_for_partials(p2)
        wait_ready(p2)
        wait_for_point(p2)
        assert p2.input_value("#fn") == page.input_value("#fn")
        assert p2.input_value("#vars") == page.input_value("#vars")
        assert p2.input_value("#point") == "x=2, y=-1.5"
        assert p2.input_value("#direction") == "3, 4"
        assert p2.input_value("#form") == "expanded"
        assert float(p2.input_value("#eta")) == pytest.approx(0.02)
        assert p2.input_value("#y-range") == "-4, 5"
        p2.wait_for_function(
            "(t) => document.querySelector(\"#partials li[data-var='x']\")?.dataset.text === t", arg=partial)
        p2.wait_for_function(
            "() => (document.querySelector(\"#point-table td[data-key='point']\")||{}).textContent?.includes('y = -1.5')")
        assert table_value(p2, "value") == value
        p2.wait_for_selector("#contour .nsewdrag")
        contour = next(t for t in plot_data(p2, "#contour") if t["type"] == "contour")
        assert (contour["y"][0], contour["y"][-1]) == pytest.approx((-4, 5))
        other.assert_clean()
    finally:
        other.page.close()


def test_a_third_variable_is_fixed_by_a_slider_and_the_picture_follows(app):
    page = app.page
    type_function(page, "x^2 + y^2 + z^2", "")
    page.wait_for_selector("#partials li[data-var='z'] .katex")
    slider = page.locator("#fix-z")
    assert page.get_by_label("z (fixed)").evaluate("e => e.id") == "fix-z"
    assert slider.input_value() == "1"
    # the point box now names all three variables
    page.wait_for_function("() => document.querySelector('#point').value === 'x=1, y=1, z=1'")
    page.wait_for_function("() => document.querySelector('#contour-summary').textContent.includes('Fixed: z = 1')")
    assert "ranges from 1 to 19" in page.inner_text("#contour-summary")  # z² + x² + y² on [-3, 3]²
    slider.fill("2")
    page.wait_for_function("() => document.querySelector('#contour-summary').textContent.includes('Fixed: z = 2')")
    assert "ranges from 4 to 22" in page.inner_text("#contour-summary")
    app.assert_clean()


def test_the_variables_box_is_filled_from_the_reading_until_the_user_types_in_it(app):
    page = app.page
    page.wait_for_function("() => document.querySelector('#vars').value === 'x, y'")
    assert page.get_attribute("#vars", "data-source") == "reading"
    # names only shown, not chosen: the permalink does not pin them
    assert page.evaluate("new URLSearchParams(location.hash.slice(1)).has('v')") is False
    # a new function is read afresh (not pinned to the old x, y): z is a variable, the box follows
    page.fill("#fn", "x^2 + z^3")
    page.wait_for_function("() => document.querySelector('#vars').value === 'x, z'")
    wait_for_partials(page, ("x", "z"))
    # typing in the box is the user's choice: z is then held constant, and the box keeps "x"
    page.fill("#vars", "x")
    page.wait_for_function("() => document.querySelectorAll('#partials li').length === 1")
    page.wait_for_function("() => document.querySelector('#input-status').textContent.includes('Held constant')")
    assert "z" in page.inner_text("#input-status")
    assert page.input_value("#vars") == "x"
    assert page.get_attribute("#vars", "data-source") == "user"
    shown = sympy.sympify(page.get_attribute("#partials li[data-var='x']", "data-text"))
    assert shown == 2 * sympy.Symbol("x")
    # emptying the box hands it back to the reading
    page.fill("#vars", "")
    page.wait_for_function("() => document.querySelector('#vars').value === 'x, z'")
    wait_for_partials(page, ("x", "z"))
    app.assert_clean()
