"""``nablab check``: human output, --json, exit status 2 on bad input, the real console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from nablab.interfaces.cli import main

WORKED = "x^2 y + sin(xy)"


def test_correct_answer_human(capsys):
    assert main(["check", WORKED, "--var", "x", "--answer", "2xy + y cos(xy)"]) == 0
    out = capsys.readouterr().out
    assert "✓ correct" in out and "∂f/∂x" in out


def test_wrong_answer_human_names_the_point_and_the_term(capsys):
    assert main(["check", WORKED, "--var", "x", "--answer", "2xy - y cos(xy)"]) == 1  # like diff(1): 1 means "not equal"
    out = capsys.readouterr().out
    assert "✗ not equal to ∂f/∂x" in out
    assert "at x = 1, y = 2:" in out
    assert "wrong sign: the term y·cos(x·y) (you wrote -y·cos(x·y))" in out


def test_json(capsys):
    assert main(["check", WORKED, "--var", "y", "--answer", "x^2 + x cos(xy)", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["equivalent"] is True
    assert set(d) >= {"equivalent", "expected", "counterexample", "wrong_terms"}
    assert set(d["expected"]) == {"text", "latex"}
    assert d["counterexample"] is None and d["wrong_terms"] == []


def test_json_wrong(capsys):
    assert main(["check", WORKED, "--var", "x", "--answer", "2xy", "--json"]) == 1
    d = json.loads(capsys.readouterr().out)
    assert d["equivalent"] is False
    assert set(d["counterexample"]) == {"point", "expected", "answer"}
    assert d["wrong_terms"][0]["problem"] == "missing"


def test_bad_answer_exits_2_with_caret(capsys):
    assert main(["check", WORKED, "--var", "x", "--answer", "2xy + y cos(xy"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "2xy + y cos(xy\n" in err and "^" in err


def test_bad_answer_json_exits_2_with_error_object(capsys):
    assert main(["check", WORKED, "--var", "x", "--answer", "2xy +", "--json"]) == 2
    d = json.loads(capsys.readouterr().out)
    assert set(d["error"]) == {"message", "column", "hint"}


def test_vars_option(capsys):
    assert main(["check", "a x^2", "--var", "x", "--vars", "x", "--answer", "2 a x",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["equivalent"] is True


def test_unknown_variable_exits_2(capsys):
    assert main(["check", WORKED, "--var", "z", "--answer", "0"]) == 2
    assert "not a variable" in capsys.readouterr().err


def test_real_console_script():
    script = Path(sys.executable).with_name("nablab")
    proc = subprocess.run(
        [str(script), "check", WORKED, "--var", "x", "--answer", "2xy + y cos(xy)", "--json"],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["equivalent"] is True
    proc = subprocess.run([str(script), "check", WORKED, "--var", "x", "--answer", "2xy +"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "error:" in proc.stderr
