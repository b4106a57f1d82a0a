"""Rich display of results (for notebooks): HTML with MathML, plus plain text, Markdown and LaTeX.

:func:`mime_bundle` gives, for every result object of the library (a parsed
:class:`~nablab.expression.Expression`, a gradient, a step tree, an answer check, a descent run,
a regression), the MIME bundle a Jupyter front end shows: ``text/html`` (the typeset reading,
each partial, ∇f as a column, the domain, the table at a point, steps in collapsible sections),
``text/plain`` for terminals, ``text/markdown`` and ``text/latex`` (``$$…$$`` for the notebook's
own MathJax). Math in the HTML is MathML, which browsers draw natively: nothing is loaded.
Like every renderer this formats and never computes.
"""

from __future__ import annotations

import html
import math
from functools import singledispatch
from typing import Any

import sympy

from nablab.calculus.answer_check import CheckResult
from nablab.calculus.gradient import GradientResult
from nablab.expression import Expression
from nablab.optimize.descent import DescentResult
from nablab.optimize.linear import RegressionResult
from nablab.printing.text import to_echo
from nablab.render.json import to_json
from nablab.render.latex import to_latex
from nablab.render.mathml import to_mathml
from nablab.render.steps import to_markdown as steps_markdown
from nablab.render.steps import to_text as steps_text
from nablab.steps import rules as R
from nablab.steps.partial import GradientSteps
from nablab.steps.wording import wording

__all__ = ["mime_bundle", "to_html"]

_STYLE = (
    "<style>.nablab{font-family:system-ui,sans-serif;line-height:1.5;max-width:60em}"
    ".nablab table{border-collapse:collapse;margin:.3em 0}"
    ".nablab td,.nablab th{border:1px solid rgba(127,127,127,.4);padding:.15em .6em;"
    "text-align:left}.nablab .ok{color:#1a7f37}.nablab .bad{color:#cf222e;font-weight:bold}"
    ".nablab .note{color:#9a6700}.nablab h4{margin:.6em 0 .2em}"
    ".nablab details{margin:.2em 0}.nablab summary{cursor:pointer}"
    ".nablab ul.steps{margin:.2em 0 .2em 1em;padding-left:1em}</style>"
)


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _m(expr: sympy.Basic, display: bool = False) -> str:
    return to_mathml(expr, display)


def _num(v: float | None, spec: str = ".12g") -> str:
    return "—" if v is None or not math.isfinite(v) else format(v, spec)


def _wrap(body: str) -> str:
    return f'{_STYLE}<div class="nablab">{body}</div>'


def _head(e: Expression, names: list[str]) -> tuple[str, str, str]:
    """(html, text, latex) of ``f(x, y) = …`` plus parameters and reading notes."""
    args = ", ".join(names)
    out = [f"<p><i>f</i>({_e(args)}) = {_m(e.expr)}</p>"]
    text = [f"f({args}) = {to_echo(e.expr)}"]
    if e.parameters:
        params = ", ".join(p.name for p in e.parameters)
        out.append(f"<p>parameters (held constant): {_e(params)}</p>")
        text.append(f"parameters (held constant): {params}")
    for w in e.warnings:
        where = f" (column {w.column})" if w.column else ""
        out.append(f'<p class="note">note{where}: {_e(w.message)}</p>')
        text.append(f"note{where}: {w.message}")
    return "".join(out), "\n".join(text), f"f({args}) = {to_latex(e.expr)}"


@singledispatch
def mime_bundle(obj: Any) -> dict[str, str]:
    """``{mime type: text}`` for a result object (see the module docstring)."""
    raise TypeError(f"no rich display for {type(obj).__name__}")


def to_html(obj: Any) -> str:
    """The ``text/html`` part of :func:`mime_bundle`."""
    return mime_bundle(obj)["text/html"]


@mime_bundle.register
def _(e: Expression) -> dict[str, str]:
    head, text, latex = _head(e, e.variable_names)
    return {"text/html": _wrap(head), "text/plain": text, "text/latex": f"$${latex}$$",
            "text/markdown": f"$${latex}$$"}


def _step_items(node: R.StepNode, depth: int = 0) -> str:
    w = wording(node.rule)
    if node.variable is not None:
        lhs = sympy.Derivative(node.expr, node.variable, evaluate=False)
        math_ = _m(sympy.Eq(lhs, node.result, evaluate=False)) if isinstance(
            node.result, sympy.Expr) else _m(lhs)
    else:
        math_ = _m(node.result) if isinstance(node.result, sympy.Basic) else ""
    extra = ""
    if node.substitution is not None:
        u, inner = node.substitution
        extra = f" (let {_m(u)} = {_m(inner)})"
    elif isinstance(node, R.PartialRule) and node.constants:
        held = ", ".join(_m(c) for c in node.constants)
        extra = f" (treat {held} as constant{'s' if len(node.constants) > 1 else ''})"
    subs = "".join(_step_items(s, depth + 1) for s in node.substeps)
    inner = f'<ul class="steps">{subs}</ul>' if subs else ""
    return f"<li><b>{_e(w.title)}</b>{extra}: {math_}{inner}</li>"


def _steps_section(title: str, node: R.StepNode, open_: bool = False) -> str:
    attr = " open" if open_ else ""
    return (f"<details{attr}><summary>{_e(title)}</summary>"
            f'<ul class="steps">{_step_items(node)}</ul></details>')


@mime_bundle.register
def _(node: R.StepNode) -> dict[str, str]:
    return {"text/html": _wrap(_steps_section("steps", node, open_=True)),
            "text/plain": steps_text(node), "text/markdown": steps_markdown(node)}


@mime_bundle.register
def _(steps: GradientSteps) -> dict[str, str]:
    parts = [_steps_section(f"∂f/∂{name} step by step", node) for name, node in steps.items()]
    parts.append(_steps_section("∇f assembled", steps.assembly))
    text = "\n\n".join(steps_text(n) for n in [*steps.values(), steps.assembly])
    md = "\n\n".join(steps_markdown(n) for n in [*steps.values(), steps.assembly])
    return {"text/html": _wrap("".join(parts)), "text/plain": text, "text/markdown": md}


@mime_bundle.register
def _(r: GradientResult) -> dict[str, str]:
    names = [v.name for v in r.variables]
    head, text, latex = _head(r.expression, names)
    out, lines, tex = [head], [text, ""], [latex]
    rows = []
    for v, p, note in zip(r.variables, r.partials, r.notes, strict=True):
        d = sympy.Symbol(f"∂f/∂{v.name}")
        rows.append(f"<tr><td>{_m(d)}</td><td>{_m(p)}</td>"
                    + (f'<td class="note">{_e(note)}</td>' if note else "<td></td>") + "</tr>")
        lines.append(f"∂f/∂{v.name} = {to_echo(p)}" + (f"   (note: {note})" if note else ""))
        tex.append(rf"\frac{{\partial f}}{{\partial {to_latex(v)}}} = {to_latex(p)}")
    out.append("<h4>partial derivatives</h4><table>" + "".join(rows) + "</table>")
    out.append(f"<h4>gradient</h4><p>∇<i>f</i> = {_m(r.gradient)}</p>")
    lines.append("∇f = (" + ", ".join(to_echo(p) for p in r.partials) + ")")
    tex.append(rf"\nabla f = {to_latex(r.gradient)}")
    if r.hessian is not None:
        out.append(f"<h4>Hessian</h4><p>{_m(sympy.Matrix(r.hessian))}</p>")
    if r.domain:
        items = "".join(f"<li>{_m(c.expr)} ({_e(c.applies_to)}) — "
                        f"{_e(c.reason)}</li>" for c in r.domain)
        out.append(f"<h4>domain over the reals</h4><ul>{items}</ul>")
        lines.append("domain: " + "; ".join(f"{to_echo(c.expr)} ({c.reason})"
                                            for c in r.domain))
    else:
        out.append("<p>domain: all real numbers</p>")
    if r.at is not None:
        at = to_json(r)["at"]
        point = ", ".join(f"{k} = {_num(v)}" for k, v in at["point"].items())
        body = []
        for name, g, row in zip(names, at["gradient"], at["check"], strict=True):
            status = ('<span class="ok">ok</span>' if row["ok"] else
                      "not checked" if not row["checked"] else
                      f'<span class="bad">MISMATCH</span> (tol {row["tolerance"]:.1e})')
            body.append(f"<tr><td>∂f/∂{_e(name)}</td><td>{_e(g['exact'] or '')}</td>"
                        f"<td>{_num(g['float'])}</td><td>{_num(row['numeric'])}</td>"
                        f"<td>{_num(row['abs_error'], '.2e')}</td><td>{status}</td></tr>")
        out.append(f"<h4>at ({_e(point)})</h4><p><i>f</i> = {_num(at['value']['float'])}"
                   + (f" = {_e(at['value']['exact'])}" if at["value"]["exact"] else "")
                   + f", ‖∇<i>f</i>‖ = {_num(at['norm'])}</p><table><tr><th>∂f/∂</th>"
                   "<th>exact</th><th>symbolic</th><th>finite difference</th>"
                   "<th>abs error</th><th>check</th></tr>" + "".join(body) + "</table>")
        out.extend(f'<p class="note">{_e(n)}</p>' for n in at["notes"])
        lines.append(f"at ({point}): f = {_num(at['value']['float'])}, ∇f = ("
                     + ", ".join(_num(g["float"]) for g in at["gradient"]) + ")")
    md_steps = ""
    if r.steps is not None:
        out.append("<h4>steps</h4>" + "".join(
            _steps_section(f"∂f/∂{name} step by step", node) for name, node in r.steps.items()))
        md_steps = "\n\n" + "\n\n".join(steps_markdown(n) for n in r.steps.values())
    latex_doc = r"$$\begin{aligned}" + r"\\ ".join(t.replace("=", "&=", 1) for t in tex) + \
        r"\end{aligned}$$"
    return {"text/html": _wrap("".join(out)), "text/plain": "\n".join(lines),
            "text/latex": latex_doc, "text/markdown": latex_doc + md_steps}


@mime_bundle.register
def _(c: CheckResult) -> dict[str, str]:
    verdict = "equals" if c.equivalent else "does not equal"
    cls = "ok" if c.equivalent else "bad"
    d = sympy.Symbol(f"∂f/∂{c.variable}")
    out = [f'<p>{_m(c.answer)} <span class="{cls}">{verdict}</span> {_m(d)} = '
           f"{_m(c.expected)} <small>({_e(c.method)}, {c.points_checked} points)</small></p>"]
    text = [f"{to_echo(c.answer)} {verdict} ∂f/∂{c.variable} = {to_echo(c.expected)} "
            f"({c.method})"]
    if c.counterexample is not None:
        ce = c.counterexample
        pt = ", ".join(f"{k} = {v}" for k, v in ce.point.items())
        out.append(f"<p>at ({_e(pt)}): expected {_num(ce.expected)}, the answer gives "
                   f"{_num(ce.answer)}</p>")
        text.append(f"at ({pt}): expected {_num(ce.expected)}, answer {_num(ce.answer)}")
    for t in c.wrong_terms:
        out.append(f'<p class="note">{_e(t.problem)}</p>')
        text.append(t.problem)
    rel = "=" if c.equivalent else r"\ne"
    return {"text/html": _wrap("".join(out)), "text/plain": "\n".join(text),
            "text/latex": f"$${to_latex(c.answer)} {rel} "
                          rf"\frac{{\partial f}}{{\partial {c.variable}}}$$"}


def _run_table(names: list[str], rows: list[list[float | None]], values: list[float | None],
               value_name: str) -> str:
    shown = list(range(len(rows))) if len(rows) <= 12 else [*range(6), *range(len(rows) - 5,
                                                                              len(rows))]
    head = "".join(f"<th>{_e(n)}</th>" for n in ["step", *names, value_name])
    body, last = [], -1
    for k in shown:
        if k != last + 1:
            body.append(f'<tr><td colspan="{len(names) + 2}">…</td></tr>')
        cells = "".join(f"<td>{_num(v, '.8g')}</td>" for v in rows[k])
        val = values[k] if k < len(values) else None
        body.append(f"<tr><td>{k}</td>{cells}<td>{_num(val, '.8g')}</td></tr>")
        last = k
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


@mime_bundle.register
def _(r: DescentResult) -> dict[str, str]:
    d = to_json(r)
    state = ("converged" if d["converged"] else "diverged" if d["diverged"] else "stopped")
    point = ", ".join(f"{n} = {_num(v, '.10g')}" for n, v in zip(d["variables"], d["point"],
                                                                  strict=True))
    out = [f"<p>gradient descent ({_e(d['method'])}, η = {_num(d['rate'])}) on "
           f"<i>f</i> = {_e(d['function'])}</p>",
           f'<p class="{"ok" if d["converged"] else "bad" if d["diverged"] else "note"}">'
           f"{state} after {d['steps']} steps: {_e(d['reason'])}</p>",
           f"<p>at ({_e(point)}), <i>f</i> = {_num(d['value'])}</p>",
           _run_table(d["variables"], d["path"], d["values"], "f")]
    text = f"descent ({d['method']}, rate {d['rate']}): {state} after {d['steps']} steps at " \
           f"({point}), f = {_num(d['value'])} — {d['reason']}"
    return {"text/html": _wrap("".join(out)), "text/plain": text}


@mime_bundle.register
def _(r: RegressionResult) -> dict[str, str]:
    d = to_json(r)
    names = d["names"]
    rows = "".join(f"<tr><td>{_e(n)}</td><td>{_num(t, '.10g')}</td><td>{_num(c, '.10g')}</td>"
                   f"</tr>" for n, t, c in zip(names, d["theta"], d["closed_form"], strict=True))
    partials = "".join(f"<li>{_e(p.get('variable', ''))}: {_e(p.get('text', ''))}</li>"
                       for p in d["partials"])
    state = "converged" if d["converged"] else "diverged" if d["diverged"] else "stopped"
    out = [f"<p>linear regression of {_e(d['y'])} on {_e(', '.join(d['x']))} "
           f"({d['rows']} rows) by gradient descent on the MSE</p>",
           f"<p>{state} after {d['iterations']} iterations (η = {_num(d['rate'])}): "
           f"{_e(d['reason'])}</p>",
           "<table><tr><th>θ</th><th>descent</th><th>least squares</th></tr>" + rows +
           "</table>",
           f"<p>loss {_num(d['loss'])} (least squares {_num(d['closed_form_loss'])})</p>",
           f"<details><summary>partials of the MSE</summary><ul>{partials}</ul></details>"]
    out.extend(f'<p class="note">{_e(w)}</p>' for w in d["warnings"])
    text = f"regression {d['y']} ~ {', '.join(d['x'])}: θ = (" + ", ".join(
        _num(t, ".8g") for t in d["theta"]) + f"), loss {_num(d['loss'])}, {state}"
    return {"text/html": _wrap("".join(out)), "text/plain": text}
