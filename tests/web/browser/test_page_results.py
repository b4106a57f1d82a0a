"""The results card and the input's messages as a reader sees them: copied text, names typeset
as the chapter writes them, readable counterexamples, an error's column said once, and a
preview that says when it is the last good reading rather than this input's."""

from __future__ import annotations

import math
import re

import pytest
import sympy
from page_helpers import check_answer, wait_for_partials

from nablab.parse import parse

pytestmark = pytest.mark.browser


def type_function(page, text: str, variables: str = "") -> None:
    page.fill("#vars", variables)
    page.fill("#fn", "")
    page.type("#fn", text, delay=10)


def test_copy_text_gives_the_readable_form_nablab_reads_back(app, base_url):
    page = app.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page.click("#copy-text")
    page.wait_for_function("() => document.querySelector('#copy-status').textContent.includes('copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    lines = copied.splitlines()
    assert lines[0].startswith("∂f/∂x = ") and lines[1].startswith("∂f/∂y = ")
    assert "**" not in copied and "Matrix" not in copied  # not SymPy's syntax
    x, y = sympy.symbols("x y")
    f = x**2 * y + sympy.sin(x * y)
    for line, var in zip(lines[:2], (x, y), strict=True):  # each line is nablab's own reading
        shown = parse(line.split(" = ", 1)[1]).expr
        assert sympy.simplify(shown.subs({s: sympy.Symbol(s.name) for s in shown.free_symbols})
                              - sympy.diff(f, var)) == 0
    assert lines[2].startswith("∇f = (")


def test_gradient_names_greek_variables_as_the_chapter_writes_them(app):
    page = app.page
    type_function(page, "(y - (theta0 + theta1 x))^2", "theta0, theta1")
    wait_for_partials(page, ("theta0", "theta1"))
    tex = page.locator("#gradient annotation[encoding='application/x-tex']").text_content()
    assert "f(\\theta_{0}, \\theta_{1})" in tex
    assert "theta0" not in tex


def test_a_wrong_answer_gets_a_readable_counterexample(app):
    page = app.page
    text = check_answer(page, "2xy - y cos(xy)", "x")
    assert page.locator("#check-result.error .hint").count() >= 1
    assert "wrong sign" in text.lower()
    numbers = re.findall(r"-?\d+\.\d+", text)
    assert numbers, text
    assert all(len(n.lstrip("-").replace(".", "")) <= 9 for n in numbers), text  # not 3.1677063269057153
    # and the values are right: ∂f/∂x and the answer at the counterexample point
    point = dict(re.findall(r"([xy]) = (-?\d+(?:\.\d+)?)", text))
    px, py = float(point["x"]), float(point["y"])
    want = 2 * px * py + py * math.cos(px * py)
    assert any(abs(float(n) - want) < 1e-6 * max(1, abs(want)) for n in numbers), text


def test_an_error_names_its_column_once_and_the_preview_says_it_is_the_last_good_one(app):
    page = app.page
    type_function(page, "x^2 y + sin(xy", "x, y")
    # wait for this input's error (an emptied box on the way says "Enter a function")
    page.wait_for_function("() => document.querySelector('#input-status').textContent.includes('unbalanced')")
    status = page.inner_text("#input-status")
    assert status.count("column 12") == 1, status  # "unbalanced '(' opened at column 12"
    assert page.get_attribute("#preview", "data-stale") == "true"
    assert "last good reading" in page.inner_text("#echo")
    page.type("#fn", ")")
    page.wait_for_selector("#fn:not([aria-invalid])")
    assert page.get_attribute("#preview", "data-stale") is None
    assert page.inner_text("#echo").startswith("read as")


def test_the_mse_preset_points_to_the_regression_section_instead_of_empty_pictures(app):
    page = app.page
    page.select_option("#preset", "mse")
    wait_for_partials(page, ("theta0", "theta1"))
    page.wait_for_function("() => document.querySelector('#contour-summary').textContent.includes('sums over data')")
    assert page.locator("#sliders input").count() == 0  # no slider for N: it comes with the data
    for plot in ("#contour", "#surface"):  # no tall blank boxes
        assert "empty" in page.get_attribute(plot, "class")
        assert page.locator(plot).bounding_box()["height"] < 5
    assert "sums over data" in page.inner_text("#point-status")
    tex = page.locator("#partials annotation[encoding='application/x-tex']").all_text_contents()
    assert "\\sum" in tex[0] and "\\theta_{0}" in tex[0]
    app.assert_clean()


def test_a_function_typed_over_a_preset_leaves_the_preset(app):
    page = app.page
    page.select_option("#preset", "bowl")
    page.wait_for_function("() => document.querySelector(\"#partials li[data-var='x']\")?.dataset.text === '2*x'")
    page.wait_for_function("() => location.hash.includes('p=bowl')")  # written debounced
    type_function(page, "x^2 + 3 y^2")
    page.wait_for_function("() => document.querySelector(\"#partials li[data-var='y']\")?.dataset.text === '6*y'")
    assert page.input_value("#preset") == ""
    page.wait_for_function("() => !location.hash.includes('p=bowl')")


def test_check_my_answer_takes_copied_text_and_names_a_column_once(app):
    page = app.page
    check_answer(page, "∂f/∂x = 2·x·y + y·cos(x·y)", "x")  # as "Copy text" writes it
    assert page.locator("#check-result.ok").count() == 1
    text = check_answer(page, "2xy + y cos(xy")
    assert page.locator("#check-result.error").count() == 1
    assert text.count("column 12") == 1, text


def test_a_point_may_spell_subscripts_as_the_function_does(app):
    page = app.page
    type_function(page, "x_1^2 + 3 x_2^2")
    wait_for_partials(page, ("x1", "x2"))
    page.fill("#point", "x_1=1, x_2=2")
    page.press("#point", "Enter")
    page.wait_for_function("() => document.querySelector(\"#point-table td[data-key='value']\")?.textContent.trim() === '13'")
    assert not page.inner_text("#point-status").strip()
