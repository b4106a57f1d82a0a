"""The contour picture on a steep function: levels that follow the data (Rosenbrock's valley
gets lines) and ∇f arrows that stay readable, checked against a hand-written Rosenbrock and
its gradient in NumPy (not against the server's grid)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from page_helpers import wait_for_partials

pytestmark = pytest.mark.browser


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_gradient(x: float, y: float) -> tuple[float, float]:
    return (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2))


def drawn(page, name: str) -> dict:
    return page.evaluate(
        """(name) => { const t = document.querySelector('#contour')._fullData.find(t => t.name === name);
             return t && {x: Array.from(t.x), y: Array.from(t.y), z: t.z ? t.z.map(r => Array.from(r)) : null,
                          contours: t.contours ? {start: t.contours.start, end: t.contours.end, size: t.contours.size} : null,
                          title: t.colorbar ? t.colorbar.title.text : null}; }""", name)


def show_preset(page, key: str, summary_has: str) -> None:
    page.select_option("#preset", key)
    page.locator("#contour").scroll_into_view_if_needed()
    page.wait_for_function(
        """(s) => { const d = document.querySelector('#contour').data;
                    return d && d.some(t => t.name === 'f') && document.querySelector('#contour-summary').textContent.includes(s); }""",
        arg=summary_has, timeout=45_000)


def test_rosenbrock_contours_follow_the_valley_and_arrows_stay_readable(app):
    page = app.page
    show_preset(page, "rosenbrock", "log-spaced")
    f = drawn(page, "f")
    assert f["title"] == "f (log-spaced)"
    xs, ys = np.array(f["x"]), np.array(f["y"])
    fx = rosenbrock(xs[None, :], ys[:, None])
    lo, hi = fx.min(), fx.max()
    delta = 1e-3 * (hi - lo)
    # the plotted surface is log(f − min f + δ) of the true Rosenbrock on the plotted grid
    assert np.array(f["z"]) == pytest.approx(np.log10(fx - lo + delta), rel=1e-6, abs=1e-6)
    c = f["contours"]
    levels = [lo - delta + 10 ** (c["start"] + k * c["size"])
              for k in range(round((c["end"] - c["start"]) / c["size"]) + 1)]
    assert len(levels) >= 10
    # the valley (f < 10, under 0.5 % of f's range) gets several lines; evenly spaced levels
    # over [0, 2509] would put none there
    assert sum(1 for v in levels if v < 10) >= 4, levels
    assert (hi - lo) / 23 > 10

    arrows = drawn(page, "∇f (length capped)")
    ax, ay = arrows["x"], arrows["y"]
    segments = [(ax[i], ay[i], ax[i + 1], ay[i + 1]) for i in range(0, len(ax) - 2, 3)]
    assert len(segments) >= 150  # 15 × 15 grid, minus the zero-gradient points
    bases = sorted({s[0] for s in segments})
    full = 0.85 * min(np.diff(bases).min(), np.diff(sorted({s[1] for s in segments})).min())
    lengths = []
    for x0, y0, x1, y1 in segments:
        gx, gy = rosenbrock_gradient(x0, y0)
        length = math.hypot(x1 - x0, y1 - y0)
        lengths.append(length)
        # pointing along ∇f (uphill)
        assert ((x1 - x0) * gx + (y1 - y0) * gy) / (length * math.hypot(gx, gy)) > 0.999
    lengths = np.array(lengths)
    assert lengths.max() <= full * (1 + 1e-9)
    # capped at the 75th percentile: a quarter at full length, and the typical arrow readable
    # (scaled by the largest ‖∇f‖ instead, the median arrow would be under a tenth of a cell)
    assert np.mean(lengths > full * 0.999) == pytest.approx(0.25, abs=0.05)
    assert np.median(lengths) > 0.2 * full
    summary = page.inner_text("#contour-summary")
    assert "proportional to ‖∇f‖ up to" in summary and "pointing uphill" in summary

    # a bowl keeps evenly spaced levels
    show_preset(page, "bowl", "evenly spaced")
    assert drawn(page, "f")["title"] == "f"
    wait_for_partials(page)
    app.assert_clean()
