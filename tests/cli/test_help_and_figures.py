"""``help(nablab)`` and ``help(nablab.gradient)`` show the real parameters, and the Python API
returns matplotlib figures (issue 12 item 5)."""

from __future__ import annotations

import inspect
import math
import pydoc

import pytest

import nablab

KW = inspect.Parameter.KEYWORD_ONLY


def keywords(fn) -> dict[str, object]:
    return {n: p.default for n, p in inspect.signature(fn).parameters.items() if p.kind is KW}


def test_gradient_signature_lists_its_options():
    assert keywords(nablab.gradient) == {"at": None, "form": "simplified", "hessian": False,
                                         "direction": None, "steps": False, "budget_s": 4.0}
    assert list(inspect.signature(nablab.gradient).parameters)[:2] == ["f", "variables"]


def test_descent_and_regress_signatures_are_not_hidden_behind_options():
    assert keywords(nablab.descent) == {"steps": 1000, "tol": 1e-8, "method": "gd",
                                        "variables": None, "params": None,
                                        "line_search": "fixed", "progress": None}
    reg = keywords(nablab.regress)
    assert {"rate", "epochs", "scale", "batch", "batch_method", "method", "shuffle", "seed",
            "tol", "compare_scaling", "scheduler", "persist"} <= set(reg)
    assert reg["epochs"] == 1000 and reg["batch_method"] == "sgd"
    # only the methods' own parameters (beta, β1, …) remain open-ended
    for fn in (nablab.descent, nablab.regress):
        var = [p.name for p in inspect.signature(fn).parameters.values()
               if p.kind is inspect.Parameter.VAR_KEYWORD]
        assert var == ["hyper"]


def test_help_of_the_package_lists_the_lazy_functions():
    text = pydoc.render_doc(nablab, renderer=pydoc.plaintext)
    for name in ("gradient", "descent", "regress", "check_answer", "parse", "plot"):
        assert f"\n    {name}(" in text, name
    assert set(nablab.__all__) <= set(dir(nablab))


def test_help_of_gradient_shows_its_parameters():
    text = pydoc.render_doc(nablab.gradient, renderer=pydoc.plaintext)
    assert "hessian: 'bool' = False" in text and "at: 'str | Mapping[str, Any] | None'" in text


def test_descent_method_parameters_as_text_are_read():
    r = nablab.descent("x^2", "x=1", "0.1", method="momentum", beta="0.5", steps=3)
    assert r.hyper["beta"] == 0.5 and r.rate == 0.1 and r.steps == 3
    with pytest.raises(nablab.NablabError, match="not a number"):
        nablab.descent("x^2", "x=1", "0.1", method="momentum", beta="1/2")


def legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_of_a_gradient_result():
    r = nablab.gradient("x^2 y + sin(xy)", at="x=1,y=2")
    fig = nablab.plot(r, surface=True)
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    contour = fig.axes[0]
    assert contour.get_xlim() == (-2.0, 4.0) and contour.get_ylim() == (-1.0, 5.0)
    fx, fy = 4 + 2 * math.cos(2), 1 + math.cos(2)
    assert f"∇f = ({fx:.4g}, {fy:.4g})" in legend(contour)
    assert any(a.name == "3d" for a in fig.axes)


def test_plot_of_text_and_a_slice():
    fig = nablab.plot("x y z", at="x=1,y=1,z=2", x_range=(-1, 1), y_range=(0, 2))
    ax = fig.axes[0]
    assert ax.get_title() == "contours of f and ∇f at z = 2"
    assert "∇f = (2, 2)" in legend(ax)  # (yz, xz) at (1, 1, 2)
    with pytest.raises(nablab.NablabError, match="give a value for z"):
        nablab.plot("x y z")


def test_plot_of_one_variable():
    ax = nablab.plot("sin(x)", at="x=0").axes[0]
    assert "slope f' = 1" in legend(ax)


def test_plot_of_runs():
    run = nablab.descent("x^2 + 10y^2", {"x": 1, "y": 1}, 0.05)
    fig = nablab.plot(run)
    assert fig.axes[1].get_title() == "f per step"
    both = nablab.plot(nablab.descent("x^2 + 10y^2", "x=1,y=1", 0.05, method="gd,adam"))
    assert legend(both.axes[0]) == ["gd (η = 0.05)", "adam (η = 0.05)"]
    assert legend(both.axes[1]) == ["gd", "adam"]
    assert both.axes[0].get_title() == "paths over contours of f"
