"""The command line's outputs from issue 12 item 5: --version, MathML (option and JSON), the
step printers, --plot, and the messages naming a missing extra."""

from __future__ import annotations

import importlib.metadata
import json
import math

import pytest
import sympy

import nablab
import nablab.extras
from nablab.interfaces.cli import main
from nablab.render.mathml import to_mathml

x, y = sympy.symbols("x y")
CHAPTER = "x^2 y + sin(xy)"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_version_is_the_installed_one(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    shown = capsys.readouterr().out.strip()
    assert shown == f"nablab {importlib.metadata.version('nablab')}"
    assert shown == f"nablab {nablab.__version__}"


def test_mathml_option(capsys):
    code, out, _ = run(capsys, "grad", CHAPTER, "--mathml")
    assert code == 0
    assert f"   MathML: {to_mathml(2 * x * y + y * sympy.cos(x * y))}" in out
    assert f"   MathML: {to_mathml(x**2 + x * sympy.cos(x * y))}" in out
    assert "MathML: <math" in out.split("∇f =")[1]  # ∇f too


def test_json_has_mathml_next_to_latex(capsys):
    code, out, _ = run(capsys, "grad", "log(x) y", "--at", "x=1,y=2", "--hessian", "--json")
    assert code == 0
    d = json.loads(out)
    assert d["expression"]["mathml"] == to_mathml(y * sympy.log(x))
    assert [p["mathml"] for p in d["partials"]] == [to_mathml(y / x), to_mathml(sympy.log(x))]
    assert d["gradient"]["mathml"].count("<mtr>") == 2
    assert d["hessian"]["mathml"].count("<mtr>") == 2
    assert d["domain"][0]["mathml"] == to_mathml(x > 0)
    assert d["at"]["gradient"][0]["mathml"] == to_mathml(sympy.Integer(2))  # y/x at (1, 2)
    assert d["at"]["value"]["mathml"] == to_mathml(sympy.Integer(0))


def test_the_web_schema_declares_mathml(capsys):
    from nablab.interfaces.web.schemas import GradientResponse

    code, out, _ = run(capsys, "grad", "1/x + y", "--at", "x=1,y=2", "--json")
    assert code == 0
    model = GradientResponse.model_validate(json.loads(out))
    assert model.partials[0].mathml == to_mathml(-1 / x**2)
    assert model.domain[0].mathml == to_mathml(sympy.Ne(x, 0))
    assert "mathml" in type(model.gradient).model_fields


def test_steps_formats(capsys):
    _, text, _ = run(capsys, "grad", "x^2 y", "--steps")
    _, md, _ = run(capsys, "grad", "x^2 y", "--steps", "--format", "markdown")
    _, latex, _ = run(capsys, "grad", "x^2 y", "--steps", "--format", "latex")
    assert "  power rule: ∂/∂x (x^2) = 2·x" in text
    assert "    - **power rule**: $\\frac{\\partial}{\\partial x}\\left[x^{2}\\right] = 2 x$" \
        in md.splitlines()
    assert latex.count(r"\begin{array}{l}") == 3  # ∂f/∂x, ∂f/∂y, ∇f assembled
    assert r"\quad \text{(power rule)}" in latex
    for out in (text, md, latex):  # the answers stay the same
        assert "∂f/∂x = 2·x·y" in out


def test_plot_png_and_svg(capsys, tmp_path):
    png = tmp_path / "f.png"
    code, out, _ = run(capsys, "grad", CHAPTER, "--at", "x=1,y=2", "--plot", str(png),
                       "--surface")
    assert code == 0 and f"plot written to {png}" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    svg = tmp_path / "f.svg"
    code, out, _ = run(capsys, "grad", CHAPTER, "--at", "x=1,y=2", "--plot", str(svg),
                       "--x-range", "-2,4", "--json")
    assert code == 0 and json.loads(out)["plot"] == str(svg)
    text = svg.read_text()
    fx, fy = 4 + 2 * math.cos(2), 1 + math.cos(2)  # ∇f(1, 2)
    assert f"∇f = ({fx:.4g}, {fy:.4g})" in text  # the arrow at the point, in the legend
    assert "contours of f and ∇f" in text


def test_plot_errors_are_messages(capsys, tmp_path):
    code, _, err = run(capsys, "grad", "x*y", "--plot", str(tmp_path / "f.gif"))
    assert code == 2 and "use a .png or .svg file name" in err
    code, _, err = run(capsys, "grad", "x*y*z", "--plot", str(tmp_path / "f.png"))
    assert code == 2 and "give a value for z" in err and "--at" in err
    code, _, err = run(capsys, "grad", "x*y", "--plot", str(tmp_path / "f.png"),
                       "--x-range", "3")
    assert code == 2 and "--x-range needs two numbers" in err
    # a window the plot cannot use is named by the option the user typed
    code, _, err = run(capsys, "grad", "x*y", "--plot", str(tmp_path / "f.png"),
                       "--x-range", "3,1")
    assert code == 2 and "--x-range must have low < high" in err and "x_range" not in err
    code, _, err = run(capsys, "grad", "x*y", "--plot", str(tmp_path / "f.png"),
                       "--y-range", "1,1e400")
    assert code == 2 and "--y-range must be finite" in err
    assert not (tmp_path / "f.png").exists()


def _without(monkeypatch, *names: str) -> None:
    real = nablab.extras.find_spec

    def find_spec(name: str, *args: object):
        return None if name in names else real(name, *args)

    monkeypatch.setattr(nablab.extras, "find_spec", find_spec)


def test_missing_matplotlib_names_the_plot_extra(capsys, tmp_path, monkeypatch):
    _without(monkeypatch, "matplotlib")
    code, _, err = run(capsys, "grad", "x*y", "--plot", str(tmp_path / "f.png"))
    assert code == 2
    assert "nablab[plot]" in err and "pip install 'nablab[plot]'" in err
    assert not (tmp_path / "f.png").exists()


def test_missing_dask_names_the_dask_extra(capsys, tmp_path, monkeypatch):
    for k in range(2):
        (tmp_path / f"part{k}.csv").write_text("x,y\n1,2\n2,4\n3,6\n")
    _without(monkeypatch, "dask")
    code, _, err = run(capsys, "regress", str(tmp_path / "*.csv"))
    assert code == 2
    assert "nablab[dask]" in err and "not installed: dask" in err
    assert "pip install 'nablab[dask]'" in err and "Traceback" not in err


def test_missing_pyarrow_is_named_for_parquet(capsys, monkeypatch):
    _without(monkeypatch, "pyarrow")
    code, out, _ = run(capsys, "regress", "data.parquet", "--json")
    assert code == 2  # --json: the error object on stdout
    error = json.loads(out)["error"]
    assert "nablab[dask]" in error["message"] and "pyarrow" in error["message"]
    assert error["hint"] == "pip install 'nablab[dask]'"


def test_missing_web_names_the_web_extra(capsys, monkeypatch):
    _without(monkeypatch, "fastapi")
    # --time-limit -1 would be refused right after the imports: the server never starts
    code, _, err = run(capsys, "serve", "--time-limit", "-1")
    assert code == 2 and "nablab[web]" in err and "not installed: fastapi" in err
