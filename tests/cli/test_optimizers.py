"""``nablab descent --method``, ``nablab regress --method`` and ``nablab grad --graph``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from nablab.interfaces.cli import main
from regression_data import data, lstsq

BOWL = "x^2 + 10y^2"  # ∇f(1, 1) = (2, 20)


def test_descent_with_several_methods(capsys):
    code = main(["descent", BOWL, "--from", "x=1,y=1", "--rate", "0.02", "--method",
                 "gd,nesterov,adam", "--json", "--steps", "40"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and [r["method"] for r in d["runs"]] == ["gd", "nesterov", "adam"]
    assert all(r["status"] in ("converged", "limit") for r in d["runs"])
    code = main(["descent", BOWL, "--from", "x=1,y=1", "--method", "newton", "--line-search",
                 "wolfe", "--json"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["converged"] and d["trials"] == [1] and d["step_sizes"] == [1.0]
    assert main(["descent", BOWL, "--from", "x=1,y=1", "--rate", "0.1", "--method", "adam",
                 "--opt", "gamma=2"]) == 2
    assert "β1 (beta1)" in capsys.readouterr().err
    assert main(["descent", BOWL, "--from", "x=1,y=1", "--rate", "0.02", "--method",
                 "gd,momentum", "--steps", "20"]) == 0
    out = capsys.readouterr().out
    assert out.index("(gd,") < out.index("(momentum,") and "advice:" in out


def test_grad_graph_text_and_json(capsys):
    assert main(["grad", "x^2 y + sin(xy)", "--at", "x=1,y=2", "--graph"]) == 0
    out = capsys.readouterr().out
    assert "computational graph" in out and "backward pass" in out
    assert main(["grad", "x^2 y + sin(xy)", "--at", "x=1,y=2", "--graph", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)["graph"]
    assert {"id", "op", "inputs", "value", "adjoint", "rule"} <= set(d["nodes"][0])
    names = {n["name"]: n for n in d["nodes"] if n["op"] == "variable"}
    assert set(names) == {"x", "y"}
    assert names["x"]["adjoint"] == pytest.approx(2 * 1 * 2 + 2 * math.cos(2))
    assert names["y"]["adjoint"] == pytest.approx(1 + math.cos(2))
    assert main(["grad", "x^2", "--graph"]) == 2


def test_regress_with_a_named_method(tmp_path, capsys):
    X, y = data(300)
    p = tmp_path / "d.csv"
    p.write_text("a,b,t\n" + "".join(f"{u},{v},{w}\n" for (u, v), w in zip(X.tolist(), y.tolist(), strict=True)))
    code = main(["regress", str(p), "--y", "t", "--scale", "--method", "momentum", "--opt",
                 "beta=0.5", "--batch", "30", "--shuffle", "--seed", "2", "--epochs", "30",
                 "--json"])
    d = json.loads(capsys.readouterr().out)
    assert code == 0 and d["method"] == "momentum" and d["hyper"] == {"beta": 0.5}
    assert d["batch"] == 30 and d["shuffle"] and d["seed"] == 2
    np.testing.assert_allclose(d["theta"], lstsq(X, y), atol=0.2)
    assert main(["regress", str(p), "--y", "t", "--method", "adam", "--opt", "nu=1"]) == 2
    assert main(["regress", str(p), "--y", "t", "--scale", "--method", "nesterov"]) == 0
    assert "nesterov, η" in capsys.readouterr().out


def test_an_option_given_as_a_method_parameter_is_refused_by_name(tmp_path, capsys):
    """--opt rate=… names the methods' parameters (it once clashed with the call's own rate
    keyword: "this is a bug in nablab")."""
    X, y = data(60)
    p = tmp_path / "d.csv"
    p.write_text("a,b,t\n" + "".join(f"{u},{v},{w}\n" for (u, v), w in zip(X.tolist(), y.tolist(), strict=True)))
    for argv in (["regress", str(p), "--y", "t", "--opt", "rate=0.1"],
                 ["descent", BOWL, "--from", "x=1,y=1", "--rate", "0.1", "--opt", "rate=0.1"],
                 ["descent", BOWL, "--from", "x=1,y=1", "--rate", "0.1", "--method", "adam",
                  "--opt", "steps=3"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "unknown parameter" in err and "takes η (rate)" in err and "bug" not in err
