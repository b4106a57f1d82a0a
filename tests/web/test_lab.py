"""``POST /api/lab``: one request per edit. Its pieces are exactly what the separate endpoints
answer (which stay), computed from one reading; the values are checked independently too."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

CHAPTER = "x^2 y + sin(xy)"
ERROR_KEYS = {"message", "column", "hint"}


def strict_json(response) -> dict:
    def bad(constant):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(response.text, parse_constant=bad)


def test_lab_is_parse_gradient_steps_point_and_plot_in_one_answer(api):
    plot = {"x_range": [-2, 2], "y_range": [-1, 3], "n": 11, "arrows": 4}
    at = {"x": 1, "y": 2}
    r = api.post("/api/lab", json={"text": CHAPTER, "at": at, "steps": True, "plot": plot})
    assert r.status_code == 200, r.text
    lab = strict_json(r)
    assert set(lab) == {"parse", "gradient", "plot"}
    assert lab["parse"] == strict_json(api.post("/api/parse", json={"text": CHAPTER}))
    assert lab["gradient"] == strict_json(api.post("/api/gradient", json={
        "text": CHAPTER, "at": at, "steps": True}))
    assert lab["plot"] == strict_json(api.post("/api/plot", json={"text": CHAPTER, **plot}))
    # and independently: the partials, ∇f at the point, the sampled f and its arrows
    x, y = sympy.symbols("x y")
    f = x**2 * y + sympy.sin(x * y)
    g = lab["gradient"]
    for p in g["partials"]:
        v = sympy.Symbol(p["variable"])
        assert sympy.simplify(sympy.sympify(p["text"]) - sympy.diff(f, v)) == 0
    exact = [float(sympy.diff(f, v).subs({x: 1, y: 2})) for v in (x, y)]
    assert [c["float"] for c in g["at"]["gradient"]] == pytest.approx(exact, rel=1e-12)
    assert set(g["steps"]) == {"x", "y"}
    xs, ys = np.array(lab["plot"]["x"]), np.array(lab["plot"]["y"])
    X, Y = np.meshgrid(xs, ys)
    np.testing.assert_allclose(lab["plot"]["z"], X**2 * Y + np.sin(X * Y), atol=1e-12)


def test_lab_without_plot_or_point(api):
    lab = strict_json(api.post("/api/lab", json={"text": "a x^2 + y", "variables": "x,y"}))
    assert lab["plot"] is None and lab["gradient"]["at"] is None
    assert "steps" not in lab["gradient"]
    assert lab["parse"]["parameters"] == ["a"] and lab["parse"]["variables"] == ["x", "y"]
    # `plot: {}` is the plot with /api/plot's defaults
    lab = strict_json(api.post("/api/lab", json={"text": "x y", "plot": {}}))
    assert len(lab["plot"]["x"]) == 61 and lab["plot"]["x"][0] == -3


@pytest.mark.parametrize("body", [
    {"text": "x^2 +* y"},                             # does not parse
    {"text": "log(x) y", "at": {"x": -1, "y": 1}},    # point outside the domain
    {"text": "x y", "plot": {"n": 5000}},             # plot option out of range
    {"text": "x y", "plot": {"x_range": [1, 1]}},     # empty range (the sampler refuses)
])
def test_lab_errors_are_the_whole_answer_as_today(api, body):
    r = api.post("/api/lab", json=body)
    assert r.status_code == 422, r.text
    err = strict_json(r)
    assert set(err) == {"error"} and set(err["error"]) == ERROR_KEYS
    if body["text"] == "x^2 +* y":  # the same error object as /api/parse gives
        assert err == strict_json(api.post("/api/parse", json={"text": body["text"]}))


def test_lab_at_a_new_point_reuses_the_plot_and_answers_the_same_bytes():
    """The plot part of a lab answer does not depend on the point: the worker keeps it encoded
    per function and grid, and the answer is byte for byte what encoding it afresh gives."""
    from nablab.interfaces.web import tasks

    plot = {"n": 7, "arrows": 3}
    text = "x^2 y + sin(xy) + 17"
    answers = []
    for x in (0.25, -1.5):
        p = {"text": text, "at": {"x": x, "y": 1}, "steps": True, "plot": plot}
        status, data = tasks.run("lab", p)
        fresh = tasks.TASKS["lab"](p)
        fresh["plot"] = json.loads(fresh["plot"])
        assert status == 200
        assert data == json.dumps(tasks._clean(fresh), ensure_ascii=False).encode()
        answers.append(json.loads(data))
    assert answers[0]["plot"] == answers[1]["plot"]
    assert answers[0]["gradient"]["at"] != answers[1]["gradient"]["at"]
    assert answers[0]["plot"] == json.loads(tasks.run("plot", {"text": text, **plot})[1])
    assert tasks._plot_bytes <= tasks.PLOT_MEMO_BYTES
