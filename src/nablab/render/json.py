"""The JSON of every result: what ``nablab … --json`` prints and the HTTP API returns.

Results stay plain data; their JSON is written here, in one place: :func:`to_json` dispatches on
the result's type (``functools.singledispatch``), so a new result type registers its own writer
(the optimisation results keep ``nablab descent --json``'s key order; non-finite numbers become
``null``). :func:`error_body` is the ``error`` object of a :class:`~nablab.errors.NablabError`,
shared by the CLI and the HTTP API.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from functools import singledispatch
from typing import Any

import sympy

from nablab.calculus.answer_check import CheckResult, Counterexample, WrongTerm
from nablab.calculus.domain import Condition
from nablab.calculus.fdcheck import UNCHECKED, CheckRow
from nablab.calculus.forms import FormResult
from nablab.calculus.gradient import GradientResult
from nablab.calculus.graph import Graph
from nablab.calculus.point import Number, PointResult
from nablab.dag import has_data, tree_size
from nablab.errors import NablabError
from nablab.expression import Expression, ParseWarning
from nablab.optimize.advice import Advice, RunSensitivity, Sensitivity
from nablab.optimize.descent import DescentResult, DescentRuns
from nablab.optimize.divergence import Curvature
from nablab.optimize.linear import RegressionResult
from nablab.printing.text import to_echo, to_text
from nablab.render import objective
from nablab.render.latex import to_latex
from nablab.render.mathml import matrix_mathml, to_mathml
from nablab.render.steps import ref_id, step_ids
from nablab.sampling import PlotGrid
from nablab.steps import rules as R
from nablab.steps.partial import GradientSteps
from nablab.steps.wording import wording

__all__ = ["error_body", "expression_dict", "to_json"]


@singledispatch
def to_json(obj: Any) -> Any:
    """The JSON object (dicts, lists, str, numbers, None) of a result of any layer."""
    raise TypeError(f"no JSON form for {type(obj).__name__}")


def error_body(err: NablabError) -> dict[str, Any]:
    """``{"message", "column", "hint"}``: the ``error`` object of every JSON answer."""
    return {"message": err.message, "column": err.column, "hint": err.hint}


#: formulas larger than this (tree nodes) get ``"mathml": null``: MathML costs ~3× LaTeX to
#: print, and the page and the HTTP API, which typeset with LaTeX, must not pay seconds for it
MATHML_MAX_NODES = 2000


def _mathml(expr: sympy.Basic) -> str | None:
    return None if tree_size(expr) > MATHML_MAX_NODES else to_mathml(expr)


def _matrix_mathml(rows: list[list[sympy.Expr]]) -> str | None:
    if sum(tree_size(e) for row in rows for e in row) > MATHML_MAX_NODES:
        return None
    return matrix_mathml(rows)


# --- expression ----------------------------------------------------------------------------


@to_json.register
def _warning(w: ParseWarning) -> dict[str, Any]:
    return {"message": w.message, "column": w.column}


@to_json.register
def expression_dict(e: Expression) -> dict[str, Any]:
    """``input``, ``expression`` {``text``, ``latex``, ``mathml``, ``echo``}, ``variables``,
    ``parameters``, ``warnings`` [{``message``, ``column``}], ``sums_over_data`` (a Σ over
    data such as the MSE: it has no value, picture or descent without the data). The common
    head of the gradient's JSON, and the ``nablab parse --json`` object."""
    return {
        "input": e.source,
        "expression": {"text": to_text(e.expr), "latex": to_latex(e.expr),
                       "mathml": _mathml(e.expr), "echo": to_echo(e.expr)},
        "variables": e.variable_names,
        "parameters": e.parameter_names,
        "warnings": [_warning(w) for w in e.warnings],
        "sums_over_data": has_data(e.expr),
    }


# --- gradient ------------------------------------------------------------------------------


def _matrix_text(rows: list[list[sympy.Expr]]) -> str:
    """``Matrix([[a], [b]])`` on one line (SymPy syntax, read back by sympify)."""
    inner = ", ".join("[" + ", ".join(to_text(x) for x in row) + "]" for row in rows)
    return f"Matrix([{inner}])"


@to_json.register
def _gradient(r: GradientResult) -> dict[str, Any]:
    out = expression_dict(r.expression)
    out["variables"] = [v.name for v in r.variables]
    out["parameters"] = [p.name for p in r.parameters]
    out["form"] = r.form
    out["partials"] = [
        {"variable": v.name, "text": to_text(p), "latex": to_latex(p), "mathml": _mathml(p),
         "echo": to_echo(p), "note": note}
        for v, p, note in zip(r.variables, r.partials, r.notes, strict=True)
    ]
    column = r.gradient
    out["gradient"] = {"text": _matrix_text([[p] for p in r.partials]),
                       "latex": to_latex(column),
                       "mathml": _matrix_mathml([[p] for p in r.partials])}
    if r.hessian is not None:
        matrix = sympy.Matrix(r.hessian)
        out["hessian"] = {"text": _matrix_text(r.hessian), "latex": to_latex(matrix),
                          "mathml": _matrix_mathml(r.hessian)}
    out["domain"] = [_condition(c) for c in r.domain]
    out["at"] = None if r.at is None else _point(r.at)
    if r.steps is not None:
        out["steps"] = {name: to_json(node) for name, node in r.steps.items()}
        assembly = getattr(r.steps, "assembly", None)
        if assembly is not None:  # ∇f assembled from the partials (and evaluated at a point)
            out["gradient_steps"] = to_json(assembly)
    return out


@to_json.register
def _condition(c: Condition) -> dict[str, Any]:
    return {"condition": to_text(c.expr), "latex": to_latex(c.expr),
            "mathml": _mathml(c.expr), "reason": c.reason, "applies_to": c.applies_to}


@to_json.register
def _number(n: Number) -> dict[str, Any]:
    return {"exact": None if n.exact is None else to_text(n.exact),
            "latex": None if n.exact is None else to_latex(n.exact),
            "mathml": None if n.exact is None else _mathml(n.exact),
            "float": n.value}


@to_json.register
def _point(p: PointResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "point": p.point,
        "value": _number(p.value),
        "gradient": [_number(g) for g in p.gradient],
        "norm": p.norm,
        "direction": p.direction,
        "directional_derivative": p.directional_derivative,
        "check": [_check_row(r) for r in p.check],
        "notes": p.notes,
    }
    if p.hessian is not None:
        out["hessian"] = p.hessian
    return out


def _finite(v: float) -> float | None:  # JSON has no nan/inf
    return v if math.isfinite(v) else None


@to_json.register
def _check_row(r: CheckRow) -> dict[str, Any]:
    return {"variable": r.variable, "symbolic": _finite(r.symbolic),
            "numeric": _finite(r.numeric), "abs_error": _finite(r.abs_error),
            "rel_error": _finite(r.rel_error), "ok": r.ok,
            "tolerance": _finite(r.tolerance), "checked": r.checked,
            "note": None if r.checked else UNCHECKED}


@to_json.register
def _form(r: FormResult) -> dict[str, Any]:
    return {"text": to_text(r.expr), "note": r.note}


# --- check my answer -----------------------------------------------------------------------


def _pair(e: sympy.Basic) -> dict[str, str]:
    return {"text": to_text(e), "latex": to_latex(e)}


@to_json.register
def _counterexample(c: Counterexample) -> dict[str, Any]:
    return {"point": c.point, "expected": c.expected, "answer": c.answer}


@to_json.register
def _wrong_term(t: WrongTerm) -> dict[str, Any]:
    return {"problem": t.problem,
            "expected": None if t.expected is None else _pair(t.expected),
            "answer": None if t.answer is None else _pair(t.answer)}


@to_json.register
def _check(r: CheckResult) -> dict[str, Any]:
    return {
        "equivalent": r.equivalent,
        "variable": r.variable,
        "expected": _pair(r.expected),
        "answer": _pair(r.answer),
        "method": r.method,
        "points_checked": r.points_checked,
        "counterexample": None if r.counterexample is None else _counterexample(r.counterexample),
        "wrong_terms": [_wrong_term(t) for t in r.wrong_terms],
    }


# --- steps ---------------------------------------------------------------------------------


@to_json.register
def _step_tree(root: R.StepNode) -> dict[str, Any]:
    """The JSON tree: {id, rule, title, formula, variable, expression, result, substeps, …}."""
    ids = step_ids(root)

    def build(node: R.StepNode, path: str) -> dict[str, Any]:
        w = wording(node.rule)
        out: dict[str, Any] = {
            "id": path,
            "rule": node.rule,
            "title": w.title,
            "explanation": w.explanation,
            "formula": w.formula,
            "variable": to_text(node.variable) if node.variable is not None else None,
            "expression": _pair(node.expr),
            "result": _pair(node.result),
            "substitution": None,
            "substeps": [build(s, f"{path}.{i}") for i, s in enumerate(node.substeps, 1)],
        }
        if node.substitution is not None:
            u, inner = node.substitution
            out["substitution"] = {"variable": to_text(u), **_pair(inner)}
        if isinstance(node, R.RepeatRule):
            out["ref"] = ref_id(node, ids)
        if isinstance(node, R.PartialRule):
            out["constants"] = [to_text(c) for c in node.constants]
        if isinstance(node, R.SimplifyRule):
            out["form"] = node.form
            out["note"] = node.note
        if isinstance(node, R.GradientRule):
            out["variables"] = [to_text(v) for v in node.variables]
        if isinstance(node, R.EvaluateRule):
            out["point"] = {to_text(s): _pair(v) for s, v in node.point}
        return out

    return build(root, "1")


@to_json.register
def _gradient_steps(steps: GradientSteps) -> dict[str, Any]:
    """``{"partials": {name: tree}, "assembly": tree}``."""
    return {"partials": {name: _step_tree(node) for name, node in steps.items()},
            "assembly": _step_tree(steps.assembly)}


# --- pictures ------------------------------------------------------------------------------


@to_json.register
def _plot(g: PlotGrid) -> dict[str, Any]:
    return {"variables": g.variables, "x_var": g.x_var, "y_var": g.y_var, "fixed": g.fixed,
            "x": g.x, "y": g.y, "z": g.z, "z_min": g.z_min, "z_max": g.z_max,
            "arrows": g.arrows}


# --- optimisation (keys of a descent run keep their order: docs compare them byte for byte) --


def _fin(v: float | None) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


@to_json.register
def _curvature(c: Curvature) -> dict[str, Any]:
    return {
        "L": c.L,
        "smallest_eigenvalue": c.smallest,
        "quadratic": c.quadratic,
        "max_stable_rate": _fin(c.max_stable_rate),
        "at": list(c.at) if c.at is not None else None,
    }


@to_json.register
def _advice(a: Advice) -> dict[str, Any]:
    return {k: (_fin(v) if isinstance(v, float) else v) for k, v in asdict(a).items()} | {
        "eigenvalues": [_fin(v) for v in a.eigenvalues]}


@to_json.register
def _sensitivity(s: Sensitivity) -> dict[str, Any]:
    return {"variables": s.variables, "at": [_fin(v) for v in s.at],
            "magnitudes": [_fin(v) for v in s.magnitudes], "largest": s.largest,
            "smallest": s.smallest, "spread": _fin(s.spread), "vanishing": s.vanishing,
            "dominant": s.dominant}


@to_json.register
def _run_sensitivity(s: RunSensitivity) -> dict[str, Any]:
    return {"at_start": _sensitivity(s.at_start), "at_end": _sensitivity(s.at_end),
            "largest_spread": _fin(s.largest_spread),
            "largest_spread_step": s.largest_spread_step,
            "vanishing_steps": s.vanishing_steps, "dominant_steps": s.dominant_steps,
            "steps": s.steps}


@to_json.register
def _descent(r: DescentResult) -> dict[str, Any]:
    return {
        "variables": r.variables,
        "path": [[_fin(v) for v in p] for p in r.path],
        "values": [_fin(v) for v in r.values],
        "grad_norms": [_fin(v) for v in r.grad_norms],
        "converged": r.converged,
        "diverged": r.diverged,
        "reason": r.reason,
        "steps": r.steps,
        "point": [_fin(v) for v in r.point],
        "value": _fin(r.values[-1]),
        "method": r.method,
        "rate": r.rate,
        "options": r.options,
        "start": r.start,
        "function": r.function,
        "gradient": [to_text(g) for g in r.gradient],
        "parameters": r.parameters,
        "curvature": _curvature(r.curvature) if r.curvature else None,
        # added with issue 14
        "status": r.status.value,
        "stopped_at": r.stopped_at,
        "line_search": r.line_search,
        "hyper": r.hyper,
        "step_sizes": [_fin(v) for v in r.step_sizes],
        "trials": r.trials,
        "advice": _advice(r.advice) if r.advice else None,
        "sensitivity": _run_sensitivity(r.sensitivity) if r.sensitivity else None,
    }


@to_json.register
def _runs(r: DescentRuns) -> dict[str, Any]:
    return {"function": r.function, "variables": r.variables, "start": r.start,
            "methods": [x.method for x in r.runs], "runs": [_descent(x) for x in r.runs]}


@to_json.register
def _graph(g: Graph) -> dict[str, Any]:
    """``nodes`` [{id, op, inputs, value, adjoint, rule, local, expression, name?}], the output
    node, the variables, the point, ∇f from the backward pass and the order it visited."""
    nodes = []
    for n in g.nodes:
        item: dict[str, Any] = {"id": n.id, "op": n.op, "inputs": n.inputs,
                                "value": _fin(n.value), "adjoint": _fin(n.adjoint),
                                "rule": n.rule, "local": [_fin(v) for v in n.local],
                                "expression": to_text(n.expr)}
        if n.name is not None:
            item["name"] = n.name
        nodes.append(item)
    return {"nodes": nodes, "output": g.output, "variables": g.variables, "point": g.point,
            "value": _fin(g.value), "gradient": [_fin(v) for v in g.gradient],
            "backward": g.backward}


@to_json.register
def _regression(r: RegressionResult) -> dict[str, Any]:
    fin = _fin
    return {
        "partials": objective.partials_list(r.objective),
        "theta": [fin(v) for v in r.theta],
        "closed_form": r.closed_form,
        "loss": fin(r.loss),
        "iterations": r.iterations,
        "converged": r.converged,
        "losses": [fin(v) for v in r.losses],
        "diverged": r.diverged,
        "reason": r.reason,
        "model": objective.model_dict(r.objective, r.data_names),
        "names": ["intercept", *r.x_names],
        "x": r.x_names,
        "y": r.y_name,
        "rows": r.n_rows,
        "updates": r.updates,
        "closed_form_loss": r.closed_form_loss,
        "max_rel_diff": fin(r.max_rel_diff),
        "rate": r.rate,
        "rate_rule": r.rate_rule,
        "tol": r.tol,
        "epochs": r.epochs,
        "scale": r.scale,
        "scaling": r.scaling,
        "batch": r.batch,
        "batch_method": r.batch_method,
        "grad_norm": fin(r.grad_norm),
        "curvature": r.curvature,
        "comparison": r.comparison,
        "path": [[fin(v) for v in p] for p in r.path],
        "backend": r.backend,
        "kernel": r.kernel,
        "warnings": r.warnings,
        # added with issue 14
        "method": r.method,
        "hyper": r.hyper,
        "shuffle": r.shuffle,
        "seed": r.seed,
    }
