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
import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import sympy

from nablab.calculus import answer_check as _answer_check
from nablab.calculus import gradient as _gradient
from nablab.calculus import graph as _graph
from nablab.calculus.answer_check import CheckResult
from nablab.calculus.gradient import TOTAL_FORM_BUDGET_S, GradientResult
from nablab.calculus.graph import Graph
from nablab.errors import NablabError
from nablab.expression import Expression
from nablab.parse import parse, values
from nablab.parse.reader import canonical_name, declared_names
from nablab.printing.text import to_echo, to_text
from nablab.render.latex import to_latex
from nablab.render.mathml import to_mathml
from nablab.steps import derive_gradient
from nablab.time_limit import deadline

if TYPE_CHECKING:  # imported lazily at run time (start-up time): for the annotations only
    from nablab.optimize.descent import DescentResult, DescentRuns, Progress
    from nablab.optimize.regression import RegressionResult

__all__ = ["check_answer", "clear_caches", "descent", "expression", "gradient", "graph",
           "parse", "plot", "regress"]

#: what a function may be given as
Function: TypeAlias = str | Expression | sympy.Basic | Any


_F = TypeVar("_F", bound=Callable[..., Any])


def _time_limited(fn: _F) -> _F:
    """Run a facade function under the one time limit of an answer from typed text
    (:func:`nablab.time_limit.deadline`, 10 s or ``NABLAB_TIME_LIMIT``): the CLI, the
    notebook and Python callers get a :class:`ComputeLimitError`, never a hang. The signature
    stays the function's own (``functools.wraps``: ``help()`` and ``inspect`` show it)."""

    @functools.wraps(fn)
    def limited(*args: Any, **kwargs: Any) -> Any:
        with deadline():
            return fn(*args, **kwargs)

    return limited  # type: ignore[return-value]


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


@_time_limited
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


@_time_limited
def graph(f: Function, at: str | Mapping[str, Any],
          variables: str | Sequence[Any] | None = None) -> Graph:
    """The computational graph of f at the point ``at`` (``"x=1,y=2"`` or a mapping; parameters
    need values too): shared subexpressions once, forward values, reverse-mode adjoints, each
    node's local derivative named by the step rules. Its ``gradient`` is ∇f at the point (the
    tests check it against the symbolic partials): backpropagation, as frameworks run it."""
    e = expression(f, variables)
    point = {k: float(v.evalf()) for k, v in values.read_point(at).items()}
    return _graph.graph(e, point)


@_time_limited
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


@_time_limited
def descent(
    f: Any,
    start: Any,
    rate: float | str | None = None,
    *,
    steps: int = 1000,
    tol: float = 1e-8,
    method: str | Sequence[str] = "gd",
    variables: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    line_search: str = "fixed",
    progress: Progress | None = None,
    **hyper: float | str,
) -> DescentResult | DescentRuns:
    """Descent from ``start`` (``"x=1,y=2"``, a mapping, or values in variable order): gd,
    momentum, nesterov, adagrad, rmsprop, adam or newton (``method="nesterov"``, or several:
    ``method="gd,adam"`` → one run each), at the learning rate ``rate`` (η), for at most
    ``steps`` updates or until ‖∇f‖ < ``tol``; ``line_search`` fixed, armijo or wolfe;
    ``params`` values for f's parameters; method parameters by name in ``hyper``
    (``beta=0.9``, ``beta1``, ``beta2``, ``rho``, ``mu``, ``eps``).

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
        names = variables or (list(start) if isinstance(start, dict) else None)
        f = parse(f, variables=list(names) if names else None)
    elif isinstance(start, (list, tuple)):
        start = [number(f"coordinate {i + 1}", v, "starting value") for i, v in enumerate(start)]
    if params:
        params = {canonical_name(k): number(canonical_name(k), v, "value")
                  for k, v in params.items()}
    return _descent(f, start, number("the rate", rate, "value"), steps=steps, tol=tol,
                    method=method, variables=variables, params=params,
                    line_search=line_search, progress=progress,
                    **{k: number(k, v, "value") for k, v in hyper.items()})


def regress(
    data: Any,
    x: Any = None,
    y: Any = None,
    *,
    rate: float | None = None,
    epochs: int = 1000,
    scale: bool = False,
    batch: int | None = None,
    batch_method: str = "sgd",
    method: str = "gd",
    shuffle: bool = False,
    seed: int | None = None,
    tol: float = 1e-10,
    compare_scaling: bool = False,
    progress: Progress | None = None,
    scheduler: Any = None,
    persist: bool = False,
    fused: bool = True,
    **hyper: float | str,
) -> RegressionResult:
    """Linear regression of column ``y`` on columns ``x`` of ``data`` (a CSV path, DataFrame,
    dict of columns, (X, y) arrays, or Dask input) by descent on the MSE: gd or a named
    ``method`` (its parameters by name in ``hyper``), full batch or mini-batches of ``batch``
    rows (``batch_method`` sgd or svrg, ``shuffle`` with ``seed``), ``scale`` standardises
    the features; compared with least squares. ``rate`` defaults to 1/L. ``scheduler`` and
    ``persist`` are for Dask input. Method parameters given as text are read here."""
    from nablab.optimize.regression import regress as _regress  # lazy: start-up time

    # a plain decimal: never evaluated
    read = {k: values.read_float(k, v, "the value") if isinstance(v, str) else v
            for k, v in hyper.items()}
    return _regress(data, x, y, rate=rate, epochs=epochs, scale=scale, batch=batch,
                    batch_method=batch_method, method=method, shuffle=shuffle, seed=seed,
                    tol=tol, compare_scaling=compare_scaling, progress=progress,
                    scheduler=scheduler, persist=persist, fused=fused, **read)


@_time_limited
def plot(
    subject: Any,
    variables: str | Sequence[Any] | None = None,
    *,
    at: str | Mapping[str, Any] | None = None,
    x_var: str | None = None,
    y_var: str | None = None,
    x_range: Sequence[float] | None = None,
    y_range: Sequence[float] | None = None,
    surface: bool = False,
    n: int = 61,
    arrows: int = 15,
    data: Any = None,
) -> Any:
    """A matplotlib ``Figure`` (a notebook displays it; ``fig.savefig("f.png")`` writes it).

    ``subject`` is a function (text, an Expression, a SymPy object) or a gradient result:
    contours of f with ∇f arrows over ``x_var``, ``y_var`` (the first two variables), the
    point ``at`` (a gradient result's own point by default) with ∇f there, and with
    ``surface`` the surface beside it; windows ``x_range``, ``y_range`` default to ±3 around
    the point. A descent run: its path over contours and f per step. A regression: loss,
    fit and J's contours (``data``: the data, for the fit). Needs the ``plot`` extra."""
    from nablab.optimize import plots  # lazy: start-up time (and matplotlib is an extra)
    from nablab.optimize.descent import DescentResult, DescentRuns
    from nablab.optimize.linear import RegressionResult

    if isinstance(subject, DescentRuns):
        return plots.runs_figure(subject)
    if isinstance(subject, DescentResult):
        return plots.descent_figure(subject)
    if isinstance(subject, RegressionResult):
        return plots.regression_figure(subject, data)
    slope = None
    if isinstance(subject, GradientResult):
        e = subject.expression
        if at is None and subject.at is not None:
            point: dict[str, float] = dict(subject.at.point)
            slope = {v.name: g.value for v, g in zip(subject.variables, subject.at.gradient,
                                                     strict=True)}
        else:
            point = _float_point(at)
    else:
        e = expression(subject, variables)
        point = _float_point(at)
    return plots.gradient_figure(e, point, x_var=x_var, y_var=y_var, x_range=x_range,
                                 y_range=y_range, surface=surface, n=n, arrows=arrows,
                                 gradient_at=slope)


def _float_point(at: str | Mapping[str, Any] | None) -> dict[str, float]:
    if at is None or at == "" or at == {}:
        return {}
    return {k: float(v.evalf()) for k, v in values.read_point(at).items()}


def clear_caches() -> None:
    """Forget remembered answers: the per-process memo of symbolic results and the renderers'
    memo of printed formulas (benchmarks call this so that figures measure work, not lookups)."""
    _gradient._SYMBOLIC_CACHE.clear()
    for render in (to_text, to_echo, to_latex, to_mathml):
        render.cache_clear()  # type: ignore[attr-defined]
