"""Rich display of results (notebooks): HTML with MathML, plus plain text, Markdown and LaTeX.

For every result object of the library (a parsed :class:`~nablab.expression.Expression`, a
gradient, a point, a step tree, an answer check, a descent run or several, a regression) this
module registers with :mod:`nablab.display` a builder of the MIME bundle a Jupyter front end
shows: ``text/html`` (the typeset reading, each partial, ∇f as a column, the domain, the table at
a point, steps in collapsible ``<details>``), ``text/plain`` for terminals, and where the result
is mathematical ``text/markdown`` and ``text/latex`` (``$$…$$`` for the notebook's own MathJax).
Math in the HTML is MathML, which browsers draw natively: nothing is loaded from anywhere.

The result classes' ``_repr_mimebundle_`` finds these builders through :mod:`nablab.display`
(imported on the first display; see docs/architecture.md). Like every renderer this formats and
never computes.
"""

from __future__ import annotations

import html
import math
from typing import Any

import sympy

from nablab import display
from nablab.calculus.answer_check import CheckResult
from nablab.calculus.domain import describe
from nablab.calculus.gradient import GradientResult
from nablab.calculus.point import Number, PointResult
from nablab.expression import Expression
from nablab.optimize.descent import DescentResult, DescentRuns
from nablab.optimize.linear import RegressionResult
from nablab.printing.text import to_echo
from nablab.render.latex import to_latex
from nablab.render.mathml import to_mathml
from nablab.render.objective import model_dict, partials_list
from nablab.render.steps import to_markdown as steps_markdown
from nablab.render.steps import to_text as steps_text
from nablab.steps import rules as R
from nablab.steps.partial import GradientSteps
from nablab.steps.wording import wording

__all__ = ["mime_bundle", "to_html"]

Bundle = display.Bundle

_STYLE = (
    "<style>.nablab{font-family:system-ui,sans-serif;line-height:1.5;max-width:60em}"
    ".nablab table{border-collapse:collapse;margin:.3em 0}"
    ".nablab td,.nablab th{border:1px solid rgba(127,127,127,.4);padding:.15em .6em;"
    "text-align:left}.nablab .ok{color:#1a7f37}.nablab .bad{color:#cf222e;font-weight:bold}"
    ".nablab .note{color:#9a6700}.nablab h4{margin:.6em 0 .2em}"
    ".nablab details{margin:.2em 0}.nablab summary{cursor:pointer}"
    ".nablab ul.steps{margin:.2em 0 .2em 1em;padding-left:1em}</style>"
)
_MATH = '<math xmlns="http://www.w3.org/1998/Math/MathML"'


def mime_bundle(obj: Any) -> Bundle:
    """``{mime type: text}`` for a result object (see the module docstring); a TypeError for an
    object that is not one."""
    build = display.builder_for(type(obj))
    if build is None:
        raise TypeError(f"no rich display for {type(obj).__name__}")
    return build(obj)


def to_html(obj: Any) -> str:
    """The ``text/html`` part of :func:`mime_bundle`."""
    return mime_bundle(obj)["text/html"]


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _m(expr: sympy.Basic, block: bool = False) -> str:
    return to_mathml(expr, block)


def _inner(expr: sympy.Basic) -> str:
    """MathML of ``expr`` without its ``<math>`` wrapper (to build larger formulas)."""
    out = to_mathml(expr)
    return out[out.index(">") + 1:-len("</math>")]


def _dfd(v: sympy.Symbol, f: str = "f") -> str:
    """∂f/∂v as a MathML fraction."""
    return (f"{_MATH}><mfrac><mrow><mo>∂</mo><mi>{_e(f)}</mi></mrow>"
            f"<mrow><mo>∂</mo>{_inner(v)}</mrow></mfrac></math>")


def _num(v: float | None, spec: str = ".12g") -> str:
    return "—" if v is None or not math.isfinite(v) else format(v, spec)


def _wrap(body: str) -> str:
    return f'{_STYLE}<div class="nablab">{body}</div>'


def _head(e: Expression, variables: tuple[sympy.Symbol, ...]) -> tuple[str, str, str]:
    """(html, text, latex) of ``f(x, y) = …`` plus parameters and reading notes."""
    args = ", ".join(v.name for v in variables)
    typeset = "<mo>,</mo>".join(_inner(v) for v in variables)
    out = [f"<p>{_MATH}><mi>f</mi><mo>(</mo>{typeset}<mo>)</mo><mo>=</mo>{_inner(e.expr)}"
           "</math></p>"]
    text = [f"f({args}) = {to_echo(e.expr)}"]
    if e.parameters:
        params = ", ".join(p.name for p in e.parameters)
        out.append(f"<p>parameters (held constant): {_e(params)}</p>")
        text.append(f"parameters (held constant): {params}")
    for w in e.warnings:
        where = f" (column {w.column})" if w.column else ""
        out.append(f'<p class="note">note{where}: {_e(w.message)}</p>')
        text.append(f"note{where}: {w.message}")
    latex_args = ", ".join(to_latex(v) for v in variables)
    return "".join(out), "\n".join(text), f"f({latex_args}) = {to_latex(e.expr)}"


# --- the reading ---------------------------------------------------------------------------


@display.register(Expression)
def _expression(e: Expression) -> Bundle:
    head, text, latex = _head(e, e.variables)
    names = ", ".join(e.variable_names) or "—"
    return {"text/html": _wrap(head + f"<p>variables: {_e(names)}</p>"),
            "text/plain": text + f"\nvariables: {names}",
            "text/latex": f"$${latex}$$", "text/markdown": f"$${latex}$$"}


# --- steps ---------------------------------------------------------------------------------


def _step_items(node: R.StepNode) -> str:
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
    subs = "".join(_step_items(s) for s in node.substeps)
    inner = f'<ul class="steps">{subs}</ul>' if subs else ""
    return f"<li><b>{_e(w.title)}</b>{extra}: {math_}{inner}</li>"


def _steps_section(title: str, node: R.StepNode, open_: bool = False) -> str:
    attr = " open" if open_ else ""
    return (f"<details{attr}><summary>{_e(title)}</summary>"
            f'<ul class="steps">{_step_items(node)}</ul></details>')


@display.register(R.StepNode)
def _step_tree(node: R.StepNode) -> Bundle:
    return {"text/html": _wrap(_steps_section("steps", node, open_=True)),
            "text/plain": steps_text(node), "text/markdown": steps_markdown(node)}


def _all_steps(steps: GradientSteps | Any) -> list[tuple[str, R.StepNode]]:
    shown = [(f"∂f/∂{name} step by step", node) for name, node in steps.items()]
    assembly = getattr(steps, "assembly", None)
    if assembly is not None:
        shown.append(("∇f assembled", assembly))
    return shown


@display.register(GradientSteps)
def _gradient_steps(steps: GradientSteps) -> Bundle:
    shown = _all_steps(steps)
    return {"text/html": _wrap("".join(_steps_section(t, n) for t, n in shown)),
            "text/plain": "\n\n".join(steps_text(n) for _, n in shown),
            "text/markdown": "\n\n".join(steps_markdown(n) for _, n in shown)}


# --- a point -------------------------------------------------------------------------------


def _exact(n: Number) -> str:
    return "" if n.exact is None else _m(n.exact)


def _point_parts(at: PointResult, names: list[str]) -> tuple[str, str]:
    """(html, text) of f and ∇f at the point with the finite-difference check, row by row."""
    point = ", ".join(f"{k} = {_num(v)}" for k, v in at.point.items())
    body = []
    for name, g, row in zip(names, at.gradient, at.check, strict=True):
        status = ('<span class="ok">ok</span>' if row.ok else
                  "not checked" if not row.checked else
                  f'<span class="bad">MISMATCH</span> (tol {row.tolerance:.1e})')
        body.append(f"<tr><td>{_dfd(sympy.Symbol(name))}</td><td>{_exact(g)}</td>"
                    f"<td>{_num(g.value)}</td><td>{_num(row.numeric)}</td>"
                    f"<td>{_num(row.abs_error, '.2e')}</td><td>{status}</td></tr>")
    value = at.value
    exact = f" = {_m(value.exact)}" if value.exact is not None else ""
    out = [f"<h4>at ({_e(point)})</h4><p><i>f</i> = {_num(value.value)}{exact}, "
           f"‖∇<i>f</i>‖ = {_num(at.norm)}</p><table><tr><th>∂f/∂</th><th>exact</th>"
           "<th>symbolic</th><th>finite difference</th><th>abs error</th><th>check</th></tr>"
           + "".join(body) + "</table>"]
    dd = at.directional_derivative
    if dd is not None:
        unit = ", ".join(_num(d) for d in dd["unit"])
        out.append(f"<p>directional derivative along ({_e(unit)}) = {_num(dd['value'])}</p>")
    out.extend(f'<p class="{"bad" if n == at.mismatch_note else "note"}">{_e(n)}</p>'
               for n in at.notes)
    text = [f"at ({point}): f = {_num(value.value)}"
            + (f" = {to_echo(value.exact)}" if value.exact is not None else "")]
    for name, g, row in zip(names, at.gradient, at.check, strict=True):
        check = "ok" if row.ok else "not checked" if not row.checked else "MISMATCH"
        text.append(f"  ∂f/∂{name} = {_num(g.value)} (finite difference {_num(row.numeric)}, "
                    f"{check})")
    text.append(f"  ‖∇f‖ = {_num(at.norm)}")
    if dd is not None:
        text.append(f"  directional derivative = {_num(dd['value'])}")
    text.extend(f"  {n}" for n in at.notes)
    return "".join(out), "\n".join(text)


@display.register(PointResult)
def _point(at: PointResult) -> Bundle:
    names = [row.variable for row in at.check] or list(at.point)[:len(at.gradient)]
    body, text = _point_parts(at, names)
    return {"text/html": _wrap(body), "text/plain": text}


# --- the gradient --------------------------------------------------------------------------


@display.register(GradientResult)
def _gradient(r: GradientResult) -> Bundle:
    names = [v.name for v in r.variables]
    head, text, latex = _head(r.expression, r.variables)
    out, lines, tex = [head], [text, ""], [latex]
    rows = []
    for v, p, note in zip(r.variables, r.partials, r.notes, strict=True):
        rows.append(f"<tr><td>{_dfd(v)}</td><td>{_m(p)}</td>"
                    + (f'<td class="note">{_e(note)}</td>' if note else "<td></td>") + "</tr>")
        lines.append(f"∂f/∂{v.name} = {to_echo(p)}" + (f"   (note: {note})" if note else ""))
        tex.append(rf"\frac{{\partial f}}{{\partial {to_latex(v)}}} = {to_latex(p)}")
    out.append("<h4>partial derivatives</h4><table>" + "".join(rows) + "</table>")
    out.append(f"<h4>gradient</h4><p>{_MATH}><mo>∇</mo><mi>f</mi><mo>=</mo>"
               f"{_inner(r.gradient)}</math></p>")
    lines.append("∇f = (" + ", ".join(to_echo(p) for p in r.partials) + ")ᵀ")
    tex.append(rf"\nabla f = {to_latex(r.gradient)}")
    if r.hessian is not None:
        hessian = sympy.Matrix(r.hessian)
        out.append(f"<h4>Hessian</h4><p>{_m(hessian)}</p>")
        lines.append("Hessian = " + str([[to_echo(x) for x in row] for row in r.hessian]))
        tex.append(rf"H = {to_latex(hessian)}")
    if r.domain:
        items = "".join(f"<li>{_m(c.expr)} ({_e(c.applies_to)}) — {_e(c.reason)}</li>"
                        for c in r.domain)
        out.append(f"<h4>domain over the reals</h4><ul>{items}</ul>")
        lines.append("domain: " + "; ".join(f"{describe(c.expr)} ({c.reason})"
                                            for c in r.domain))
    else:
        out.append("<p>domain: all real numbers</p>")
        lines.append("domain: all real numbers")
    if r.at is not None:
        body, text = _point_parts(r.at, names)
        out.append(body)
        lines.append(text)
    md_steps = ""
    if r.steps is not None:
        shown = _all_steps(r.steps)
        out.append("<h4>steps</h4>" + "".join(_steps_section(t, n) for t, n in shown))
        md_steps = "\n\n" + "\n\n".join(steps_markdown(n) for _, n in shown)
    latex_doc = r"$$\begin{aligned}" + r"\\ ".join(t.replace("=", "&=", 1) for t in tex) + \
        r"\end{aligned}$$"
    return {"text/html": _wrap("".join(out)), "text/plain": "\n".join(lines),
            "text/latex": latex_doc, "text/markdown": latex_doc + md_steps}


# --- check my answer -----------------------------------------------------------------------


@display.register(CheckResult)
def _check(c: CheckResult) -> Bundle:
    verdict = "equals" if c.equivalent else "does not equal"
    cls = "ok" if c.equivalent else "bad"
    d = _dfd(sympy.Symbol(c.variable))
    out = [f'<p>{_m(c.answer)} <span class="{cls}">{verdict}</span> {d} = '
           f"{_m(c.expected)} <small>({_e(c.method)}, {c.points_checked} points)</small></p>"]
    text = [f"{to_echo(c.answer)} {verdict} ∂f/∂{c.variable} = {to_echo(c.expected)} "
            f"({c.method}, {c.points_checked} points)"]
    if c.counterexample is not None:
        ce = c.counterexample
        pt = ", ".join(f"{k} = {v:g}" for k, v in ce.point.items())
        out.append(f"<p>at ({_e(pt)}): expected {_num(ce.expected)}, the answer gives "
                   f"{_num(ce.answer)}</p>")
        text.append(f"at ({pt}): expected {_num(ce.expected)}, answer {_num(ce.answer)}")
    for t in c.wrong_terms:
        shown = t.answer if t.answer is not None else t.expected
        term = f": {_m(shown)}" if shown is not None else ""
        out.append(f'<p class="note">{_e(t.problem)}{term}</p>')
        text.append(t.problem + (f": {to_echo(shown)}" if shown is not None else ""))
    rel = "=" if c.equivalent else r"\ne"
    latex = (f"$${to_latex(c.answer)} {rel} \\frac{{\\partial f}}{{\\partial "
             f"{to_latex(sympy.Symbol(c.variable))}}} = {to_latex(c.expected)}$$")
    return {"text/html": _wrap("".join(out)), "text/plain": "\n".join(text),
            "text/latex": latex, "text/markdown": latex}


# --- optimisation --------------------------------------------------------------------------


def _run_table(names: list[str], rows: list[list[float]], values: list[float],
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


def _state(converged: bool, diverged: bool) -> str:
    return "converged" if converged else "diverged" if diverged else "stopped"


def _descent_parts(r: DescentResult) -> tuple[str, str]:
    state = _state(r.converged, r.diverged)
    point = ", ".join(f"{n} = {_num(v, '.10g')}" for n, v in zip(r.variables, r.point,
                                                                  strict=True))
    value = r.values[-1] if r.values else None
    partials = "".join(f"<li>{_dfd(sympy.Symbol(n))} = {_m(g)}</li>"
                       for n, g in zip(r.variables, r.gradient, strict=True))
    cls = "ok" if r.converged else "bad" if r.diverged else "note"
    out = [f"<p>{_e(r.method)} (η = {_num(r.rate)}) on <i>f</i> = {_e(r.function)}</p>",
           f"<ul>{partials}</ul>",
           f'<p class="{cls}">{state} after {r.steps} steps: {_e(r.reason)}</p>',
           f"<p>at ({_e(point)}), <i>f</i> = {_num(value)}</p>",
           _run_table(r.variables, r.path, r.values, "f")]
    text = f"descent ({r.method}, rate {r.rate:g}): {state} after {r.steps} steps at " \
           f"({point}), f = {_num(value)} — {r.reason}"
    return "".join(out), text


@display.register(DescentResult)
def _descent(r: DescentResult) -> Bundle:
    body, text = _descent_parts(r)
    return {"text/html": _wrap(body), "text/plain": text}


@display.register(DescentRuns)
def _runs(r: DescentRuns) -> Bundle:
    parts = [_descent_parts(x) for x in r.runs]
    start = ", ".join(f"{n} = {_num(v, '.10g')}" for n, v in zip(r.variables, r.start,
                                                                  strict=True))
    body = "".join(f"<details open><summary>{_e(x.method)}</summary>{h}</details>"
                   for x, (h, _) in zip(r.runs, parts, strict=True))
    head = f"<p>{len(r.runs)} methods on <i>f</i> = {_e(r.function)} from ({_e(start)})</p>"
    return {"text/html": _wrap(head + body),
            "text/plain": "\n".join(t for _, t in parts)}


@display.register(RegressionResult)
def _regression(r: RegressionResult) -> Bundle:
    names = ["intercept", *r.x_names]
    rows = "".join(f"<tr><td>{_e(n)}</td><td>{_num(t, '.10g')}</td><td>{_num(c, '.10g')}</td>"
                   f"</tr>" for n, t, c in zip(names, r.theta, r.closed_form, strict=True))
    partials = "".join(f"<li>∂J/∂{_e(p['variable'])} = {_e(p['echo'])}</li>"
                       for p in partials_list(r.objective))
    state = _state(r.converged, r.diverged)
    model = model_dict(r.objective, r.data_names)["echo"]
    out = [f"<p>linear regression of {_e(r.y_name)} on {_e(', '.join(r.x_names))} "
           f"({r.n_rows} rows) by gradient descent on the MSE, {_e(model)}</p>",
           f"<p>{state} after {r.iterations} iterations ({_e(r.method)}, "
           f"η = {_num(r.rate)}): {_e(r.reason)}</p>",
           "<table><tr><th>θ</th><th>descent</th><th>least squares</th></tr>" + rows +
           "</table>",
           f"<p>loss {_num(r.loss)} (least squares {_num(r.closed_form_loss)})</p>",
           f"<details><summary>partials of the MSE</summary><ul>{partials}</ul></details>"]
    out.extend(f'<p class="note">{_e(w)}</p>' for w in r.warnings)
    text = f"regression {r.y_name} ~ {', '.join(r.x_names)}: θ = (" + ", ".join(
        _num(t, ".8g") for t in r.theta) + f"), loss {_num(r.loss)}, {state} after " \
        f"{r.iterations} iterations"
    return {"text/html": _wrap("".join(out)), "text/plain": text}
