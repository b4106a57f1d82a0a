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


def test_steps_end_with_the_assembly_of_the_gradient_and_its_value(capsys):
    plain = None
    for detail in ("rules", "algebra"):
        code, out, _ = run(capsys, "x^2 y + sin(xy)", "--at", "x=1,y=2", "--steps",
                           "--detail", detail)
        assert code == 0
        lines = out.splitlines()
        head = next(i for i, line in enumerate(lines) if line.startswith("∇f(x, y) = ["))
        assert "2·x·y + y·cos(x·y)" in lines[head] and "x^2 + x·cos(x·y)" in lines[head]
        assert lines.index("∂f/∂y = x^2 + x·cos(x·y)") < head < lines.index("∇f =")
        evaluation = next(line for line in lines[head:] if "evaluate" in line)
        assert "2·cos(2) + 4" in evaluation and "cos(2) + 1" in evaluation
        if plain is None:
            plain = len(lines)
        else:  # the algebra detail says more than the rules alone
            assert len(lines) > plain


ERRORS = [  # (argv, class name, column or None, words in the message, words in the hint)
    (["grad", "sin(x"], "ParseError", 4, "unbalanced '('", "closing"),
    (["parse", "foo(x) + y"], "ParseError", 1, "unknown function 'foo'", "known functions"),
    (["parse", "(" * 120 + "x" + ")" * 120], "LimitError", 101, "nested", "simplify"),
    (["grad", "9^9^9^9"], "LimitError", 4, "too large", "10^300"),
    (["grad", "ln(x) + y", "--at", "x=-1,y=0"], "DomainError", None, "x > 0", "positive"),
    # 0^x is refused while reading (SymPy would make 0^-x an infinity inside f)
    (["grad", "0^x + y"], "ParseError", 2, "0 to a power that depends on variables",
     "power of a variable"),
    (["grad", "x^999999999", "--at", "x=2"], "ComputeLimitError", None, "too large", "origin"),
]


def test_every_error_class_is_shown_with_message_caret_and_hint(capsys):
    from nablab import errors

    for argv, name, column, message, hint in ERRORS:
        assert issubclass(getattr(errors, name), errors.NablabError)
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2 and out == "", argv
        assert message in err and hint in err and "\nhint: " in err, (argv, err)
        assert "Traceback" not in err
        if column is not None:  # the caret sits under the column (after the 2-space indent)
            lines = err.splitlines()
            caret = next(i for i, line in enumerate(lines) if line.strip() == "^")
            assert lines[caret].index("^") == 2 + column - 1, err
            assert lines[caret - 1].startswith("  " + argv[1][:20])
        code = main([*argv, "--json"])
        out, err = capsys.readouterr()
        assert code == 2 and err == ""
        d = json.loads(out)["error"]
        assert set(d) == {"message", "column", "hint"} and d["column"] == column
        assert message in d["message"] and hint in d["hint"]


def test_heavy_inputs_answer_or_refuse_within_ten_seconds(capsys):
    import time

    for argv in (["(x+y+1)^40 (x-y+2)^40", "--form", "derived"],
                 ["(x+y+1)^40 (x-y+2)^40", "--form", "factored", "--at", "x=0.1,y=0.2"],
                 ["x^999999999"], ["x^999999999", "--at", "x=1"],
                 ["sin(" * 40 + "x y" + ")" * 40, "--at", "x=0.5,y=0.5"],
                 # depth 99: partials of 5 000 nodes (drawn on one line), a Hessian of
                 # 500 000-node entries (refused: writing it took minutes)
                 ["sin(" * 99 + "x y" + ")" * 99, "--hessian", "--at", "x=0.3,y=0.2"],
                 ["sin(" * 99 + "x y" + ")" * 99, "--at", "x=0.3,y=0.2"]):
        t0 = time.perf_counter()
        code, out, err = run(capsys, *argv)
        assert time.perf_counter() - t0 < 10, argv
        assert (code == 0 and "∇f" in out) or (code == 2 and "error:" in err), argv
    code, out, _ = run(capsys, "x^999999999", "--at", "x=1", "--json")
    at = json.loads(out)["at"]  # f overflows a step away: no false alarm, no NaN in the JSON
    assert at["gradient"][0]["float"] == 999999999
    assert at["check"][0]["checked"] is False and at["check"][0]["numeric"] is None
    assert not any("MISMATCH" in n for n in at["notes"])
