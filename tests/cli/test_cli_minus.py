"""Functions and values that start with a minus sign need no ``--`` (issue 13 item 5).

argparse takes ``-x*y`` for an option; ``positional_minus`` tells it which tokens are text. The
answers are checked by value, and everything that should stay an option stays one.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from nablab import parse
from nablab.interfaces.cli import build_parser, main, positional_minus


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def run_json(capsys, *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_leading_minus_function(capsys):
    d = run_json(capsys, "grad", "-x*y")
    assert d["input"] == "-x*y"
    assert [p["text"] for p in d["partials"]] == ["-y", "-x"]


def test_leading_minus_without_spaces_and_a_point(capsys):
    d = run_json(capsys, "grad", "-x^2-y^2", "--at", "x=1,y=2")
    assert d["expression"]["text"] == "-x**2 - y**2"
    assert [g["float"] for g in d["at"]["gradient"]] == [-2.0, -4.0]
    assert d["at"]["value"]["float"] == -5.0


def test_leading_minus_with_spaces(capsys):
    code, out, _ = run(capsys, "grad", "-x^2 - y^2", "--at", "x=1,y=2")
    assert code == 0
    assert "∂f/∂x = -2·x" in out and "f = -5" in out


def test_options_before_the_function(capsys):
    d = run_json(capsys, "grad", "--at", "x=-1,y=2", "-x*y")
    assert [g["float"] for g in d["at"]["gradient"]] == [-2.0, 1.0]


def test_parse_a_single_negated_name(capsys):
    d = run_json(capsys, "parse", "-c")
    assert d["input"] == "-c" and d["expression"]["text"] == "-c"
    assert d["variables"] == ["c"]


def test_a_double_minus_that_no_option_can_be_is_a_function(capsys):
    d = run_json(capsys, "grad", "--x*y")  # −(−x·y)
    assert d["input"] == "--x*y" and [p["text"] for p in d["partials"]] == ["y", "x"]


def test_a_function_that_looks_like_help_is_a_function(capsys):
    d = run_json(capsys, "grad", "-h*x", "--vars", "x")
    assert d["partials"][0]["text"] == "-h" and d["parameters"] == ["h"]


def test_error_columns_are_those_of_the_typed_text(capsys):
    code, out, _ = run(capsys, "grad", "-x*", "--json")
    assert code == 2
    error = json.loads(out)["error"]
    with pytest.raises(Exception) as direct:
        parse("-x*")
    assert error["column"] == direct.value.column
    code, _, err = run(capsys, "grad", "-x*")
    assert code == 2 and "\n  -x*\n" in err  # the text as typed, no added space
    assert "Traceback" not in err


def test_values_with_minus(capsys):
    d = run_json(capsys, "grad", "x*y", "--at", "x=-1,y=2", "--direction", "-1,1")
    dd = d["at"]["directional_derivative"]
    # ∇f(-1, 2) = (2, -1); along (-1, 1)/√2: (-2 - 1)/√2
    assert math.isclose(dd["value"], -3 / math.sqrt(2), rel_tol=1e-12)
    assert dd["unit"] == pytest.approx([-1 / math.sqrt(2), 1 / math.sqrt(2)])


def test_abbreviated_option_with_a_negative_value(capsys):
    d = run_json(capsys, "grad", "x^2", "--at", "x=1", "--dir", "-1")
    assert d["at"]["directional_derivative"]["value"] == pytest.approx(-2.0)


def test_descent_from_a_negative_start(capsys):
    d = run_json(capsys, "descent", "-x^2 - y^2 + x^4 + y^4", "--from", "x=-0.5,y=0.5",
                 "--rate", "0.05")
    assert d["converged"]
    assert d["point"] == pytest.approx([-1 / math.sqrt(2), 1 / math.sqrt(2)], abs=1e-6)


def test_a_negative_rate_is_refused_clearly(capsys):
    code, _, err = run(capsys, "descent", "x^2", "--from", "x=1", "--rate", "-0.1")
    assert code == 2
    assert err.startswith("error: ") and "rate" in err and "Traceback" not in err


def test_check_an_answer_that_starts_with_minus(capsys):
    code, out, _ = run(capsys, "check", "-x^2 y", "--var", "x", "--answer", "-2xy")
    assert code == 0
    assert "your answer: -2·x·y" in out and "✓ correct" in out
    code, out, _ = run(capsys, "check", "x^2 y", "--var", "x", "--answer", "-2xy")
    assert code == 1 and "your answer = -4" in out  # at (1, 2): 2xy = 4


@pytest.mark.parametrize("argv", [
    ["grad", "x*y", "--bogus"],
    ["grad", "--bogus", "x*y"],  # an unknown --option is never taken for the function
    ["grad", "x*y", "-y"],  # the function is given: a second minus token is an option
], ids=["after", "before", "second-token"])
def test_an_unknown_option_still_errors(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: nablab")
    assert f"error: unrecognized arguments: {argv[1] if argv[1] != 'x*y' else argv[2]}" in err


def test_help_still_works(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["grad", "-h"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: nablab grad")
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0


def test_double_dash_still_works(capsys):
    code, out, _ = run(capsys, "parse", "--json", "--", "-c")
    assert code == 0 and json.loads(out)["input"] == "-c"


@pytest.mark.parametrize(("argv", "expected"), [
    (["grad", "-x*y"], ["grad", " -x*y"]),
    (["grad", "-x*y", "--at", "x=1"], ["grad", " -x*y", "--at", "x=1"]),
    (["grad", "x", "--direction", "-1,1"], ["grad", "x", "--direction=-1,1"]),
    (["grad", "x", "--direction=-1"], ["grad", "x", "--direction=-1"]),
    (["grad", "x", "--at", "--json"], ["grad", "x", "--at", "--json"]),
    (["grad", "x", "--hessian", "-y"], ["grad", "x", "--hessian", "-y"]),
    (["parse", "--", "-c"], ["parse", "--", "-c"]),
    (["parse", "--x^2"], ["parse", " --x^2"]),
    (["parse", "--bogus"], ["parse", "--bogus"]),
    (["--version"], ["--version"]),
    (["serve", "--port", "0"], ["serve", "--port", "0"]),
])
def test_the_rewrite(argv, expected):
    out, texts = positional_minus(build_parser(), argv)
    assert out == expected
    assert set(texts.values()) <= set(argv)


def test_the_installed_command():
    """The console script as a user runs it."""
    script = Path(sys.executable).with_name("nablab")
    out = subprocess.run([str(script), "grad", "-x*y", "--json"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert [p["text"] for p in json.loads(out.stdout)["partials"]] == ["-y", "-x"]
