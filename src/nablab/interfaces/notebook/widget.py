"""The gradient lab in a notebook cell: an anywidget whose symbolic work runs in the kernel.

Why a widget and not the page in an iframe: the page needs its server and its vendored
libraries; here every answer comes from :mod:`nablab.api` in the kernel, and the browser side
(``widget.js`` and ``widget.css``, shipped in the package) only draws. The state is a set of
synced traits, so Python code and the cell share it: setting ``w.function`` recomputes
``w.result``, and ``w.observe`` sees each change.

Outputs are read-only traits. ``result`` is exactly :func:`nablab.render.json.to_json` of the
gradient (what ``nablab grad TEXT --at … [--steps] --json`` prints), ``error`` the
:func:`~nablab.render.json.error_body` of the last input that could not be worked out (the
last good outputs stay), ``plot`` the grid of f and ∇f the contour picture is drawn from,
``descent`` the JSON of the descent run and ``path`` its points.

Time: one change is worked out under one :func:`~nablab.calculus.budget.run_with_budget`
limit, :data:`TIME_LIMIT_S` by default (the page's worker limit). Jupyter delivers widget
messages in the kernel's main thread, where that limit is a ``SIGALRM`` timer that stops
runaway SymPy work: the kernel is busy for at most the limit, then answers again. Called from
another thread, the work runs without that timer (see ``calculus/budget.py``).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from numbers import Integral, Real
from typing import Any

import sympy

from nablab import api
from nablab.calculus.budget import run_with_budget
from nablab.calculus.gradient import GradientResult
from nablab.dag import has_data
from nablab.errors import ComputeLimitError, NablabError
from nablab.expression import Expression
from nablab.extras import require
from nablab.optimize.methods import method_names
from nablab.parse import values
from nablab.render.json import error_body, to_json
from nablab.render.mathml import to_mathml
from nablab.sampling import check_window, sample
from nablab.steps import rules as R

# an optional extra: without it, importing this module (nablab.widget) names nablab[notebook]
require("notebook", "anywidget", "IPython")

import anywidget  # noqa: E402
import traitlets  # noqa: E402

__all__ = ["DEFAULTS", "FORMS", "TIME_LIMIT_S", "GradientWidget", "OptionError", "widget"]

#: the time one change may take: the page's worker limit (``interfaces/web/settings.py``,
#: ``Settings.time_limit``; the notebook may not import the web server, a test checks they agree)
TIME_LIMIT_S = 10.0
FORMS = ("derived", "simplified", "factored", "expanded")
#: the page's grid sizes (plots.js GRID_N, ARROWS_M) and its bounds on η and iterations
GRID_N = 61
ARROWS_M = 15
MAX_RATE = 1e6
MAX_ITERATIONS = 10_000
#: every option of ``nablab.widget`` and its default (function, variables and at are named)
DEFAULTS: dict[str, Any] = {
    "form": "simplified",
    "with_steps": True,
    "x_var": "",
    "y_var": "",
    "x_range": [-3.0, 3.0],
    "y_range": [-3.0, 3.0],
    "eta": 0.1,
    "iterations": 100,
    "start": {},
    "method": "gd",
    "time_limit": TIME_LIMIT_S,
}
CHAPTER_FUNCTION = "x^2 y + sin(xy)"
log = logging.getLogger(__name__)

#: what the view reads and the kernel writes: never taken from the front end
OUTPUTS = ("result", "error", "display", "plot", "descent", "path", "descent_error", "computed",
           "elapsed_ms")


def _asset(name: str) -> str:
    """A file shipped beside this module (package data), read as text: works from a wheel."""
    return files("nablab.interfaces.notebook").joinpath(name).read_text(encoding="utf-8")


# --- the options, checked the same way at construction and on every later assignment --------


class OptionError(NablabError, traitlets.TraitError):
    """A value an option cannot take, assigned after construction: the library's own error,
    and a TraitError so that traitlets undoes a batch of assignments it was part of."""


def check_function(value: Any) -> str:
    if not isinstance(value, str):
        raise NablabError(f"function must be text, got {type(value).__name__}",
                          hint=f'e.g. nablab.widget("{CHAPTER_FUNCTION}")')
    return value


def check_variables(value: Any) -> list[str]:
    """``"x, y"``, ``["x", "y"]`` or None (the reading decides) as a list of names."""
    if value is None:
        return []
    if not isinstance(value, str) and not (isinstance(value, Sequence)
                                           and all(isinstance(v, str) for v in value)):
        raise NablabError("variables must be names: a list such as ['x', 'y'] or text 'x, y'",
                          hint="or leave it out: the reading finds the variables")
    return values.split_names(value) or []


def check_point(value: Any, what: str) -> dict[str, Any]:
    """``"x=1, y=2"``, a mapping of name → number or text, or None (no point) as a dict."""
    if value is None:
        return {}
    if isinstance(value, str):
        return dict(values.read_pairs(value)) if value.strip() else {}
    if not isinstance(value, Mapping):
        raise NablabError(f"{what} must be name=value pairs, got {type(value).__name__}",
                          hint=f"{what}={{'x': 1, 'y': 2}} or {what}='x=1, y=2'")
    out: dict[str, Any] = {}
    for k, v in value.items():
        if not isinstance(k, str) or isinstance(v, bool) or not isinstance(v, Real | str):
            raise NablabError(f"{what} must map names to numbers, got {k!r}: {v!r}",
                              hint=f"{what}={{'x': 1, 'y': 2}}")
        # plain Python numbers (NumPy's are not JSON for the view, nor read as exact values)
        out[k] = v if isinstance(v, str) else int(v) if isinstance(v, Integral) else float(v)
    return out


def check_form(value: Any) -> str:
    if value not in FORMS:
        raise NablabError(f"unknown form {value!r}", hint="the forms are " + ", ".join(FORMS))
    return str(value)


def check_range(value: Any, what: str) -> list[float]:
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise NablabError(f"{what} must be two numbers [low, high]",
                          hint=f"{what}=(-3, 3)") from None
    return list(check_window(what, (lo, hi)))


def check_eta(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not 0 < value <= MAX_RATE:
        raise NablabError(f"the learning rate η must be a positive number (at most "
                          f"{MAX_RATE:,.0f}), got {value!r}", hint="e.g. eta=0.1")
    return float(value)


def check_iterations(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) \
            or not 1 <= value <= MAX_ITERATIONS:
        raise NablabError(f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}, "
                          f"got {value!r}", hint="e.g. iterations=100")
    return value


def check_method(value: Any) -> str:
    if not isinstance(value, str) or len(method_names(value)) != 1:
        raise NablabError(f"one descent method, got {value!r}",
                          hint="gd, momentum, nesterov, adagrad, rmsprop, adam or newton")
    return method_names(value)[0]


def check_axis(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise NablabError(f"{what} must be a variable's name or '' (the first variables)")
    return value


def check_bool(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise NablabError(f"{what} must be True or False, got {value!r}")
    return value


def check_time_limit(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 \
            or not math.isfinite(value):
        raise NablabError(f"time_limit must be a positive number of seconds, got {value!r}",
                          hint=f"the default is {TIME_LIMIT_S:g} s, as on the page")
    return float(value)


CHECKS: dict[str, Callable[[Any], Any]] = {
    "function": check_function,
    "variables": check_variables,
    "at": lambda v: check_point(v, "at"),
    "form": check_form,
    "with_steps": lambda v: check_bool(v, "with_steps"),
    "x_var": lambda v: check_axis(v, "x_var"),
    "y_var": lambda v: check_axis(v, "y_var"),
    "x_range": lambda v: check_range(v, "x_range"),
    "y_range": lambda v: check_range(v, "y_range"),
    "eta": check_eta,
    "iterations": check_iterations,
    "start": lambda v: check_point(v, "start"),
    "method": check_method,
    "time_limit": check_time_limit,
}
#: what the lab part (result, display, plot) and the descent part each depend on
LAB_INPUTS = ("function", "variables", "at", "form", "with_steps", "x_var", "y_var", "x_range",
              "y_range")
DESCENT_INPUTS = ("function", "variables", "at", "eta", "iterations", "start", "method")


def check_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Every option checked (a :class:`NablabError` naming the first bad one), unknown names
    refused rather than ignored."""
    unknown = sorted(set(options) - set(CHECKS))
    if unknown:
        raise NablabError(f"nablab.widget has no option {unknown[0]!r}",
                          hint="the options are " + ", ".join(CHECKS))
    return {k: CHECKS[k](v) for k, v in options.items()}


# --- MathML for the view (formatting only: the answers are the result's) ------------------


def _inner(mathml: str) -> str:
    """The body of a ``<math>`` element, to be combined with other markup into one formula."""
    return mathml[mathml.index(">") + 1: mathml.rindex("</math>")]


def _math(body: str) -> str:
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML">{body}</math>'


def _column(entries: Sequence[sympy.Basic]) -> str:
    """A column vector whose brackets are drawn by the style sheet: a browser stretches ``[``
    only with a math font, which a notebook page need not have."""
    rows = "".join(f"<mtr><mtd>{_inner(to_mathml(e))}</mtd></mtr>" for e in entries)
    return f'<mtable class="nw-column">{rows}</mtable>'


def _name(v: str) -> str:
    return _inner(to_mathml(sympy.Symbol(v)))


def _partial_of(v: str, of: str = "<mi>f</mi>") -> str:
    return f"<mfrac><mrow><mo>∂</mo>{of}</mrow><mrow><mo>∂</mo>{_name(v)}</mrow></mfrac>"


def _step_math(node: R.StepNode) -> str:
    """``∂/∂x [expr] = result`` (``expr = result`` for a rewrite), as the page writes a step."""
    rhs = _inner(to_mathml(node.result))
    if node.rule in ("simplify", "rewrite") or node.variable is None:
        return _math(f"<mrow>{_inner(to_mathml(node.expr))}<mo>=</mo>{rhs}</mrow>")
    var = node.variable.name if isinstance(node.variable, sympy.Symbol) else str(node.variable)
    lhs = f"{_partial_of(var, '')}<mrow><mo>[</mo>{_inner(to_mathml(node.expr))}<mo>]</mo></mrow>"
    return _math(f"<mrow>{lhs}<mo>=</mo>{rhs}</mrow>")


def _steps_math(root: R.StepNode) -> dict[str, str]:
    """MathML of every step, keyed by the ids the result's step tree gives them ("1.2.1")."""
    out: dict[str, str] = {}

    def visit(node: R.StepNode, path: str) -> None:
        out[path] = _step_math(node)
        for i, sub in enumerate(node.substeps, 1):
            visit(sub, f"{path}.{i}")

    visit(root, "1")
    return out


def display_of(result: GradientResult) -> dict[str, Any]:
    """MathML of f, each partial, ∇f as a column and each step (the result has LaTeX, which a
    browser cannot draw without a library; MathML it draws natively)."""
    names = [v.name for v in result.variables]
    args = "<mo>,</mo>".join(_name(n) for n in names)
    head = f"<mi>f</mi><mrow><mo>(</mo>{args}<mo>)</mo></mrow>"
    out: dict[str, Any] = {
        "function": _math(f"<mrow>{head}<mo>=</mo>"
                          f"{_inner(to_mathml(result.expression.expr))}</mrow>"),
        "partials": [_math(f"<mrow>{_partial_of(n)}<mo>=</mo>{_inner(to_mathml(p))}</mrow>")
                     for n, p in zip(names, result.partials, strict=True)],
        "gradient": _math(f"<mrow><mo>∇</mo>{head}<mo>=</mo>{_column(result.partials)}</mrow>"),
        "domain": [_math(_inner(to_mathml(c.expr))) for c in result.domain],
        "steps": {},
    }
    if result.steps is not None:
        out["steps"] = {name: _steps_math(node) for name, node in result.steps.items()}
    return out


# --- the work of one change ------------------------------------------------------------------


@dataclass
class _Done:
    """What one change produced so far (kept when the time runs out halfway)."""

    lab: dict[str, Any] | None = None
    at: dict[str, Any] | None = None
    start: dict[str, Any] | None = None
    descent: dict[str, Any] | None = None
    descent_error: NablabError | None = None


def _floats(point: Mapping[str, Any]) -> dict[str, float]:
    """A point's exact values (read by the value reader) as floats, by canonical name."""
    return {k: float(v.evalf()) for k, v in values.read_point(point).items()}


def _same_names(point: Mapping[str, Any], names: Sequence[str]) -> bool:
    try:
        return set(values.read_point(point)) == set(names)
    except NablabError:
        return False


def _plot(e: Expression, state: Mapping[str, Any], point: Mapping[str, float]) -> dict[str, Any]:
    """The grid of f and ∇f the contour picture is drawn from, or ``{"error": …}`` when f has
    no picture (a sum over data, no variables); the other variables are held at the point."""
    names = e.variable_names
    try:
        x_var = state["x_var"] or (names[0] if names else None)
        y_var = state["y_var"] or next((n for n in names if n != x_var), None)
        axes = {x_var, y_var}
        fixed = {n: point.get(n, 1.0) for n in [*names, *e.parameter_names] if n not in axes}
        grid = sample(e, x_var, y_var, state["x_range"], state["y_range"], fixed, n=GRID_N,
                      arrows=ARROWS_M, one_dimensional=y_var is None)
    except NablabError as err:
        return {"error": error_body(err)}
    return dict(to_json(grid))


def _lab(e: Expression, state: Mapping[str, Any], at: Mapping[str, Any]) -> dict[str, Any]:
    result = api.gradient(e, None, at=at or None, form=state["form"],
                          steps=state["with_steps"])
    point = _floats(at) if at else {}
    return {"result": to_json(result), "display": display_of(result),
            "plot": _plot(e, state, point)}


def _descent(e: Expression, state: Mapping[str, Any], at: Mapping[str, Any],
             start: Mapping[str, Any]) -> dict[str, Any]:
    """The page's descent request: from ``start`` (by default the point, else 1 for every
    variable), parameters held at the point's values (else 1)."""
    if has_data(e.expr):  # as on the page: the MSE has no descent without its data
        raise NablabError("f sums over data: descent on it needs the data set",
                          hint="nablab.regress(data, …) runs descent on the MSE of a data set")
    point = _floats(at) if at else {}
    names, params = e.variable_names, e.parameter_names
    begin = _floats(start) if start else {n: point.get(n, 1.0) for n in names}
    held = {p: point.get(p, 1.0) for p in params}
    run = api.descent(state["function"], begin, state["eta"], steps=state["iterations"],
                      method=state["method"], variables=state["variables"] or None,
                      params=held or None)
    return dict(to_json(run))


class GradientWidget(anywidget.AnyWidget):
    """``nablab.widget(...)``: type a function, see its reading, partials, ∇f, steps, the
    point, contours with ∇ arrows and a descent run; every answer comes from the kernel."""

    _esm = _asset("widget.js")
    _css = _asset("widget.css")

    # inputs: set from Python or by the view
    function = traitlets.Unicode(CHAPTER_FUNCTION).tag(sync=True)
    variables = traitlets.List(traitlets.Unicode()).tag(sync=True)
    at = traitlets.Dict().tag(sync=True)
    form = traitlets.Unicode(DEFAULTS["form"]).tag(sync=True)
    with_steps = traitlets.Bool(DEFAULTS["with_steps"]).tag(sync=True)
    x_var = traitlets.Unicode("").tag(sync=True)
    y_var = traitlets.Unicode("").tag(sync=True)
    x_range = traitlets.List(traitlets.Float(), default_value=DEFAULTS["x_range"]).tag(sync=True)
    y_range = traitlets.List(traitlets.Float(), default_value=DEFAULTS["y_range"]).tag(sync=True)
    eta = traitlets.Float(DEFAULTS["eta"]).tag(sync=True)
    iterations = traitlets.Int(DEFAULTS["iterations"]).tag(sync=True)
    start = traitlets.Dict().tag(sync=True)
    method = traitlets.Unicode(DEFAULTS["method"]).tag(sync=True)
    time_limit = traitlets.Float(TIME_LIMIT_S)

    # outputs: written by the kernel only
    result = traitlets.Dict(read_only=True).tag(sync=True)
    error = traitlets.Dict(allow_none=True, default_value=None, read_only=True).tag(sync=True)
    display = traitlets.Dict(read_only=True).tag(sync=True)
    plot = traitlets.Dict(read_only=True).tag(sync=True)
    descent = traitlets.Dict(read_only=True).tag(sync=True)
    path = traitlets.List(traitlets.List(), read_only=True).tag(sync=True)
    descent_error = traitlets.Dict(allow_none=True, default_value=None,
                                   read_only=True).tag(sync=True)
    #: how many changes have been worked out (the view's "working…" ends when it moves)
    computed = traitlets.Int(0, read_only=True).tag(sync=True)
    elapsed_ms = traitlets.Float(0.0, read_only=True).tag(sync=True)

    def __init__(self, function: str = CHAPTER_FUNCTION, variables: Any = None, at: Any = None,
                 **options: Any) -> None:
        """Check every argument (a :class:`NablabError` names the bad one), then work out the
        first state: a function that cannot be read is a bad argument too, so it raises."""
        given = check_options({"function": function, "variables": variables, "at": at,
                               **options})
        self._ready = False
        self._lab_key: tuple[Any, ...] | None = None
        self._descent_key: tuple[Any, ...] | None = None
        self._reading_key: tuple[Any, ...] | None = None
        super().__init__(**given)
        self._ready = True
        self._refresh()
        # a given start that descent cannot use is a bad argument as well
        bad = self.error or (self.descent_error if given.get("start") else None)
        if bad is not None:
            self.close()
            raise NablabError(bad["message"], column=bad["column"], hint=bad["hint"],
                              source=function if self.error else None)

    # every assignment is checked like an argument (a NablabError, not a TraitError)
    @traitlets.validate(*CHECKS)
    def _check(self, proposal: Any) -> Any:
        try:
            return CHECKS[proposal["trait"].name](proposal["value"])
        except NablabError as err:
            raise OptionError(err.message, err.column, err.hint, err.source) from None

    @traitlets.observe(*CHECKS)
    def _changed(self, change: Any) -> None:
        if self._ready:
            self._refresh()

    def set_state(self, sync_data: dict[str, Any]) -> None:
        """State from the view: outputs are the kernel's (never taken from the front end), and
        a value the checks refuse becomes ``error`` rather than a traceback in the log."""
        inputs = {k: v for k, v in sync_data.items() if k not in OUTPUTS}
        before = self.computed
        try:
            super().set_state(inputs)
        except NablabError as err:
            self._publish(error=error_body(err))
        if self.computed == before:  # nothing to work out: still an answer, the view waits for one
            self._publish(computed=before + 1)

    def _state(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in CHECKS}

    @staticmethod
    def _key(state: Mapping[str, Any], names: Sequence[str]) -> tuple[Any, ...]:
        return tuple(repr(state[k]) for k in names)

    def _refresh(self) -> None:
        """Work out what the current inputs change, within the time limit; publish it."""
        state = self._state()
        lab_key, descent_key = self._key(state, LAB_INPUTS), self._key(state, DESCENT_INPUTS)
        do_lab, do_descent = lab_key != self._lab_key, descent_key != self._descent_key
        if not (do_lab or do_descent):
            return
        reading_key = self._key(state, ("function", "variables"))
        new_function = self._reading_key is not None and reading_key != self._reading_key
        done = _Done()

        def work() -> None:
            e = api.expression(state["function"], state["variables"] or None)
            names = [*e.variable_names, *e.parameter_names]
            at, start = state["at"], state["start"]
            # a point or start written for the old function's names is replaced (the page does
            # the same) when the function changes; set by hand, a wrong one is an error
            if new_function and at and not _same_names(at, names):
                at = done.at = {n: 1 for n in names}
            if new_function and start and not _same_names(start, e.variable_names):
                start = done.start = {}
            if do_lab:
                done.lab = _lab(e, state, at)
            if do_descent:
                try:
                    done.descent = _descent(e, state, at, start)
                except NablabError as err:
                    done.descent_error = err

        began = time.perf_counter()
        failure: NablabError | None = None
        try:
            outcome = run_with_budget(work, state["time_limit"])
            if not outcome.ok:
                failure = ComputeLimitError(
                    f"stopped: working this out {outcome.reason}",
                    hint="simplify the function, or choose the derived form; the last result "
                         "stays")
        except NablabError as err:
            failure = err
        except RecursionError:
            failure = ComputeLimitError("the expression is nested too deeply to work with",
                                        hint="simplify or split the function")
        except Exception as exc:  # a bug in nablab: said in the cell (and logged), as the page's 500
            log.exception("internal error working out %r", state["function"])
            failure = NablabError(f"internal error in nablab: {type(exc).__name__}",
                                  hint="this is a bug; the last result stays")
        if failure is None or done.lab is not None:
            self._reading_key = reading_key
        elapsed = 1000 * (time.perf_counter() - began)
        self._apply(done, failure, elapsed)

    def _apply(self, done: _Done, failure: NablabError | None, elapsed: float) -> None:
        out: dict[str, Any] = {"elapsed_ms": elapsed, "computed": self.computed + 1}
        if done.lab is not None:
            out.update(done.lab)
        if failure is None or done.lab is not None:
            out["error"] = None
        if failure is not None and done.lab is None:
            out["error"] = error_body(failure)
        elif failure is not None:  # the time ran out in the descent, after the lab part
            out["descent_error"] = error_body(failure)
        if done.descent is not None:
            out.update(descent=done.descent, path=done.descent["path"], descent_error=None)
        elif done.descent_error is not None:
            out["descent_error"] = error_body(done.descent_error)
        self._ready = False  # the replaced point or start is part of this answer: no new round
        try:
            with self.hold_sync():
                if done.at is not None:
                    self.at = done.at
                if done.start is not None:
                    self.start = done.start
                self._publish(**out)
        finally:
            self._ready = True
        state = self._state()
        self._lab_key = self._key(state, LAB_INPUTS)
        self._descent_key = self._key(state, DESCENT_INPUTS)

    def _publish(self, **outputs: Any) -> None:
        with self.hold_sync():
            for name, value in outputs.items():
                self.set_trait(name, value)


def widget(function: str = CHAPTER_FUNCTION, variables: str | Sequence[str] | None = None,
           at: str | Mapping[str, Any] | None = None, **options: Any) -> GradientWidget:
    """The gradient lab in a notebook cell: type a function, see its reading, every partial,
    ∇f, the steps, the values at the point ``at``, contours with ∇ arrows and a descent run
    with rate η. All the work runs in the kernel; the state is in synced traits
    (``function``, ``variables``, ``at``, … in; ``result``, ``error``, ``plot``, ``descent``,
    ``path`` out).

    ``options``: ``form`` (derived, simplified, factored, expanded), ``with_steps``,
    ``x_var``/``y_var`` and ``x_range``/``y_range`` (the picture), ``eta``, ``iterations``,
    ``start``, ``method`` (descent) and ``time_limit`` (seconds per change, 10 by default as
    on the page). A bad argument raises :class:`~nablab.errors.NablabError`.
    """
    return GradientWidget(function, variables, at, **options)
