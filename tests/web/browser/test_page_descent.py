"""Gradient descent on the page: the run moves as θ ← θ − η∇f says, converges for a good η and
stops with an explanation for a too-large one. Positions are checked against the closed form of
descent on the bowl x² + y²: each step multiplies the point by (1 − 2η)."""

from __future__ import annotations

import pytest
from page_helpers import contour_trace, wait_for_partials

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
    app.assert_clean()


def test_clicking_the_plot_in_start_mode_sets_the_descent_start_and_runs(app):
    page = app.page
    choose_bowl(page)
    page.check("#click-start")
    area = page.locator("#contour .nsewdrag").first
    area.scroll_into_view_if_needed()
    box = area.bounding_box()
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.25 * box["height"])
    page.wait_for_function("() => document.querySelector('#start').value !== 'x=2.5, y=-2'")
    start = dict(part.split("=") for part in page.input_value("#start").replace(" ", "").split(","))
    assert float(start["x"]) == pytest.approx(-1.5, abs=0.06)
    assert float(start["y"]) == pytest.approx(1.5, abs=0.06)
    page.wait_for_function("() => Number(document.querySelector('#descent-card').dataset.step) >= 1")
    path = contour_trace(page, "descent path")
    assert path["x"][0] == pytest.approx(float(start["x"]))
