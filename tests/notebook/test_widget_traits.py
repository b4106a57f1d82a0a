"""``nablab.widget(...)`` in-process: its traits, recomputing on assignment, errors, the time limit.

The widget's ``result`` must be exactly what ``nablab grad --json`` prints for the same state,
and its numbers must agree with finite differences of f written here by hand (not with nablab's
own evaluation).
"""

from __future__ import annotations

import importlib
import itertools
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nablab
from nablab.errors import NablabError
from nablab.extras import MissingExtraError
from nablab.interfaces.cli import main as cli_main
from nablab.interfaces.notebook.widget import TIME_LIMIT_S, GradientWidget
from nablab.render.json import error_body, to_json

CHAPTER = "x^2 y + sin(xy)"


def chapter_f(x: float, y: float) -> float:
    return x * x * y + math.sin(x * y)


def central(f, point: list[float], k: int, h: float = 1e-5) -> float:
    """∂f/∂x_k by central differences (independent of nablab)."""
    up, down = list(point), list(point)
    up[k] += h
    down[k] -= h
    return (f(*up) - f(*down)) / (2 * h)


def cli_json(capsys, *argv: str) -> dict:
    assert cli_main(["grad", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def chapter() -> GradientWidget:
    w = nablab.widget(CHAPTER, at={"x": 1, "y": 2})
    yield w
    w.close()


# --- traits ---------------------------------------------------------------------------------


def test_synced_traits_and_their_types(chapter):
    synced = {name for name in chapter.trait_names() if chapter.trait_metadata(name, "sync")}
    assert {"function", "variables", "at", "result", "error", "eta", "iterations", "start",
            "method", "descent", "path", "plot", "display"} <= synced
    assert chapter.function == CHAPTER
    assert chapter.variables == []  # the reading decides
    assert chapter.at == {"x": 1, "y": 2}
    assert chapter.error is None
    assert [p["echo"] for p in chapter.result["partials"]] == ["2·x·y + y·cos(x·y)",
                                                                "x^2 + x·cos(x·y)"]
    assert isinstance(chapter, GradientWidget)


def test_outputs_are_read_only(chapter):
    with pytest.raises(Exception, match="read-only"):
        chapter.result = {}
    with pytest.raises(Exception, match="read-only"):
        chapter.path = []


def test_result_is_to_json_of_gradient_for_the_same_input(chapter):
    expected = to_json(nablab.gradient(CHAPTER, at={"x": 1, "y": 2}, steps=True))
    assert chapter.result == expected
    chapter.with_steps = False
    assert chapter.result == to_json(nablab.gradient(CHAPTER, at={"x": 1, "y": 2}))
    assert "steps" not in chapter.result
    chapter.at = {}
    assert chapter.result == to_json(nablab.gradient(CHAPTER))
    assert chapter.result["at"] is None


def test_result_equals_the_cli_json(chapter, capsys):
    assert chapter.result == cli_json(capsys, CHAPTER, "--at", "x=1,y=2", "--steps")
    chapter.with_steps = False
    chapter.function = "x*y^3"
    assert chapter.result == cli_json(capsys, "x*y^3", "--at", "x=1,y=2")
    chapter.variables = ["y", "x"]
    chapter.form = "expanded"
    assert chapter.result == cli_json(capsys, "x*y^3", "--vars", "y,x", "--at", "x=1,y=2",
                                      "--form", "expanded")
    assert chapter.result["variables"] == ["y", "x"]


def test_result_equals_the_installed_console_script():
    """Once through the real ``nablab`` command (its own process), not the in-process main."""
    script = Path(sys.executable).with_name("nablab")
    out = subprocess.run([str(script), "grad", CHAPTER, "--at", "x=1/2,y=-3", "--steps",
                          "--json"], capture_output=True, text=True, timeout=60, check=True)
    w = nablab.widget(CHAPTER, at="x=1/2,y=-3")
    assert w.result == json.loads(out.stdout)
    assert w.at == {"x": "1/2", "y": "-3"}


@pytest.mark.parametrize(("text", "f", "points"), [
    (CHAPTER, chapter_f, [(1.0, 2.0), (-0.7, 0.3), (2.5, -1.25)]),
    ("exp(x) log(y) + x/y", lambda x, y: math.exp(x) * math.log(y) + x / y,
     [(0.5, 2.0), (-1.0, 0.25)]),
    ("sqrt(x^2 + y^2 + 1) * cos(x - y)",
     lambda x, y: math.sqrt(x * x + y * y + 1) * math.cos(x - y), [(0.0, 1.0), (1.5, -2.0)]),
])
def test_values_agree_with_finite_differences_of_f_written_by_hand(text, f, points):
    w = nablab.widget(text, at={"x": points[0][0], "y": points[0][1]})
    for x, y in points:
        w.at = {"x": x, "y": y}
        at = w.result["at"]
        assert at["value"]["float"] == pytest.approx(f(x, y), rel=1e-12, abs=1e-12)
        for k, g in enumerate(at["gradient"]):
            assert g["float"] == pytest.approx(central(f, [x, y], k), rel=1e-6, abs=1e-7)
        norm = math.hypot(central(f, [x, y], 0), central(f, [x, y], 1))
        assert at["norm"] == pytest.approx(norm, rel=1e-6)


def test_plot_grid_and_arrows_agree_with_f_written_by_hand(chapter):
    g = chapter.plot
    assert (g["x_var"], g["y_var"]) == ("x", "y")
    assert len(g["x"]) == len(g["y"]) == 61 and g["x"][0] == -3 and g["x"][-1] == 3
    for i in (0, 17, 60):
        for j in (3, 30, 58):
            assert g["z"][i][j] == pytest.approx(chapter_f(g["x"][j], g["y"][i]), abs=1e-9)
    a = g["arrows"]
    for i in (0, 7, 14):
        for j in (2, 11):
            p = [a["x"][j], a["y"][i]]
            assert a["u"][i][j] == pytest.approx(central(chapter_f, p, 0), rel=1e-6, abs=1e-7)
            assert a["v"][i][j] == pytest.approx(central(chapter_f, p, 1), rel=1e-6, abs=1e-7)


def test_display_has_mathml_of_each_partial_and_the_gradient_column(chapter):
    d = chapter.display
    assert len(d["partials"]) == 2
    assert all(m.startswith("<math") and "<mo>∂</mo>" in m for m in d["partials"])
    assert "<mi>cos</mi>" in d["partials"][0]
    assert d["gradient"].count("<mtr>") == 2
    # one MathML formula per step of the result's step tree, under the same ids
    ids = []

    def walk(node):
        ids.append(node["id"])
        for sub in node["substeps"]:
            walk(sub)

    walk(chapter.result["steps"]["x"])
    assert sorted(d["steps"]["x"]) == sorted(ids) and len(ids) > 3


# --- recomputing, observing, bad input -----------------------------------------------------


def test_setting_function_recomputes_and_observe_sees_it(chapter):
    seen: list[tuple[str, object]] = []
    chapter.observe(lambda c: seen.append((c["name"], c["new"])), names=["result", "path"])
    chapter.function = "x*y^3"
    assert [p["echo"] for p in chapter.result["partials"]] == ["y^3", "3·x·y^2"]
    assert chapter.result["at"]["gradient"][1]["float"] == pytest.approx(12.0)
    names = [n for n, _ in seen]
    assert "result" in names and "path" in names
    assert seen[names.index("result")][1]["input"] == "x*y^3"


def test_bad_input_sets_error_at_its_column_and_keeps_the_last_good_result(chapter):
    good = dict(chapter.result)
    good_plot, good_path = chapter.plot, chapter.path
    chapter.function = "x^2 +"
    with pytest.raises(NablabError) as raised:
        nablab.gradient("x^2 +")
    assert chapter.error == error_body(raised.value)
    assert chapter.error["column"] == 6 and chapter.error["hint"]
    assert chapter.result == good and chapter.plot == good_plot and chapter.path == good_path
    chapter.function = "sin(x y"
    assert isinstance(chapter.error["column"], int) and chapter.result == good
    chapter.function = "x y"
    assert chapter.error is None and chapter.result["input"] == "x y"


def test_point_for_other_names_is_replaced_when_the_function_changes(chapter):
    chapter.function = "a*b + c"
    assert chapter.at == {"a": 1, "b": 1, "c": 1}
    assert chapter.result["at"]["value"]["float"] == 2.0
    chapter.at = {"a": 2}  # set by hand, a point missing a variable is an error
    assert chapter.error is not None and "c" in chapter.error["message"]


def test_descent_path_follows_the_update_rule_and_eta(chapter):
    chapter.function = "x^2 + 3 y^2"
    chapter.start = {"x": 2.5, "y": -2}
    chapter.eta = 0.1
    assert chapter.descent_error is None
    path = chapter.path
    assert path[0] == [2.5, -2.0]
    for p, q in itertools.pairwise(path):  # θ ← θ − η∇f, with ∇f = (2x, 6y)
        assert q[0] == pytest.approx(p[0] - 0.1 * 2 * p[0])
        assert q[1] == pytest.approx(p[1] - 0.1 * 6 * p[1])
    assert chapter.descent["converged"] is True and chapter.descent["path"] == path
    chapter.eta = 0.34  # above 2/L = 1/3 for L = 6: diverges
    assert chapter.descent["diverged"] is True and chapter.path != path
    chapter.iterations = 5
    chapter.eta = 0.01
    assert len(chapter.path) == 6


def test_bad_assignment_raises_nablab_error_and_keeps_the_value(chapter):
    for name, value in [("eta", 0.0), ("iterations", 0), ("form", "pretty"),
                        ("method", "sgd"), ("x_range", [1.0, 1.0])]:
        before = getattr(chapter, name)
        with pytest.raises(NablabError):
            setattr(chapter, name, value)
        assert getattr(chapter, name) == before


@pytest.mark.parametrize(("args", "options", "words"), [
    ((5,), {}, "function must be text"),
    (("x^2 +",), {}, "ends too early"),
    ((CHAPTER, 3), {}, "variables must be names"),
    ((CHAPTER, None, [1, 2]), {}, "at must be name=value pairs"),
    ((CHAPTER, None, {"x": 1, "y": None}), {}, "at must map names to numbers"),
    ((CHAPTER, None, {"a": 1}), {}, "the point names a"),
    ((CHAPTER,), {"form": "pretty"}, "unknown form"),
    ((CHAPTER,), {"eta": -0.1}, "learning rate"),
    ((CHAPTER,), {"iterations": 1.5}, "whole number"),
    ((CHAPTER,), {"method": "sgd"}, "sgd"),
    ((CHAPTER,), {"x_range": (2, 1)}, "low < high"),
    ((CHAPTER,), {"start": {"q": 1}}, "no value for x and y"),
    ((CHAPTER,), {"colour": "red"}, "no option 'colour'"),
])
def test_bad_arguments_raise_nablab_error_with_a_message(args, options, words):
    with pytest.raises(NablabError) as raised:
        nablab.widget(*args, **options)
    assert raised.value.message and words in raised.value.message


def test_missing_extra_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "nablab.interfaces.notebook.widget")
    with pytest.raises(MissingExtraError, match=r"nablab\[notebook\]") as raised:
        importlib.import_module("nablab.interfaces.notebook.widget")
    assert "anywidget" in raised.value.message and raised.value.hint


# --- the view's messages and the time limit -------------------------------------------------


def test_front_end_sets_inputs_never_outputs(chapter):
    chapter.set_state({"function": "x^3 y", "result": {"forged": True}})
    assert chapter.result["input"] == "x^3 y" and "forged" not in chapter.result
    before = chapter.computed
    chapter.set_state({"eta": -1.0})  # refused: an error, not a traceback in the kernel's log
    assert chapter.error is not None and "learning rate" in chapter.error["message"]
    assert chapter.eta == 0.1 and chapter.computed > before


def test_time_limit_is_the_pages():
    from nablab.interfaces.web.settings import Settings

    assert Settings().time_limit == TIME_LIMIT_S
    assert nablab.widget("x").time_limit == TIME_LIMIT_S


def test_runaway_function_is_stopped_by_the_time_limit_and_the_widget_keeps_working():
    w = nablab.widget("x*y", at={"x": 1, "y": 2}, time_limit=1.0)
    good = w.result
    began = time.perf_counter()
    # six nested sech: SymPy takes about a minute to build it (its assumption queries grow
    # exponentially with the nesting); a big simplification is no runaway any more, as the
    # default form's own budget turns it into the derived form with a note
    w.function = "sech(sech(sech(sech(sech(sech(x))))))"
    took = time.perf_counter() - began
    assert took < 1.5
    assert w.error is not None and "longer than 1 s" in w.error["message"]
    assert w.result == good
    w.function = "x^2 y"
    assert w.error is None and w.result["partials"][0]["echo"] == "2·x·y"


def test_import_nablab_does_not_load_the_widget():
    code = ("import sys, nablab; assert 'anywidget' not in sys.modules; "
            "w = nablab.widget('x y'); assert 'anywidget' in sys.modules; "
            "print(type(w).__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "GradientWidget"


def test_the_view_is_shipped_as_package_data():
    w = nablab.widget("x")
    assert "export default" in w._esm and "render" in w._esm
    assert ".nablab-widget" in w._css


def test_a_function_summing_over_data_has_partials_but_no_picture_or_descent():
    w = nablab.widget(r"\frac{1}{N}\sum_{n=1}^{N}(y_n - (\theta_0 + \theta_1 x_n))^2")
    assert w.error is None and w.result["sums_over_data"] is True
    assert [p["variable"] for p in w.result["partials"]] == ["theta0", "theta1"]
    assert "sums over data" in w.plot["error"]["message"]
    assert "needs the data" in w.descent_error["message"] and w.path == []


def test_a_bug_below_is_an_error_in_the_cell_not_a_dead_widget(chapter, monkeypatch, caplog):
    good = chapter.result

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("nablab.interfaces.notebook.widget.sample", broken)
    chapter.function = "x + y"
    assert chapter.error["message"] == "internal error in nablab: RuntimeError"
    assert chapter.result == good and "boom" in caplog.text
    monkeypatch.undo()
    chapter.function = "x - y"
    assert chapter.error is None and chapter.result["input"] == "x - y"
