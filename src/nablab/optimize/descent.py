"""Descent on any typed function, driven by its symbolic gradient (and Hessian for Newton).

The partials come from the calculus core (real variables) and are compiled once to NumPy with
shared subexpressions; every method of :mod:`nablab.optimize.methods` then runs the same loop,
which records the path, f and ‖∇f‖ per step, says why the run stopped (:class:`Stop`), and
what the Hessian's eigenvalues and the spread of the partials imply (:mod:`.advice`). Step sizes
for gd and newton may come from a line search (:mod:`.linesearch`), with the accepted step and
the number of trials of every iteration recorded.

This layer takes already-read values: an :class:`~nablab.expression.Expression` or a SymPy
expression, numbers for the start and the parameters. Reading user text is the facade's job
(:func:`nablab.api.descent`).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from nablab import collector
from nablab.calculus.partials import partial as core_partial
from nablab.dag import has_data
from nablab.display import RichDisplay
from nablab.errors import ComputeLimitError, DomainError, NablabError
from nablab.expression import Expression, from_real, to_real
from nablab.numeric import compile_numpy
from nablab.optimize import advice as adv
from nablab.optimize import divergence, linesearch
from nablab.optimize.methods import (
    LINE_SEARCH_METHODS,
    LINE_SEARCHES,
    make_update,
    method_names,
    resolve,
)
from nablab.parse.values import finite_float, start_in_order

MAX_STEPS = 1_000_000
#: how often (in steps) the fast loop tests whether the point left every reasonable scale
SCALE_CHECK_EVERY = 64

Progress = Callable[[int, int, float], None]


class Stop(enum.StrEnum):
    """Why a run ended (a typed flag; :attr:`DescentResult.reason` says it in words)."""

    CONVERGED = "converged"
    LIMIT = "limit"
    DIVERGED = "diverged"
    LEFT_DOMAIN = "left_domain"
    HESSIAN = "hessian"  # Newton: the Hessian is singular or indefinite
    LINE_SEARCH = "line_search"  # no step met the line search's conditions


@dataclass
class DescentResult(RichDisplay):
    """The run: every point visited, f and ‖∇f‖ there, and how it ended."""

    variables: list[str]
    method: str
    rate: float
    start: list[float]
    path: list[list[float]]
    values: list[float]
    grad_norms: list[float]
    converged: bool
    diverged: bool
    reason: str
    function: str
    gradient: list[sympy.Expr]  # the derived partials (render prints them)
    parameters: dict[str, float] = field(default_factory=dict)
    curvature: divergence.Curvature | None = None
    options: dict[str, float] = field(default_factory=dict)
    status: Stop = Stop.LIMIT
    stopped_at: int = 0
    line_search: str = "fixed"
    hyper: dict[str, float] = field(default_factory=dict)
    step_sizes: list[float] = field(default_factory=list)  # accepted α per iteration
    trials: list[int] = field(default_factory=list)  # trial steps per iteration
    advice: adv.Advice | None = None
    sensitivity: adv.RunSensitivity | None = None
    _evaluate: Callable[..., Any] | None = field(default=None, repr=False, compare=False)

    @property
    def steps(self) -> int:
        """Updates taken (the path holds steps + 1 points)."""
        return len(self.path) - 1

    @property
    def point(self) -> list[float]:
        return self.path[-1]

    def f(self, *coords: Any) -> Any:
        """f on scalars or arrays (for plots)."""
        assert self._evaluate is not None
        return self._evaluate(*coords)


@dataclass
class DescentRuns(RichDisplay):
    """Several methods from the same start, one result each, in the order asked for."""

    function: str
    variables: list[str]
    start: list[float]
    runs: list[DescentResult]


def _as_expression(f: Any, names: Sequence[str] | None) -> tuple[sympy.Expr, list[sympy.Symbol], str]:
    """Given a parsed Expression or a SymPy expression, return (expr, variables, source)."""
    if isinstance(f, Expression):
        return f.expr, list(f.variables), f.source
    if isinstance(f, sympy.Basic):
        expr = f
        if names:
            by_name = {s.name: s for s in expr.free_symbols if isinstance(s, sympy.Symbol)}
            stray = [n for n in names if n not in by_name]
            if stray:
                raise NablabError(f"{stray[0]} is not a variable of f (f depends on "
                                  f"{', '.join(sorted(by_name)) or 'nothing'})")
            variables = [by_name[n] for n in names]
        else:
            variables = sorted((s for s in expr.free_symbols if isinstance(s, sympy.Symbol)),
                               key=lambda s: s.name)
        return expr, variables, str(expr)
    raise NablabError(f"cannot run descent on a {type(f).__name__}",
                      hint="pass a parsed Expression or a SymPy expression (text goes through "
                           "nablab.descent, which reads it)")


def _missing_start(unset: Sequence[str], names: Sequence[str], declared: bool) -> NablabError:
    """f mentions symbols that have no value. Without declared variables the start point says
    which symbols are variables, so the likely slip is a forgotten coordinate. Worded without
    any interface's syntax: the core serves Python, the CLI and the web page alike."""
    which = " and ".join(unset) if len(unset) < 3 else f"{', '.join(unset[:-1])} and {unset[-1]}"
    everything = [*names, *unset]
    full = ", ".join(f"{n}=1" for n in everything)
    if declared:
        plural = "s" if len(unset) > 1 else ""
        return NablabError(
            f"f has parameter{plural} {which} with no value (the variables are "
            f"{', '.join(names)})",
            hint=f"set a value for {which} as a parameter, or make {unset[0]} a variable with a "
                 f"starting value, e.g. the start point {full}")
    return NablabError(
        f"the start point gives no value for {which} (f depends on {', '.join(everything)})",
        hint=f"a complete start point names every variable, e.g. {full}; if {unset[0]} is a "
             "constant rather than a variable, give it a value as a parameter instead")


def _why_diverged(expr: sympy.Expr, variables: Sequence[sympy.Symbol], path: list[list[float]],
                  values: list[float], evaluate: divergence.Evaluate, rate: float, method: str,
                  tol: float) -> str:
    """The explanation of a blow-up: exact 2/L for a quadratic; for other f, 'f has no minimum
    that way' when it fell without bound, else L from the early path (see divergence)."""
    if divergence.is_quadratic(expr, variables):
        curv = divergence.curvature(expr, variables)
    elif divergence.fell_without_bound(values):
        return divergence.explain_runaway(values)
    else:
        curv = divergence.curvature_along(expr, variables, path, values, evaluate, tol)
    return divergence.explain(curv, rate, method)


def partial(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """∂expr/∂var over the reals, from the calculus core (the same derivative ``nablab grad``
    shows, so descent and the printed gradient can never disagree)."""
    real, back = to_real(expr)
    real_var = next((r for r, s in back.items() if s == var), var)
    return from_real(core_partial(real, real_var), back)


@dataclass
class Problem:
    """f with its parameters substituted, its variables, the start, and the compiled f, ∇f."""

    expr: sympy.Expr
    variables: list[sympy.Symbol]
    names: list[str]
    source: str
    x0: list[float]
    params: dict[str, float]
    grads: list[sympy.Expr]
    fn: Callable[..., Any]  # (x…) ↦ [f, ∂f/∂x₁, …]
    f_only: Callable[..., Any]
    _hessian: Callable[..., Any] | None = None

    def evaluate(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        try:
            with np.errstate(all="ignore"):
                out = self.fn(*x.tolist())
            return float(out[0]), np.array(out[1:], dtype=float)
        except OverflowError:  # Python floats raise where NumPy says inf
            return math.inf, np.full(len(x), math.inf)
        except (TypeError, ValueError, ZeroDivisionError):  # complex or undefined: off the domain
            return math.nan, np.full(len(x), math.nan)

    def hessian(self) -> Callable[..., Any]:
        """The compiled derived Hessian (compiled on first use: only Newton and advice need it)."""
        if self._hessian is None:
            H = sympy.Matrix([[partial(g, v) for v in self.variables] for g in self.grads])
            self._hessian = compile_numpy(H, self.variables)
        return self._hessian

    def hessian_at(self, x: Sequence[float] | np.ndarray) -> np.ndarray | None:
        with np.errstate(all="ignore"):
            try:
                H = np.array(self.hessian()(*x), dtype=float)
            except (TypeError, ValueError):
                return None
        if H.shape != (len(self.names),) * 2 or not np.all(np.isfinite(H)):
            return None
        return (H + H.T) / 2


def problem(f: Any, start: Mapping[str, Any] | Sequence[float],
            variables: Sequence[str] | None = None,
            params: Mapping[str, Any] | None = None) -> Problem:
    """Check f, the start and the parameters, and compile f and ∇f once (shared by the runs)."""
    start_names = list(start.keys()) if isinstance(start, Mapping) else None
    expr, syms, source = _as_expression(f, variables or start_names)
    if has_data(expr) or expr.has(sympy.Sum):  # the chapter's J(θ): a value only for a data set
        raise NablabError("f sums over data (Σ over n = 1…N), so it has no value without a "
                          "data set and descent cannot run on it here",
                          hint="fit it to data with nablab regress DATA.csv (or "
                               "nablab.regress), which derives the same partials")
    names = [v.name for v in syms]
    if isinstance(start, Mapping):
        x0 = [finite_float(n, v, "starting value")
              for n, v in zip(names, start_in_order(start, names), strict=True)]
    else:
        x0 = [finite_float(f"coordinate {i + 1}", v, "starting value") for i, v in enumerate(start)]
        if len(x0) != len(names):
            raise NablabError(f"f has {len(names)} variables ({', '.join(names)}) but the start "
                              f"point has {len(x0)} coordinates")
    param_values = {k: finite_float(k, v, "value") for k, v in (params or {}).items()}
    free = sorted((s for s in expr.free_symbols - set(syms)), key=lambda s: s.name)
    unset = [s.name for s in free if s.name not in param_values]
    if unset:
        raise _missing_start(unset, names, declared=bool(variables))
    expr = expr.xreplace({s: sympy.Float(param_values[s.name]) for s in free})
    grads = [partial(expr, v) for v in syms]
    p = Problem(expr, syms, names, source, x0, param_values, grads,
                compile_numpy([expr, *grads], syms), compile_numpy(expr, syms))
    value, g = p.evaluate(np.array(x0, dtype=float))
    if not (math.isfinite(value) and np.all(np.isfinite(g))):
        raise DomainError(
            "f or its gradient is not defined at the start point "
            + ", ".join(f"{n}={v:g}" for n, v in zip(names, x0, strict=True)),
            hint="start inside the domain of f (e.g. log needs a positive argument)")
    return p


def _check_run(rate: Any, steps: Any, method: str, line_search: str) -> float:
    if line_search not in LINE_SEARCHES:
        raise NablabError(f"unknown line search {line_search!r}",
                          hint=f"the step sizes are {', '.join(LINE_SEARCHES)}")
    if line_search != "fixed" and method not in LINE_SEARCH_METHODS:
        raise NablabError(f"a {line_search} line search is for "
                          f"{' and '.join(LINE_SEARCH_METHODS)}, not {method}",
                          hint=f"{method} uses a fixed rate η")
    if method == "newton":
        return math.nan  # Newton's step is its own parameter α
    if rate is None:
        raise NablabError(f"{method} needs a learning rate η", hint="e.g. a rate of 0.1")
    rate = finite_float("the rate", rate, "value")
    if rate <= 0:
        raise NablabError(f"the learning rate η must be positive, got {rate:g}",
                          hint="η must be in (0, ∞); a small positive number such as 0.1 or 0.01")
    return rate


def _check_steps(steps: Any) -> None:
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 0:
        raise NablabError(f"steps must be a non-negative integer, got {steps!r}")
    if steps > MAX_STEPS:
        raise ComputeLimitError(f"at most {MAX_STEPS:,} steps, got {steps:,}")


def descent(
    f: Any,
    start: Mapping[str, Any] | Sequence[float],
    rate: float | None = None,
    *,
    steps: int = 1000,
    tol: float = 1e-8,
    method: str | Sequence[str] = "gd",
    variables: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    line_search: str = "fixed",
    progress: Progress | None = None,
    **hyper: float,
) -> DescentResult | DescentRuns:
    """Minimise f from ``start``: one method → a :class:`DescentResult`; several (a list, or
    ``"gd,adam"``) → :class:`DescentRuns`, one run each from the same start, in that order.

    ``method``: gd, momentum (β), nesterov (μ), adagrad (ε), rmsprop (ρ, ε), adam (β1, β2, ε),
    newton (from the derived Hessian); parameters by name (``beta=0.8``, ``β1=0.95``).
    ``line_search``: fixed (rate η), armijo or wolfe (gd and newton; the rate is the first trial
    step). Stops when ‖∇f‖ < ``tol``, after ``steps`` updates, on divergence (non-finite or
    steadily growing f; the reason names η against 2/L and the step), on leaving the domain of
    f, or when Newton meets a singular or indefinite Hessian.
    """
    methods = method_names(method)
    settings = resolve(methods, hyper)
    _check_steps(steps)
    for m in methods:
        _check_run(rate, steps, m, line_search)
    prob = problem(f, start, variables, params)
    runs = [run(prob, m, rate, steps=steps, tol=tol, line_search=line_search,
                hyper=settings[m], progress=progress) for m in methods]
    if isinstance(method, str) and "," not in method:
        return runs[0]
    return DescentRuns(function=prob.source, variables=prob.names, start=prob.x0, runs=runs)


def run(prob: Problem, method: str, rate: float | None, *, steps: int = 1000,
        tol: float = 1e-8, line_search: str = "fixed", hyper: Mapping[str, float] | None = None,
        progress: Progress | None = None) -> DescentResult:
    """One method on a compiled :class:`Problem` (the loop; hyper-parameters already checked)."""
    eta = _check_run(rate, steps, method, line_search)
    _check_steps(steps)
    hyper = dict(hyper or resolve([method], {})[method])
    if method == "newton":
        eta = hyper["alpha"]
    # a run keeps every point and gradient: 2e5 small acyclic lists for 1e5 steps
    with np.errstate(all="ignore"), collector.paused():
        if method == "newton" or line_search != "fixed":
            rec = _searching_loop(prob, method, eta, steps, tol, line_search, progress)
        else:
            rec = _fast_loop(prob, make_update(method, eta, hyper, len(prob.names)), method,
                             steps, tol, progress)
        return _result(prob, method, eta, steps, tol, line_search, hyper, rec)


@dataclass
class _Record:
    path: list[Any]
    values: list[float]
    norms: list[float]
    grads: list[Any]
    status: Stop
    stopped_at: int
    why: str
    step_sizes: list[float] = field(default_factory=list)
    trials: list[int] = field(default_factory=list)


def _fast_loop(prob: Problem, update: Callable[..., Any], method: str, steps: int, tol: float,
               progress: Progress | None) -> _Record:
    """The first-order loop at a fixed rate: one compiled call and one update per step, on
    lists of Python floats (see :func:`nablab.optimize.methods.make_update`)."""
    fn = prob.fn
    x = [float(c) for c in prob.x0]
    value, g0 = prob.evaluate(np.array(x))
    g = g0.tolist()
    path, values, grads = [x], [value], [g]
    norm = math.hypot(*g)
    norms = [norm]
    scale = divergence.BLOWUP * (1.0 + max((abs(v) for v in prob.x0), default=0.0))
    f0 = value
    rises = 0
    gd = method == "gd"
    hypot, isfinite, nan, inf = math.hypot, math.isfinite, math.nan, math.inf
    d = len(x)
    for k in range(1, steps + 2):
        if norm < tol:
            return _Record(path, values, norms, grads, Stop.CONVERGED, k - 1, "")
        if k == steps + 1:
            return _Record(path, values, norms, grads, Stop.LIMIT, steps, "")
        x = update(x, g, k)
        try:
            out = fn(*x)
            new = float(out[0])
            g = out[1:]
            norm = hypot(*g)  # also refuses complex partials (TypeError)
        except OverflowError:  # Python floats raise where NumPy says inf
            new, g, norm = inf, [inf] * d, inf
        except (TypeError, ValueError, ZeroDivisionError):  # complex or undefined: off the domain
            new, g, norm = nan, [nan] * d, nan
        rises = rises + 1 if new > value else 0
        value = new
        path.append(x)
        values.append(value)
        grads.append(g)
        norms.append(norm)
        if progress is not None:
            progress(k, steps, value)
        if not (isfinite(value) and isfinite(norm)):
            return _nonfinite(path, values, norms, grads, np.array(x, dtype=float), k)
        if gd and rises >= divergence.GROWTH_STEPS and value > f0:
            return _Record(path, values, norms, grads, Stop.DIVERGED, k,
                           f"f grew for {divergence.GROWTH_STEPS} steps in a row and is above "
                           "its starting value")
        if k % SCALE_CHECK_EVERY == 0 and max(map(abs, x)) > scale:
            return _Record(path, values, norms, grads, Stop.DIVERGED, k,
                           f"the point left every reasonable scale (|x| > "
                           f"{divergence.BLOWUP:g}·(1 + |start|))")
    raise AssertionError("unreachable")  # pragma: no cover


def _nonfinite(path: list[Any], values: list[float], norms: list[float], grads: list[Any],
               x: np.ndarray, k: int) -> _Record:
    value = values[-1]
    scale = divergence.BLOWUP * (1.0 + float(np.max(np.abs(path[0])))) if len(path[0]) else math.inf
    if math.isnan(value) and np.all(np.isfinite(x)) and float(np.max(np.abs(x))) > scale:
        # far past every reasonable scale, f or ∇f failing there (sin of 1e197 is NaN) is a
        # symptom of the run-off, not a domain edge
        return _Record(path, values, norms, grads, Stop.DIVERGED, k,
                       f"the point left every reasonable scale (|x| > "
                       f"{divergence.BLOWUP:g}·(1 + |start|))")
    if math.isnan(value) and np.all(np.isfinite(x)):
        return _Record(path, values, norms, grads, Stop.LEFT_DOMAIN, k, "")
    what = "f" if not math.isfinite(value) else "∇f"
    kind = "overflow" if np.any(np.isinf(x)) or (math.isinf(value)) else "NaN"
    return _Record(path, values, norms, grads, Stop.DIVERGED, k,
                   f"{what} became non-finite ({kind})")


def _searching_loop(prob: Problem, method: str, eta: float, steps: int, tol: float,
                    line_search: str, progress: Progress | None) -> _Record:
    """gd or newton with a fixed step or a line search, one direction per iteration."""
    x = np.array(prob.x0, dtype=float)
    value, g = prob.evaluate(x)
    path, values, grads = [x], [value], [g]
    norms = [math.sqrt(float(g @ g))]
    sizes: list[float] = []
    trials: list[int] = []
    f0 = value
    rises = 0

    def done(status: Stop, k: int, why: str = "") -> _Record:
        return _Record(path, values, norms, grads, status, k, why, sizes, trials)

    for k in range(1, steps + 2):
        if norms[-1] < tol:
            return done(Stop.CONVERGED, k - 1)
        if k == steps + 1:
            return done(Stop.LIMIT, steps)
        if method == "newton":
            p, trouble = _newton_direction(prob, x, g, k)
            if p is None:
                return done(Stop.HESSIAN, k - 1, trouble)
        else:
            p = -g
        if line_search == "fixed":
            x = x + eta * p
            value_new, g = prob.evaluate(x)
            alpha, n_trials = eta, 1
        else:
            search = linesearch.armijo if line_search == "armijo" else linesearch.wolfe
            found = search(prob.evaluate, x, value, g, p, eta)
            if isinstance(found, linesearch.Failed):
                trials.append(found.trials)
                return done(Stop.LINE_SEARCH, k - 1, f"at step {k}: {found.why}")
            x, value_new, g, alpha, n_trials = (found.x, found.value, found.grad, found.alpha,
                                                found.trials)
        rises = rises + 1 if value_new > value else 0
        value = value_new
        sizes.append(alpha)
        trials.append(n_trials)
        path.append(x)
        values.append(value)
        grads.append(g)
        norms.append(math.sqrt(float(g @ g)))
        if progress is not None:
            progress(k, steps, value)
        if not math.isfinite(value) or not math.isfinite(norms[-1]):
            rec = _nonfinite(path, values, norms, grads, x, k)
            rec.step_sizes, rec.trials = sizes, trials
            return rec
        if rises >= divergence.GROWTH_STEPS and value > f0:
            return done(Stop.DIVERGED, k, f"f grew for {divergence.GROWTH_STEPS} steps in a "
                                          "row and is above its starting value")
    raise AssertionError("unreachable")  # pragma: no cover


def _newton_direction(prob: Problem, x: np.ndarray, g: np.ndarray, k: int
                      ) -> tuple[np.ndarray | None, str]:
    """−H⁻¹∇f, or None and why not (Hessian not finite, singular, or not positive definite)."""
    at = ", ".join(f"{n}={c:.6g}" for n, c in zip(prob.names, x, strict=True))
    H = prob.hessian_at(x)
    if H is None:
        return None, f"the Hessian is not finite at step {k - 1} ({at}), so Newton's step is undefined"
    lam = np.linalg.eigvalsh(H)
    shown = ", ".join(f"{v:.6g}" for v in lam)
    top = float(np.max(np.abs(lam)))
    if top == 0 or float(np.min(np.abs(lam))) <= 1e-12 * top:
        return None, (f"the Hessian is singular at step {k - 1} ({at}; eigenvalues {shown}): "
                      "H⁻¹∇f does not exist there; use gd, or start where f curves in every "
                      "direction")
    if lam[0] < 0:
        return None, (f"the Hessian is indefinite at step {k - 1} ({at}; eigenvalues {shown}): "
                      "the Newton step heads for the stationary point of the quadratic model, "
                      "a saddle or a maximum, not a minimum; use gd or start nearer a minimum")
    return np.linalg.solve(H, -g), ""


def _result(prob: Problem, method: str, eta: float, steps: int, tol: float, line_search: str,
            hyper: dict[str, float], rec: _Record) -> DescentResult:
    path_arr = np.array(rec.path, dtype=float)
    grads_arr = np.array(rec.grads, dtype=float)
    path = path_arr.tolist()
    values = [float(v) for v in rec.values]
    k = rec.stopped_at
    norm = rec.norms[-1]
    if rec.status is Stop.CONVERGED:
        reason = f"‖∇f‖ = {norm:.3g} < tol = {tol:g}"
    elif rec.status is Stop.LIMIT:
        reason = f"step limit reached ({steps} steps) with ‖∇f‖ = {norm:.3g}"
    elif rec.status is Stop.LEFT_DOMAIN:
        reason = (f"left the domain of f at step {k}, at "
                  + ", ".join(f"{n}={c:.6g}" for n, c in zip(prob.names, path[-1], strict=True))
                  + "; try a smaller rate or another start")
    elif rec.status is Stop.DIVERGED:
        words = _why_diverged(prob.expr, prob.variables, path, values, prob.evaluate, eta,
                              method, tol)
        reason = f"diverged at step {k}: {rec.why}; {words}"
    else:
        reason = rec.why
    quad = divergence.is_quadratic(prob.expr, prob.variables)
    curv = divergence.curvature(prob.expr, prob.variables) if quad else None
    options: dict[str, float] = {"steps": steps, "tol": tol}
    options.update({("momentum" if n == "beta" else n): v for n, v in hyper.items()})
    return DescentResult(
        variables=prob.names, method=method, rate=eta, start=prob.x0, path=path,
        values=values, grad_norms=[float(v) for v in rec.norms],
        converged=rec.status is Stop.CONVERGED, diverged=rec.status is Stop.DIVERGED,
        reason=reason, function=prob.source, gradient=list(prob.grads),
        parameters=prob.params, curvature=curv, options=options, status=rec.status,
        stopped_at=k, line_search=line_search, hyper=hyper, step_sizes=rec.step_sizes,
        trials=rec.trials, advice=_advice(prob, quad, path, rec.status),
        sensitivity=adv.sensitivity_along(prob.names, path_arr, grads_arr),
        _evaluate=prob.f_only,
    )


def _advice(prob: Problem, quad: bool, path: list[list[float]], status: Stop) -> adv.Advice | None:
    """Eigenvalue advice: exact for a quadratic; else the quadratic model at the point reached
    (when converged: the minimum's neighbourhood) or at the start."""
    at = path[-1] if status is Stop.CONVERGED or quad else path[0]
    H = prob.hessian_at(at)
    if H is None:
        return None
    return adv.advice(np.linalg.eigvalsh(H), quad, None if quad else at)
