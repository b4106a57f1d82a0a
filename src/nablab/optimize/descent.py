"""Gradient descent θ ← θ − η∇f on any function, driven by its symbolic gradient.

The partials come from the calculus core (real variables), are compiled once to NumPy with
shared subexpressions, and the loop records the path, f and ‖∇f‖ per step so that a person can
see what the method did. Momentum and Adam are offered as labelled alternatives to plain GD.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from nablab.errors import ComputeLimitError, DomainError, NablabError, ParseError
from nablab.optimize import divergence

METHODS = ("gd", "momentum", "adam")
MAX_STEPS = 1_000_000

Progress = Callable[[int, int, float], None]


@dataclass
class DescentResult:
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
    gradient: list[str]
    parameters: dict[str, float] = field(default_factory=dict)
    curvature: divergence.Curvature | None = None
    options: dict[str, float] = field(default_factory=dict)
    _evaluate: Callable | None = field(default=None, repr=False, compare=False)

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

    def to_dict(self) -> dict:
        return {
            "variables": self.variables,
            "path": [[_finite(v) for v in p] for p in self.path],
            "values": [_finite(v) for v in self.values],
            "grad_norms": [_finite(v) for v in self.grad_norms],
            "converged": self.converged,
            "diverged": self.diverged,
            "reason": self.reason,
            "steps": self.steps,
            "point": [_finite(v) for v in self.point],
            "value": _finite(self.values[-1]),
            "method": self.method,
            "rate": self.rate,
            "options": self.options,
            "start": self.start,
            "function": self.function,
            "gradient": self.gradient,
            "parameters": self.parameters,
            "curvature": self.curvature.to_dict() if self.curvature else None,
        }


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def _number(name: str, value: Any, what: str) -> float:
    if isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool):
        out = float(value)
    else:
        try:
            out = float(str(value).strip())
        except ValueError:
            raise ParseError(f"{what} for {name} is not a number: {value!r}",
                             hint="write a plain decimal number such as 1.5 or -2e-3") from None
    if not math.isfinite(out):
        raise ParseError(f"{what} for {name} must be finite, got {value!r}")
    return out


def _as_expression(f: Any, names: Sequence[str] | None) -> tuple[sympy.Expr, list[sympy.Symbol], str]:
    """Given text, a parsed Expression or a SymPy expression, return (expr, variables, source)."""
    from nablab.expression import Expression

    if isinstance(f, str):
        from nablab.parse import parse

        f = parse(f, variables=list(names) if names else None)
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
        from nablab.render.text import to_text

        return expr, variables, to_text(expr)
    raise NablabError(f"cannot run descent on a {type(f).__name__}",
                      hint="pass the function as text, a parsed Expression or a SymPy expression")


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
    from nablab.calculus.partials import partial as core_partial
    from nablab.expression import from_real, to_real

    real, back = to_real(expr)
    real_var = next((r for r, s in back.items() if s == var), var)
    return from_real(core_partial(real, real_var), back)


def descent(
    f: Any,
    start: Mapping[str, Any] | Sequence[float],
    rate: float,
    *,
    steps: int = 1000,
    tol: float = 1e-8,
    method: str = "gd",
    variables: Sequence[str] | None = None,
    params: Mapping[str, Any] | None = None,
    momentum: float = 0.9,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    progress: Progress | None = None,
) -> DescentResult:
    """Minimise f from ``start`` with fixed rate ``rate``.

    Stops when ‖∇f‖ < ``tol`` (converged), after ``steps`` updates, when the run diverges
    (non-finite or steadily growing f; the reason names η against 2/L), or when it leaves the
    domain of f. ``method`` is ``"gd"`` (θ ← θ − η∇f), ``"momentum"`` (heavy ball:
    v ← βv + ∇f, θ ← θ − ηv) or ``"adam"`` (Kingma & Ba, bias-corrected).
    """
    if method not in METHODS:
        raise NablabError(f"unknown method {method!r}", hint="choose gd, momentum or adam")
    rate = _number("the rate", rate, "value")
    if rate <= 0:
        raise NablabError(f"the learning rate η must be positive, got {rate:g}",
                          hint="a small positive number such as 0.1 or 0.01")
    if not isinstance(steps, int) or steps < 0:
        raise NablabError(f"steps must be a non-negative integer, got {steps!r}")
    if steps > MAX_STEPS:
        raise ComputeLimitError(f"at most {MAX_STEPS:,} steps, got {steps:,}")

    from nablab.parse.reader import canonical_name

    if isinstance(start, Mapping):  # x_1 / θ₀ as the function spells them: x1, theta0
        start = {canonical_name(k): v for k, v in start.items()}
    params = {canonical_name(k): v for k, v in (params or {}).items()}
    start_names = list(start.keys()) if isinstance(start, Mapping) else None
    variables_given = variables
    expr, variables, source = _as_expression(f, variables or start_names)
    names = [v.name for v in variables]
    if isinstance(start, Mapping):
        unknown = [k for k in start if k not in names]
        if unknown:
            raise NablabError(f"{unknown[0]} is not a variable of f (variables: {', '.join(names)})")
        missing = [n for n in names if n not in start]
        if missing:
            raise NablabError(f"no starting value for {missing[0]}",
                              hint=f"give one for every variable: {', '.join(names)}")
        x0 = [_number(n, start[n], "starting value") for n in names]
    else:
        x0 = [_number(f"coordinate {i + 1}", v, "starting value") for i, v in enumerate(start)]
        if len(x0) != len(names):
            raise NablabError(f"f has {len(names)} variables ({', '.join(names)}) but the start "
                              f"point has {len(x0)} coordinates")

    param_values = {k: _number(k, v, "value") for k, v in (params or {}).items()}
    free = sorted((s for s in expr.free_symbols - set(variables)), key=lambda s: s.name)
    unset = [s.name for s in free if s.name not in param_values]
    if unset:
        raise _missing_start(unset, names, declared=bool(variables_given))
    expr = expr.xreplace({s: sympy.Float(param_values[s.name]) for s in free})

    grads = [partial(expr, v) for v in variables]
    from nablab.numeric import compile_numpy
    from nablab.render.text import to_text

    fn = compile_numpy([expr, *grads], variables)
    f_only = compile_numpy(expr, variables)

    def evaluate(x: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            out = fn(*x)
        try:
            val = float(out[0])
            g = np.array([float(v) for v in out[1:]], dtype=float)
        except (TypeError, ValueError):  # complex results: outside the real domain
            return math.nan, np.full(len(x), math.nan)
        return val, g

    x = np.array(x0, dtype=float)
    value, g = evaluate(x)
    if not (math.isfinite(value) and np.all(np.isfinite(g))):
        raise DomainError(
            "f or its gradient is not defined at the start point "
            + ", ".join(f"{n}={v:g}" for n, v in zip(names, x0, strict=True)),
            hint="start inside the domain of f (e.g. log needs a positive argument)")

    path, values, norms = [x.tolist()], [value], [float(np.linalg.norm(g))]
    v = np.zeros_like(x)
    m2 = np.zeros_like(x)
    converged = diverged = False
    reason = ""
    for k in range(1, steps + 2):
        if norms[-1] < tol:
            converged, reason = True, f"‖∇f‖ = {norms[-1]:.3g} < tol = {tol:g}"
            break
        if k == steps + 1:
            reason = f"step limit reached ({steps} steps) with ‖∇f‖ = {norms[-1]:.3g}"
            break
        if method == "gd":
            x = x - rate * g
        elif method == "momentum":
            v = momentum * v + g
            x = x - rate * v
        else:
            v = beta1 * v + (1 - beta1) * g
            m2 = beta2 * m2 + (1 - beta2) * g * g
            x = x - rate * (v / (1 - beta1**k)) / (np.sqrt(m2 / (1 - beta2**k)) + eps)
        value, g = evaluate(x)
        path.append(x.tolist())
        values.append(value)
        norms.append(float(np.linalg.norm(g)))
        if progress is not None:
            progress(k, steps, value)
        overflow = (not math.isfinite(value) and (math.isinf(value) or not np.all(np.isfinite(x))))
        if math.isnan(value) and np.all(np.isfinite(x)):
            reason = ("left the domain of f at "
                      + ", ".join(f"{n}={c:.6g}" for n, c in zip(names, x, strict=True))
                      + "; try a smaller rate or another start")
            break
        why = "f became non-finite (overflow)" if overflow else divergence.detect(
            values, x, x0, method)
        if why:
            diverged = True
            words = _why_diverged(expr, variables, path, values, evaluate, rate, method, tol)
            reason = f"diverged: {why}; {words}"
            break

    curv = divergence.curvature(expr, variables) if divergence.is_quadratic(expr, variables) else None
    options: dict[str, float] = {"steps": steps, "tol": tol}
    if method == "momentum":
        options["momentum"] = momentum
    elif method == "adam":
        options.update(beta1=beta1, beta2=beta2, eps=eps)
    return DescentResult(
        variables=names, method=method, rate=rate, start=x0, path=path, values=values,
        grad_norms=norms, converged=converged, diverged=diverged, reason=reason,
        function=source, gradient=[to_text(gr) for gr in grads], parameters=param_values,
        curvature=curv, options=options, _evaluate=f_only,
    )
