"""``nablab parse``: human output, --json, --vars, --latex, errors (exit 2), and the real
console script in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sympy

from nablab.interfaces.cli import main


def test_human_output_shows_reading_latex_variables(capsys):
    assert main(["parse", "x^2 y + sin(xy)"]) == 0
    out = capsys.readouterr().out
    assert "x^2·y + sin(x·y)" in out
    assert r"x^{2} y + \sin{\left(x y \right)}" in out
    assert "variables" in out and "x, y" in out
    assert "parameters" in out


def test_human_output_shows_warnings(capsys):
    assert main(["parse", "1/2x"]) == 0
    out = capsys.readouterr().out
    assert "warning" in out and "(1/2)·x" in out


def test_json_has_exactly_the_documented_keys(capsys):
    assert main(["parse", "a x^2 + sin(xy)", "--vars", "x,y", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"input", "expression", "variables", "parameters", "warnings",
                         "sums_over_data"}
    assert set(data["expression"]) >= {"text", "latex"}
    assert data["input"] == "a x^2 + sin(xy)"
    assert data["variables"] == ["x", "y"]
    assert data["parameters"] == ["a"]
    x, y, a = sympy.symbols("x y a")
    assert sympy.sympify(data["expression"]["text"]) == a * x**2 + sympy.sin(x * y)
    assert data["warnings"] == []


def test_json_sum_over_data(capsys):
    text = r"\frac{1}{N}\sum_{n=1}^{N}(y_n - (\theta_0 + \theta_1 x_n))^2"
    assert main(["parse", text, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["variables"] == ["theta0", "theta1"]
    assert data["parameters"] == ["N"]
    assert r"\sum_{n=1}^{N}" in data["expression"]["latex"]
    assert "y_{n}" in data["expression"]["latex"]
    n, N = sympy.Symbol("n"), sympy.Symbol("N")
    y, x = sympy.Function("y"), sympy.Function("x")
    t0, t1 = sympy.symbols("theta0 theta1")
    assert sympy.sympify(data["expression"]["text"]) == \
        sympy.Sum((y(n) - t0 - t1 * x(n)) ** 2, (n, 1, N)) / N


def test_latex_flag_forces_latex(capsys):
    assert main(["parse", "xy", "--latex", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["variables"] == ["x", "y"] and data["warnings"] == []


def test_error_goes_to_stderr_with_caret_and_exit_2(capsys):
    assert main(["parse", "x + foo(y)"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown function 'foo'" in captured.err
    assert "x + foo(y)\n      ^" in captured.err
    assert "hint:" in captured.err


def test_error_with_json_goes_to_stdout(capsys):
    assert main(["parse", "9^9^9^9", "--json"]) == 2
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"error"}
    assert data["error"]["column"] == 4
    assert "too large" in data["error"]["message"]
    assert data["error"]["hint"]


def test_real_console_script():
    script = Path(sys.executable).with_name("nablab")
    done = subprocess.run([str(script), "parse", "f(x, y) = x^2 y + sin(xy)", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["variables"] == ["x", "y"]
    assert data["expression"]["text"] == "x**2*y + sin(x*y)"
    bad = subprocess.run([str(script), "parse", "sin(x"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2
    assert "unbalanced '(' opened at column 4" in bad.stderr
    assert "Traceback" not in bad.stderr
