"""One time limit for an answer from typed text, from the command line and the Python API:
a function that SymPy takes minutes to build (6 nested sech) is stopped with a clear error."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nablab
from nablab.errors import ComputeLimitError

RUNAWAY = "sech(sech(sech(sech(sech(sech(x))))))"


def test_the_command_stops_a_runaway_function_with_an_error_not_a_hang():
    script = Path(sys.executable).with_name("nablab")
    start = time.monotonic()
    out = subprocess.run([str(script), "grad", RUNAWAY, "--json"], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "NABLAB_TIME_LIMIT": "2"})
    took = time.monotonic() - start
    assert out.returncode == 2, out.stderr
    error = json.loads(out.stdout)["error"]
    assert error["message"] == "this answer took longer than the time limit of 2 s and was stopped"
    assert "NABLAB_TIME_LIMIT" in error["hint"]
    assert "Traceback" not in out.stderr
    assert took < 30, took  # start-up and the 2 s limit, on a busy machine


@pytest.mark.parametrize("call", [
    lambda: nablab.gradient(RUNAWAY),
    lambda: nablab.check_answer(RUNAWAY, "x", "0"),
    lambda: nablab.descent(RUNAWAY, {"x": 1}, 0.1),
])
def test_the_python_api_stops_it_too(monkeypatch, call):
    monkeypatch.setenv("NABLAB_TIME_LIMIT", "1")
    start = time.monotonic()
    with pytest.raises(ComputeLimitError, match="time limit of 1 s"):
        call()
    assert time.monotonic() - start < 10


def test_ordinary_answers_are_unaffected_and_keep_their_signature(monkeypatch):
    monkeypatch.setenv("NABLAB_TIME_LIMIT", "5")
    r = nablab.gradient("x^2 y + sin(xy)", at="x=1,y=2")
    assert [str(p) for p in r.partials] == ["2*x*y + y*cos(x*y)", "x**2 + x*cos(x*y)"]
    assert "at" in inspect.signature(nablab.gradient).parameters  # wraps keeps help() real
