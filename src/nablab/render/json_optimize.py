"""The JSON of optimize results (registered on :func:`nablab.render.json.to_json`).

Keys of a descent run keep today's order (``nablab descent --json`` is compared byte for byte
by docs and tests); the keys added for the new methods, line searches, advice and sensitivity
come after them. Non-finite numbers become ``null`` (JSON has no NaN).
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from nablab.calculus.graph import Graph
from nablab.optimize.advice import Advice, RunSensitivity, Sensitivity
from nablab.optimize.descent import DescentResult, DescentRuns
from nablab.optimize.divergence import Curvature
from nablab.optimize.linear import RegressionResult
from nablab.render.json import to_json
from nablab.render.text import to_text


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
        "partials": r.partials,
        "theta": [fin(v) for v in r.theta],
        "closed_form": r.closed_form,
        "loss": fin(r.loss),
        "iterations": r.iterations,
        "converged": r.converged,
        "losses": [fin(v) for v in r.losses],
        "diverged": r.diverged,
        "reason": r.reason,
        "model": r.model,
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
