"""The facade every interface calls (CLI, HTTP API, notebook).

User text is read here, once: the function by the grammar (:func:`nablab.parse.parse`), points,
directions and variable lists by the one value reader; calculus and steps get an
:class:`~nablab.expression.Expression` and already-read values. A caller's own SymPy or
SymEngine expression (trusted Python objects, never user text) is taken as it is, shared
subexpressions kept shared. Each function returns a plain result dataclass; its JSON (what
``nablab … --json`` prints and the HTTP API returns) is :func:`nablab.render.json.to_json`.
User errors raise :class:`nablab.errors.NablabError` subclasses.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

import sympy

from nablab.calculus import answer_check as _answer_check
from nablab.calculus import gradient as _gradient
from nablab.calculus.answer_check import CheckResult
from nablab.calculus.gradient import TOTAL_FORM_BUDGET_S, GradientResult
from nablab.errors import NablabError
from nablab.expression import Expression
from nablab.parse import parse, values
from nablab.parse.reader import canonical_name, declared_names
from nablab.render.latex import to_latex
from nablab.render.mathml import to_mathml
from nablab.render.text import to_echo, to_text
from nablab.steps import derive_gradient

__all__ = ["check_answer", "clear_caches", "descent", "expression", "gradient", "parse",
           "regress"]

#: what a function may be given as
Function = str | Expression | sympy.Basic | Any


def expression(f: Function, variables: str | Sequence[Any] | None = None) -> Expression:
    """``f`` as an :class:`Expression`: text through the grammar (the only reader of user
    text), an Expression as it is (``variables`` re-chooses its variables), a SymPy or
    SymEngine expression through :meth:`Expression.from_object`. Anything else is a
    :class:`NablabError` naming its type."""
    if isinstance(f, str):
        names = variables if variables is None or isinstance(variables, str) else \
            [getattr(v, "name", None) or str(v) for v in variables]
        return parse(f, names)
    if isinstance(f, Expression):
        if variables is None:
            return f
        names = declared_names(variables if isinstance(variables, str) else
                               [getattr(v, "name", None) or str(v) for v in variables]) \
            or f.variable_names
        syms = tuple(sympy.Symbol(n) for n in names)
        free = {*f.variables, *f.parameters}
        params = tuple(s for s in (*f.variables, *f.parameters) if s in free and s not in syms)
        return Expression(f.source, f.expr, syms, params, f.warnings, f.latex_input)
    if isinstance(variables, str):
        variables = declared_names(variables)
    return Expression.from_object(f, variables)


def _is_object(f: Function) -> bool:
    return not isinstance(f, (str, Expression))


def gradient(
    f: Function,
    variables: str | Sequence[Any] | None = None,
    *,
    at: str | Mapping[str, Any] | None = None,
    form: str = "simplified",
    hessian: bool = False,
    direction: str | Sequence[Any] | None = None,
    steps: bool = False,
    budget_s: float = TOTAL_FORM_BUDGET_S,
) -> GradientResult:
    """∂f/∂xₖ for every variable in ``form`` (derived, simplified, factored, expanded), ∇f,
    the domain, with ``hessian`` the Hessian, and with ``at`` (``"x=1,y=2"`` or a mapping) the
    values at that point and the finite-difference check (``direction`` adds a directional
    derivative); ``steps=True`` adds the step-by-step derivation of each partial.

    The steps are built from the core's own answers, so the derivation ends exactly where the
    answer does (they cannot disagree); nothing is read or computed twice.
    """
    e = expression(f, variables)
    point = values.read_point(at) if at is not None and at != {} and at != "" else None
    vec = None
    if direction is not None:
        vec = values.read_direction(direction, len(e.variables))
    # a caller's own expression object may be a DAG whose partials are far too large to print
    # as trees: they get the partials as the shared DAGs they are (printing them is their call)
    limit = None if _is_object(f) else _gradient.MAX_PRINT_NODES
    result = _gradient.gradient(e, at=point, form=form, hessian=hessian, direction=vec,
                                budget_s=budget_s, max_print_nodes=limit)
    if steps:
        names = [v.name for v in result.variables]
        answers = dict(zip(names, result.partials, strict=True))
        notes = dict(zip(names, result.notes, strict=True))
        shown = None
        if point is not None and result.at is not None:
            shown = {k: v for k, v in point.items() if k in names}
        result.steps = derive_gradient(e, form, shown, answers=answers, notes=notes)
    return result


def check_answer(
    f: Function,
    variable: str,
    answer: str | Expression | sympy.Basic,
    variables: str | Sequence[Any] | None = None,
    *,
    seed: int = 0,
) -> CheckResult:
    """Is ``answer`` equal to ∂f/∂``variable``? Symbolically where cheap, numerically always.
    An answer given as text is read by the grammar (its errors point into the answer)."""
    e = expression(f, variables)
    if isinstance(answer, str):
        answer = _read_answer(answer, _answer_check.resolve(e, variable), e.variable_names)
    return _answer_check.check_answer(e, variable, answer, seed=seed)


#: "∂f/∂x =" or "df/dx =" in front of an answer (as nablab's own "Copy text" writes it)
_LHS = re.compile(r"\s*[∂d]\s*f\s*/\s*[∂d]\s*([^\s=]+)\s*=\s*")


def _read_answer(answer: str, variable: str, names: list[str]) -> Expression:
    """The answer text read by the grammar, a leading "∂f/∂x =" blanked out (spaces keep every
    column of an error where the user sees it); an answer written for another variable is
    refused rather than checked against the wrong partial. Errors say they are about the
    answer."""
    match = _LHS.match(answer)
    body = answer
    if match is not None:
        named = canonical_name(match.group(1))
        if named.replace("_", "") != variable.replace("_", ""):
            raise NablabError(f"the answer is written as ∂f/∂{match.group(1)}, but the partial "
                              f"being checked is ∂f/∂{variable}", column=match.start(1) + 1,
                              hint=f"choose {named} as the variable, or drop the left-hand "
                                   "side", source=answer)
        body = " " * match.end() + answer[match.end():]
    try:
        return parse(body, names)
    except NablabError as err:  # the parser's error, saying it is about the answer
        raise dataclasses.replace(err, message=f"in the answer: {err.message}",
                                  source=answer) from err


def descent(f: Any, start: Any, rate: float | None = None, **options: Any) -> Any:
    """Descent from ``start``: gd, momentum, nesterov, adagrad, rmsprop, adam or newton
    (``method="nesterov"``, or several: ``method="gd,adam"`` → one run each).

    The facade reads the user's text once: f (parsed), the start point and the parameters
    (names spelled as the function does, numbers as text); the optimizer gets values."""
    from nablab.optimize.descent import descent as _descent  # lazy: start-up time

    def number(name: str, value: Any, what: str) -> Any:
        # text is a plain decimal, never evaluated; numbers and None pass to the optimizer
        return values.read_float(name, value, what) if isinstance(value, str) else value

    if isinstance(start, str):
        start = {k: float(v) for k, v in values.read_point(start).items()}
    if isinstance(start, dict):
        start = {canonical_name(k): number(canonical_name(k), v, "starting value")
                 for k, v in start.items()}
    if isinstance(f, str):  # without declared variables the start point names them
        names = options.get("variables") or (list(start) if isinstance(start, dict) else None)
        f = parse(f, variables=list(names) if names else None)
    elif isinstance(start, (list, tuple)):
        start = [number(f"coordinate {i + 1}", v, "starting value") for i, v in enumerate(start)]
    if options.get("params"):
        options["params"] = {canonical_name(k): number(canonical_name(k), v, "value")
                             for k, v in options["params"].items()}
    rate = number("the rate", rate, "value")
    plain = {"steps", "tol", "method", "variables", "params", "line_search", "progress"}
    options = {k: (v if k in plain else number(k, v, "value")) for k, v in options.items()}
    return _descent(f, start, rate, **options)


def regress(data: Any, x: Any = None, y: Any = None, **options: Any) -> Any:
    """Linear regression by descent on the MSE (gd or a named method, full batch or
    mini-batches), compared with least squares. Method parameters given as text are read here."""
    from nablab.optimize.regression import regress as _regress  # lazy: start-up time

    plain = {"rate", "epochs", "scale", "batch", "batch_method", "method", "shuffle", "seed",
             "tol", "compare_scaling", "progress", "scheduler", "persist", "fused"}
    for k, v in list(options.items()):
        if k not in plain and isinstance(v, str):
            options[k] = values.read_float(k, v, "the value")  # a plain decimal: never evaluated
    return _regress(data, x, y, **options)


def clear_caches() -> None:
    """Forget remembered answers: the per-process memo of symbolic results and the renderers'
    memo of printed formulas (benchmarks call this so that figures measure work, not lookups)."""
    _gradient._SYMBOLIC_CACHE.clear()
    for render in (to_text, to_echo, to_latex, to_mathml):
        render.cache_clear()  # type: ignore[attr-defined]
