"""The drawing arithmetic of widget.js, run in Node (the module's pure exports): level curves by
marching squares lie on the true curve, saddles are split consistently, the arrow cap is the
75th percentile, and the point box reads ``x=1, y=2``. Node comes with ./dev setup (npm)."""

from __future__ import annotations

import itertools
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np

WIDGET_JS = (Path(__file__).resolve().parents[2] / "src" / "nablab" / "interfaces"
             / "notebook" / "widget.js")


def run_js(body: str) -> object:
    """Evaluate ``body`` (which sets ``out``) with the module's exports as ``w``; return ``out``."""
    node = shutil.which("node")
    assert node, "node is missing: ./dev setup installs Node.js for the page's packages"
    script = (f"const w = await import({json.dumps(WIDGET_JS.as_uri())});\n"
              f"let out;\n{body}\nprocess.stdout.write(JSON.stringify(out));")
    done = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_level_curves_lie_on_the_circle():
    xs = np.linspace(-2, 2, 41)
    z = [[float(x * x + y * y) for x in xs] for y in xs]  # rows follow y, as the kernel's grid
    segments = run_js(f"""
        const z = {json.dumps(z)}, out0 = [];
        for (let i = 0; i < z.length - 1; i++) for (let j = 0; j < z.length - 1; j++)
          for (const s of w.cellSegments(z[i][j], z[i][j + 1], z[i + 1][j + 1], z[i + 1][j], 1))
            out0.push(s.map(([c, r]) => [j + c, i + r]));
        out = out0;""")
    step = xs[1] - xs[0]
    assert len(segments) > 30
    points = [(xs[0] + c * step, xs[0] + r * step) for seg in segments for c, r in seg]
    # linear interpolation on a 0.1 grid: within 1 % of the radius everywhere on the curve
    assert all(abs(math.hypot(x, y) - 1) < 0.01 for x, y in points)
    angles = sorted(math.atan2(y, x) for x, y in points)
    assert max(b - a for a, b in itertools.pairwise(angles)) < 0.2  # closed round


def test_saddle_cells_cut_off_the_corners_the_centre_does_not_share():
    out = run_js("out = [w.cellSegments(1, 0, 1, 0, 0.4), w.cellSegments(1, 0, 1, 0, 0.6)];")
    above_centre, below_centre = out  # centre value 0.5: above level 0.4, below level 0.6
    assert len(above_centre) == len(below_centre) == 2
    # centre above: the low corners b (1, 0) and d (0, 1) are cut off
    assert sorted(map(sorted, above_centre)) == sorted(map(sorted, [
        [[0.6, 0], [1, 0.4]], [[0.4, 1], [0, 0.6]]]))
    # centre below: the high corners a (0, 0) and c (1, 1) are cut off
    assert sorted(map(sorted, below_centre)) == sorted(map(sorted, [
        [[0, 0.4], [0.4, 0]], [[1, 0.6], [0.6, 1]]]))
    assert run_js("out = [w.cellSegments(0, 0, 0, 0, 1), w.cellSegments(2, 2, 2, 2, 1)];") \
        == [[], []]


def test_arrow_cap_is_the_75th_percentile_and_levels_go_log_for_a_valley():
    cap = run_js("out = w.arrowCap({x: [0, 1, 2, 3], y: [0], u: [[1, 2, 3, null]], "
                 "v: [[0, 0, 4, 0]]});")
    assert cap == 5  # norms 1, 2, 5 (null skipped): index floor(0.75·3) = 2
    spread = run_js("out = [w.levelValues([[0, 1, 2], [3, 4, 1000]]).log, "
                    "w.levelValues([[0, 1, 2], [3, 4, 5]]).log];")
    assert spread == [True, False]


def test_point_box_reading_and_number_format():
    out = run_js('out = [w.parsePoint("x=1, y = 2/3"), w.parsePoint(""), w.parsePoint("x=1, y"), '
                 'w.formatPoint({x: 1, y: "pi"}), w.fmt(3.16770632690571, 6), w.fmt(null)];')
    assert out == [{"x": "1", "y": "2/3"}, {}, None, "x=1, y=pi", "3.16771", "—"]
