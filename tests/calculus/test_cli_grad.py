"""``nablab grad`` from tests (main) and once as the real console script."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import sympy

from nablab.interfaces.cli import main


def run(capsys, *argv):
    code = main(["grad", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_human_output_for_the_chapter_example(capsys):
    code, out, _ = run(capsys, "x^2 y + sin(xy)", "--at", "x=1,y=2", "--direction", "1,1")
    assert code == 0
    assert "∂f/∂x = 2·x·y + y·cos(x·y)" in out
    assert "∂f/∂y = x^2 + x·cos(x·y)" in out
    assert "∇f" in out and "ok" in out and "MISMATCH" not in out
    assert "normalised" in out


def test_json_output(capsys):
    code, out, _ = run(capsys, "x^2 y + sin(xy)", "--at", "x=1,y=2", "--hessian", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["partials"][0]["variable"] == "x"
    assert sympy.sympify(d["partials"][0]["text"]) == sympy.sympify("2*x*y + y*cos(x*y)")
    assert d["at"]["check"][0]["ok"] is True
    assert "hessian" in d


def test_bad_input_exits_2_with_caret(capsys):
    code, out, err = run(capsys, "x^2 +* y")
    assert code == 2 and "^" in err and out == ""
    code, out, _ = run(capsys, "x^2 +* y", "--json")
    assert code == 2 and json.loads(out)["error"]["message"]


def test_domain_violation_exits_2(capsys):
    code, _, err = run(capsys, "ln(x)", "--at", "x=-1")
    assert code == 2 and "x > 0" in err and "logarithm" in err


def test_numpy_function_works_on_arrays(capsys):
    code, out, _ = run(capsys, "x^2 y + sin(xy)", "--numpy", "--json")
    assert code == 0
    source = json.loads(out)["numpy"]
    namespace: dict = {}
    exec(compile(source, "<nablab --numpy>", "exec"), namespace)  # our own generated code
    X, Y = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(0, 2, 5))
    G = namespace["grad_f"](X, Y)
    np.testing.assert_allclose(G[0], 2 * X * Y + Y * np.cos(X * Y))
    np.testing.assert_allclose(G[1], X**2 + X * np.cos(X * Y))
    assert "_c0" in source  # the shared x*y is computed once


def test_forms_and_latex(capsys):
    code, out, _ = run(capsys, "x^2 y + sin(xy)", "--form", "factored", "--latex")
    assert code == 0 and "y·(2·x + cos(x·y))" in out and "\\cos" in out


def test_real_console_script():
    exe = shutil.which("nablab", path=str(Path(sys.executable).parent))
    assert exe, "the nablab console script is installed in the venv"
    proc = subprocess.run([exe, "grad", "x^2 y + sin(xy)", "--at", "x=1,y=2", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["at"]["value"]["exact"] == "sin(2) + 2"
    bad = subprocess.run([exe, "grad", "sin("], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
