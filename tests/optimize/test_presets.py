"""Every η preset on the page does what its button says, from the preset's start point and with
its iteration count, checked by running nablab's own descent. The values are read from the
page's presets.js (through node), so the page and this test cannot drift apart."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from nablab.api import descent

PRESETS_JS = (Path(__file__).parents[2] / "src/nablab/interfaces/web/static/presets.js").resolve()

# the minima, by hand (Himmelblau's four from the literature); [] = f has no minimum
MINIMA = {
    "bowl": [(0.0, 0.0)],
    "valley": [(0.0, 0.0)],
    "rosenbrock": [(1.0, 1.0)],
    "himmelblau": [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                   (3.584428, -1.848126)],
    "chapter": [],
    "saddle": [],
}


def load_presets() -> dict:
    node = shutil.which("node")  # installed with the page's npm packages (./dev setup)
    if node is None:  # never a silent skip: the presets would go unchecked
        raise RuntimeError("node is needed to read presets.js (./dev setup installs it)")
    script = f"import('{PRESETS_JS.as_uri()}').then(m => console.log(JSON.stringify(m.PRESETS)))"
    out = subprocess.run([node, "--input-type=module", "-e", script], capture_output=True,
                         text=True, check=True, timeout=60)
    return json.loads(out.stdout)


PRESETS = load_presets()
CASES = [(key, kind) for key, p in PRESETS.items() if p.get("etas")
         for kind in ("slow", "good", "oscillating", "diverging")]


def start_of(preset: dict) -> dict[str, float]:
    return {k.strip(): float(v) for k, v in (part.split("=") for part in preset["start"].split(","))}


def run(key: str, kind: str):
    p = PRESETS[key]
    return descent(p["text"], start_of(p), p["etas"][kind], steps=p["iterations"])


def distance_to_minimum(key: str, point) -> float:
    return min(float(np.hypot(point[0] - a, point[1] - b)) for a, b in MINIMA[key])


def direction_flips(path) -> int:
    """How often a coordinate's step reverses direction (a zig-zag across a valley)."""
    steps = np.diff(np.asarray(path, dtype=float), axis=0)
    return max(int(np.sum(steps[1:, j] * steps[:-1, j] < 0)) for j in range(steps.shape[1]))


def test_every_function_preset_is_checked_here():
    assert {k for k, p in PRESETS.items() if p.get("etas")} == set(MINIMA)
    for key in MINIMA:
        assert isinstance(PRESETS[key]["iterations"], int) and 1 <= PRESETS[key]["iterations"] <= 10_000


@pytest.mark.parametrize(("key", "kind"), CASES)
def test_preset_rate_shows_its_labelled_behaviour(key, kind):
    eta = PRESETS[key]["etas"][kind]
    if eta is None:
        # only a function without a minimum may lack a rate, and then only good/oscillating
        assert not MINIMA[key] and kind in ("good", "oscillating")
        assert "no η is good" in PRESETS[key]["note"]
        return
    r = run(key, kind)
    values = np.array(r.values)
    if kind == "diverging":
        assert r.diverged, r.reason
        return
    assert not r.diverged, r.reason
    if kind == "slow":
        # still going down, every step, and still far away after all the iterations
        assert r.steps == PRESETS[key]["iterations"] and not r.converged
        assert np.all(np.diff(values) <= 1e-12 * (1 + np.abs(values[:-1])))
        assert values[-1] < values[0]
        if MINIMA[key]:
            assert distance_to_minimum(key, r.point) >= 0.25 * distance_to_minimum(key, r.start)
    elif kind == "good":
        assert distance_to_minimum(key, r.point) <= 0.025 * distance_to_minimum(key, r.start)
        slow = run(key, "slow")
        assert distance_to_minimum(key, r.point) < distance_to_minimum(key, slow.point)
    else:  # oscillating: zig-zags, yet stays bounded near the minimum (or converges)
        assert direction_flips(r.path) >= 10
        d0 = distance_to_minimum(key, r.start)
        assert max(distance_to_minimum(key, p) for p in r.path) <= 2 * d0
        assert distance_to_minimum(key, r.point) < 0.5 * d0


@pytest.mark.parametrize("key", [k for k in MINIMA if MINIMA[k]])
def test_rates_are_in_increasing_order(key):
    etas = PRESETS[key]["etas"]
    assert etas["slow"] < etas["good"] < etas["oscillating"] < etas["diverging"]
