"""Gradient descent on the page: the run moves as θ ← θ − η∇f says, converges for a good η and
stops with an explanation for a too-large one. Positions are checked against the closed form of
descent on the bowl x² + y²: each step multiplies the point by (1 − 2η)."""

from __future__ import annotations

import math

import httpx
import pytest
from page_helpers import click_contour, contour_trace, wait_for_partials

pytestmark = pytest.mark.browser

START = (2.5, -2.0)


def choose_bowl(page) -> None:
    page.select_option("#preset", "bowl")
    page.wait_for_function("() => document.querySelector(\"#partials li[data-var='x']\")?.dataset.text === '2*x'")
    wait_for_partials(page)
    page.wait_for_selector("#contour .nsewdrag")
    page.fill("#speed", "60")
    page.dispatch_event("#speed", "input")


def expected_path(eta: float, steps: int) -> list[tuple[float, float]]:
    factor = 1 - 2 * eta
    return [(START[0] * factor**k, START[1] * factor**k) for k in range(steps)]


def test_descent_converges_for_a_good_rate_and_stops_with_an_explanation_for_a_too_large_one(app):
    page = app.page
    choose_bowl(page)
    assert page.input_value("#start") == "x=2.5, y=-2"
    page.click(".eta-preset[data-eta='good']")
    assert float(page.input_value("#eta")) == pytest.approx(0.3)
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=30_000)
    assert "Converged" in page.inner_text("#descent-explain")
    # said once: the status line above the box does not repeat the box's title
    assert "Converged" not in page.inner_text("#descent-status")
    path = contour_trace(page, "descent path")
    n = len(path["x"])
    assert n > 5
    want = expected_path(0.3, n)
    assert path["x"] == pytest.approx([w[0] for w in want], abs=1e-9)
    assert path["y"] == pytest.approx([w[1] for w in want], abs=1e-9)
    position = contour_trace(page, "descent position")
    assert abs(position["x"][0]) < 1e-4 and abs(position["y"][0]) < 1e-4

    # too large a rate: the run moves, then stops with an explanation
    page.fill("#speed", "30")
    page.dispatch_event("#speed", "input")
    page.click(".eta-preset[data-eta='diverging']")
    assert float(page.input_value("#eta")) == pytest.approx(1.05)
    # it moves: the step counter advances while the run plays
    page.wait_for_function("() => Number(document.querySelector('#descent-card').dataset.step) >= 2")
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=60_000)
    explain = page.inner_text("#descent-explain")
    assert "diverged" in explain.lower()
    reason = page.inner_text("#descent-explain p")
    assert reason.strip(), "the server's explanation is shown"
    # the positions are those of θ ← θ − η∇f with η = 1.05: growing in size, alternating in sign
    path = contour_trace(page, "descent path")
    n = len(path["x"])
    assert n >= 3
    finite = [(x, y) for x, y in zip(path["x"], path["y"], strict=True) if x is not None and abs(x) < 1e6]
    k = min(len(finite), 20)
    want = expected_path(1.05, k)
    assert [p[0] for p in finite[:k]] == pytest.approx([w[0] for w in want], rel=1e-9)
    assert [p[1] for p in finite[:k]] == pytest.approx([w[1] for w in want], rel=1e-9)
    # it stopped: the play button is released, and playback is at the run's last step (the
    # whole path is drawn), so there is nothing left to move
    page.wait_for_function("() => document.querySelector('#descent-play').getAttribute('aria-pressed') === 'false'")
    assert int(page.get_attribute("#descent-card", "data-step")) == n - 1
    # f per step is positive here (10.25·1.21^k until the run stops): drawn on a log axis
    page.locator("#descent-plot").scroll_into_view_if_needed()
    page.wait_for_selector("#descent-plot .main-svg")
    chart = f_chart(page)
    assert chart["title"] == "f (log scale)" and chart["type"] == "log"
    f_true = [(START[0] ** 2 + START[1] ** 2) * 1.21**k for k in range(10)]
    assert chart["y"][:10] == pytest.approx(f_true, rel=1e-9)
    app.assert_clean()


def f_chart(page) -> dict:
    return page.evaluate("""() => { const gd = document.querySelector('#descent-plot');
        return {y: gd.data.find(t => t.name === 'f').y, title: gd.layout.yaxis.title.text,
                type: gd.layout.yaxis.type}; }""")


def test_clicking_the_plot_in_start_mode_sets_the_descent_start_and_runs(app):
    page = app.page
    choose_bowl(page)
    page.check("#click-start")
    click_contour(page, 0.25, 0.25)
    page.wait_for_function("() => document.querySelector('#start').value !== 'x=2.5, y=-2'")
    start = dict(part.split("=") for part in page.input_value("#start").replace(" ", "").split(","))
    assert float(start["x"]) == pytest.approx(-1.5, abs=0.06)
    assert float(start["y"]) == pytest.approx(1.5, abs=0.06)
    page.wait_for_function("() => Number(document.querySelector('#descent-card').dataset.step) >= 1")
    path = contour_trace(page, "descent path")
    assert path["x"][0] == pytest.approx(float(start["x"]))


def descent_requests(app) -> int:
    return sum(1 for url in app.requests if url.endswith("/api/descent"))


@pytest.mark.parametrize(("box", "value", "words"), [
    ("#eta", "-1", "η must be a positive number from 0.0001 to 10"),
    ("#eta", "50", "η must be a positive number from 0.0001 to 10"),
    ("#iterations", "0", "Iterations must be a whole number from 1 to 10000"),
    ("#iterations", "2.5", "Iterations must be a whole number from 1 to 10000"),
])
def test_bad_eta_or_iterations_is_flagged_next_to_the_box_and_nothing_is_sent(app, box, value, words):
    page = app.page
    choose_bowl(page)
    before = descent_requests(app)
    page.fill(box, value)
    page.dispatch_event(box, "change")
    message = page.locator(f"{box}-error")
    assert words in message.inner_text()
    assert page.get_attribute(box, "aria-invalid") == "true"
    # the message sits right after its box, and the box points at it
    assert page.evaluate(f"document.querySelector('{box}').nextElementSibling.id") == f"{box[1:]}-error"
    assert page.get_attribute(box, "aria-describedby") == f"{box[1:]}-error"
    page.click("#descent-run")
    assert "Fix the highlighted" in page.inner_text("#descent-status")
    page.wait_for_timeout(300)  # a request, if one were sent, would be recorded by now
    assert descent_requests(app) == before
    # fixed: the message goes and the run happens
    page.fill(box, "0.3" if box == "#eta" else "100")
    page.dispatch_event(box, "change")
    assert page.get_attribute(box, "aria-invalid") is None
    assert message.inner_text() == ""
    page.click("#descent-run")
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=30_000)
    assert descent_requests(app) == before + 1
    app.assert_clean()


def test_chapter_example_has_no_good_rate_and_says_so(app):
    page = app.page
    page.select_option("#preset", "chapter")
    wait_for_partials(page)
    good = page.locator(".eta-preset[data-eta='good']")
    assert good.get_attribute("aria-disabled") == "true"
    before = descent_requests(app)
    good.click(force=True)  # aria-disabled, yet a click explains why
    status = page.inner_text("#descent-status")
    assert "No η is good for this function" in status and "no minimum" in status
    page.wait_for_timeout(300)
    assert descent_requests(app) == before
    # "diverging" runs, and the explanation says no rate would help (no absurd η advice)
    page.fill("#speed", "60")
    page.dispatch_event("#speed", "input")
    page.click(".eta-preset[data-eta='diverging']")
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=60_000)
    reason = page.inner_text("#descent-explain p")
    assert "no learning rate converges" in reason and "try η" not in reason
    # f falls to about -1e40 from near 1: the chart draws sign(f)·log10(1 + |f|), labelled so,
    # of the values the server computed for this run
    page.locator("#descent-plot").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#descent-plot').data?.length > 0")
    chart = f_chart(page)
    assert chart["title"] == "sign(f)·log₁₀(1 + |f|)"
    body = {"text": "x^2 y + sin(xy)", "start": page.input_value("#start"),
            "rate": float(page.input_value("#eta")), "iterations": int(page.input_value("#iterations"))}
    values = httpx.post(app.base_url + "/api/descent", json=body, timeout=60).json()["values"]
    want = [math.copysign(math.log10(1 + abs(v)), v) if v is not None else None for v in values]
    got = chart["y"]
    assert len(got) == len(want)
    assert [g for g in got if g is not None] == pytest.approx([w for w in want if w is not None], rel=1e-9)
    assert min(g for g in got if g is not None) < -10  # many decades below, drawn in view
    app.assert_clean()


def test_rosenbrock_good_preset_sets_its_rate_and_iterations(app):
    page = app.page
    page.select_option("#preset", "rosenbrock")
    wait_for_partials(page)
    page.click(".eta-preset[data-eta='good']")
    assert float(page.input_value("#eta")) == pytest.approx(0.0019)
    assert page.input_value("#iterations") == "5000"
    # a long run plays every k-th step so it finishes in bounded time, and says so
    page.wait_for_function("() => /every \\d+th step shown/.test(document.querySelector('#descent-status').textContent)")


def test_a_start_missing_a_variable_gets_advice_for_the_page(app):
    page = app.page
    page.select_option("#preset", "chapter")
    wait_for_partials(page)
    page.fill("#start", "x=1")
    page.click("#descent-run")
    page.wait_for_selector("#descent-status.error")
    status = page.inner_text("#descent-status")
    assert "no value for y" in status and "x=1, y=1" in status
    assert "params=" not in status and "--set" not in status


def test_descent_holds_a_parameter_at_its_slider_value(app):
    page = app.page
    page.fill("#vars", "x, y")
    page.fill("#fn", "(x - a)^2 + y^2")
    wait_for_partials(page)
    page.wait_for_selector("#fix-a")
    page.fill("#fix-a", "2")
    page.dispatch_event("#fix-a", "input")
    page.fill("#speed", "60")
    page.dispatch_event("#speed", "input")
    page.fill("#start", "x=0, y=1")
    page.fill("#eta", "0.25")
    page.dispatch_event("#eta", "change")
    page.fill("#iterations", "40")
    page.dispatch_event("#iterations", "change")
    page.click("#descent-run")
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=60_000)
    assert "Converged" in page.inner_text("#descent-explain")
    # x ← x − η·2(x − a) with a = 2 (the slider), η = 1/4: halfway to a each step
    path = contour_trace(page, "descent path")
    assert path["x"][:4] == pytest.approx([0.0, 1.0, 1.5, 1.75], abs=1e-9)
    assert path["y"][:4] == pytest.approx([1.0, 0.5, 0.25, 0.125], abs=1e-9)
    app.assert_clean()


def test_descent_on_a_function_of_one_variable_is_drawn_on_its_graph(app):
    page = app.page
    page.fill("#vars", "")
    page.fill("#fn", "x^2 - 2x")
    wait_for_partials(page, ("x",))
    page.fill("#speed", "60")
    page.dispatch_event("#speed", "input")
    page.fill("#start", "x=3")
    page.fill("#eta", "0.25")
    page.dispatch_event("#eta", "change")
    page.click("#descent-run")
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=60_000)
    path = contour_trace(page, "descent path")
    assert path is not None
    # x ← x − η(2x − 2) with η = 1/4: halfway to the minimum at 1; drawn at height f(x)
    assert path["x"][:3] == pytest.approx([3.0, 2.0, 1.5])
    assert path["y"][:3] == pytest.approx([x * x - 2 * x for x in (3.0, 2.0, 1.5)])
    app.assert_clean()
