"""`nablab descent` and `nablab regress`: --json output, exit status 2 on bad input, plots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from nablab.interfaces.cli import main

NABLAB = Path(sys.executable).with_name("nablab")


def run_json(capsys, argv):
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


@pytest.fixture
def csv(tmp_path):
    rng = np.random.default_rng(5)
    x = rng.uniform(0, 10, 200)
    y = 1.5 + 2.0 * x + rng.normal(0, 0.2, 200)
    p = tmp_path / "houses.csv"
    p.write_text("size,price\n" + "".join(f"{float(a)!r},{float(b)!r}\n" for a, b in zip(x, y, strict=True)))
    return p, x, y


def test_descent_json(capsys):
    code, d = run_json(capsys, ["descent", "x^2 + 10y^2", "--from", "x=1,y=1", "--rate", "0.05",
                                "--json"])
    assert code == 0
    assert d["variables"] == ["x", "y"] and d["converged"] and not d["diverged"]
    assert d["path"][0] == [1.0, 1.0] and d["path"][1] == pytest.approx([0.9, 0.0])
    assert len(d["path"]) == len(d["values"]) == len(d["grad_norms"])
    assert abs(d["path"][-1][0]) < 1e-8 and "tol" in d["reason"]
    # the gradient it used reads back and is right
    x, y = sympy.symbols("x y")
    assert [sympy.sympify(g) for g in d["gradient"]] == [2 * x, 20 * y]


def test_descent_divergence_json(capsys):
    code, d = run_json(capsys, ["descent", "x^2 + 10y^2", "--from", "x=1,y=1", "--rate", "0.2",
                                "--json", "--steps", "100"])
    assert code == 0 and d["diverged"] and "2/L = 0.1" in d["reason"]


@pytest.mark.parametrize(
    "argv",
    [
        ["descent", "x^2 +", "--from", "x=1", "--rate", "0.1"],
        ["descent", "x^2", "--from", "x", "--rate", "0.1"],
        ["descent", "x^2", "--from", "x=1", "--rate", "-1"],
        ["descent", "log(x)", "--from", "x=-1", "--rate", "0.1"],
    ],
)
def test_descent_bad_input_exits_2(capsys, argv):
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err
    assert main([*argv, "--json"]) == 2
    assert "message" in json.loads(capsys.readouterr().out)["error"]


def test_regress_json(capsys, csv):
    path, x, y = csv
    code, d = run_json(capsys, ["regress", str(path), "--x", "size", "--y", "price", "--scale",
                                "--json"])
    assert code == 0
    for key in ("partials", "theta", "closed_form", "loss", "iterations", "converged", "losses"):
        assert key in d
    ref = np.polyfit(x, y, 1)[::-1]  # independent least squares
    np.testing.assert_allclose(d["theta"], ref, rtol=1e-6)
    np.testing.assert_allclose(d["closed_form"], ref, rtol=1e-9)
    assert d["converged"] and len(d["losses"]) == d["iterations"] + 1
    p0, p1 = d["partials"]
    assert p0["latex_chapter"] == r"-\frac{2}{N} \sum_{n=1}^{N} \left(y_{n} - \hat{y}_{n}\right)"
    assert "x(n)" in p1["text"] and sympy.sympify(p1["text"]).has(sympy.Sum)


def test_regress_mini_batch_methods(capsys, csv):
    path, x, y = csv
    base = ["regress", str(path), "--x", "size", "--y", "price", "--scale", "--batch", "20",
            "--epochs", "60", "--json"]
    code, sgd = run_json(capsys, base)
    assert code == 0 and not sgd["converged"] and "svrg" in sgd["reason"]
    code, svrg = run_json(capsys, [*base, "--batch-method", "svrg"])
    assert code == 0 and svrg["converged"] and svrg["batch_method"] == "svrg"
    np.testing.assert_allclose(svrg["theta"], np.polyfit(x, y, 1)[::-1], rtol=1e-6)
    assert svrg["updates"] == svrg["iterations"] * 10


def test_regress_compare_scaling_and_plot(capsys, csv, tmp_path):
    path, _, _ = csv
    out = tmp_path / "fit.svg"
    code, d = run_json(capsys, ["regress", str(path), "--x", "size", "--y", "price", "--scale",
                                "--compare-scaling", "--epochs", "300", "--json", "--plot",
                                str(out)])
    assert code == 0
    assert d["comparison"]["scaled"]["iterations"] < d["comparison"]["unscaled"]["iterations"]
    assert out.read_text().lstrip().startswith("<?xml")


def test_regress_human_output(capsys, csv):
    path, _, _ = csv
    assert main(["regress", str(path), "--x", "size", "--y", "price", "--scale"]) == 0
    out = capsys.readouterr().out
    assert "−(2/N) Σₙ x_n·(y_n − ŷ_n)" in out and "least squares" in out and "converged" in out


@pytest.mark.parametrize(
    ("text", "argv", "match"),
    [
        ("size,price\n1,2\n2,abc\n3,4\n", ["--x", "size", "--y", "price"], "row 2"),
        ("size,price\n1,2\n", ["--x", "size", "--y", "price"], "only one row"),
        ("size,price\n1,2\n2,3\n", ["--x", "area", "--y", "price"], "'area' not found"),
        ("", ["--x", "size", "--y", "price"], "empty"),
        ("size,price\n1,2\n2,nan\n3,4\n", ["--y", "price"], "'price' has an empty cell (NaN) at row 2"),
        ("size,rooms,price\n1,5,2\n2,5,3\n3,5,4\n", ["--y", "price"], "'rooms' is constant"),
        ("size,size,price\n1,1,2\n2,2,3\n3,3,4\n", ["--y", "price"], "appears twice"),
        ("a,b,price\n1,2,2\n2,4,3\n3,6,5\n", ["--y", "price"], "'a' and 'b' are collinear"),
        ("size,price\n1,2\n2,3,4\n", ["--y", "price"], "row 2 (line 3"),
    ],
)
def test_regress_bad_data_exits_2(capsys, tmp_path, text, argv, match):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    assert main(["regress", str(p), *argv]) == 2
    assert match in capsys.readouterr().err
    code, d = run_json(capsys, ["regress", str(p), *argv, "--json"])
    assert code == 2 and match in d["error"]["message"]
    assert set(d) == {"error"} and set(d["error"]) == {"message", "column", "hint"}


def test_descent_plot_png(capsys, tmp_path):
    out = tmp_path / "path.png"
    assert main(["descent", "x^2 + 10y^2", "--from", "x=1,y=1", "--rate", "0.09", "--plot",
                 str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["descent", "x^2", "--from", "x=1", "--rate", "0.1", "--plot",
                 str(tmp_path / "p.jpg")]) == 2


def test_console_script_subprocess(csv):
    path, _, _ = csv
    env = {**os.environ, "COLUMNS": "120"}
    proc = subprocess.run([str(NABLAB), "regress", str(path), "--x", "size", "--y", "price",
                           "--scale", "--json"], capture_output=True, text=True, timeout=120,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    np.testing.assert_allclose(d["theta"], d["closed_form"], rtol=1e-6)
    proc = subprocess.run([str(NABLAB), "regress", "/nonexistent.csv", "--x", "a", "--y", "b"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no such file" in proc.stderr
