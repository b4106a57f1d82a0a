"""A function and its gradient at a point: value, ∇f (exact where cheap, and floats), ‖∇f‖, the
unit direction of steepest ascent, a directional derivative, the Hessian, and the
finite-difference check.

Every value is checked against the domain first (a violated condition is named), and any value
that still comes out non-real or non-finite is refused rather than shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import symengine as se
import sympy

from nablab.calculus.budget import estimate_work, run_with_budget
from nablab.calculus.domain import FUNCTION, PARTIALS, Condition, check_point
from nablab.calculus.fdcheck import CheckRow, check_gradient
from nablab.calculus.partials import _Engine
from nablab.dag import tree_size
from nablab.display import RichDisplay
from nablab.errors import ComputeLimitError, DomainError, NablabError

#: exact values are computed only for expressions up to this size …
EXACT_MAX_SIZE = 300
#: … without integer powers beyond this (2^999999998 is not "cheap")
EXACT_MAX_POWER = 1000


class _Scalar:
    """Fast float evaluation: SymEngine substitution when it can, SymPy's evalf otherwise."""

    def __init__(self, exprs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol],
                 native: Sequence[se.Basic | None] | None = None,
                 engine: _Engine | None = None) -> None:
        """``native``: SymEngine forms already made (None entries are converted here)."""
        engine = engine if engine is not None else _Engine(symbols)
        self.symbols = list(symbols)
        self.se_symbols = [se.Symbol(s.name) for s in symbols]
        self.exprs = list(exprs)
        given = list(native) if native is not None else [None] * len(self.exprs)
        self.se_exprs = [g if g is not None else engine.convert(e)
                         for e, g in zip(self.exprs, given, strict=True)]

    def __call__(self, i: int, values: Sequence[float]) -> float:
        conv = self.se_exprs[i]
        try:
            if conv is not None:
                out = conv.subs(dict(zip(self.se_symbols, [se.RealDouble(v) for v in values],
                                         strict=True)))
                return _real_float(complex(out))
            out = self.exprs[i].evalf(17, subs=dict(zip(self.symbols, values, strict=True)))
            return _real_float(complex(out))
        except (TypeError, ValueError, ZeroDivisionError):
            return math.nan
        except RuntimeError:  # SymEngine has no numeric value for it (atan2): ask SymPy
            if conv is None:
                return math.nan
            self.se_exprs[i] = None
            return self(i, values)


def _real_float(v: complex) -> float:
    if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
        return math.nan
    return v.real


@dataclass(frozen=True)
class Number:
    """A value at the point: exact (when cheap) and as a float."""

    exact: sympy.Expr | None
    value: float



@dataclass
class PointResult(RichDisplay):
    """Everything about f at one point."""

    point: dict[str, float]
    value: Number
    gradient: list[Number]
    norm: float
    direction: list[float] | None
    directional_derivative: dict | None
    check: list[CheckRow]
    hessian: list[list[float]] | None = None
    notes: list[str] = field(default_factory=list)
    #: the note (one of ``notes``) saying the finite differences disagree: an alarm, not advice
    mismatch_note: str | None = None

    @property
    def check_ok(self) -> bool:
        return all(r.ok for r in self.check)


def _cheap_exact(expr: sympy.Expr) -> bool:
    if tree_size(expr) > EXACT_MAX_SIZE:
        return False
    return all(not (p.exp.is_Integer and abs(p.exp) > EXACT_MAX_POWER)
               for p in expr.atoms(sympy.Pow))


def _exact(expr: sympy.Expr, subs: Mapping) -> sympy.Expr | None:
    if not _cheap_exact(expr):
        return None
    outcome = run_with_budget(lambda: expr.xreplace(dict(subs)), 0.5,
                              size=estimate_work(expr))
    if not outcome.ok or not isinstance(outcome.value, sympy.Expr):
        return None
    v = outcome.value
    if v.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo, sympy.I) or tree_size(v) > 200:
        return None
    return v


def _wide_float(expr: sympy.Expr, subs: Mapping) -> float:
    """``expr`` at the point with mpmath's floats, whose exponent is unbounded: doubles give NaN
    where an overflow meets a zero (``(x+y+1)^99999 (x-y)^99999`` at x = y is ∞·0, truly 0),
    which is not the point being outside the domain. NaN when that does not settle it either."""
    outcome = run_with_budget(lambda: expr.evalf(20, subs=dict(subs)), 0.5,
                              size=estimate_work(expr))
    if not outcome.ok or not isinstance(outcome.value, sympy.Expr) or not outcome.value.is_number:
        return math.nan
    re, im = outcome.value.as_real_imag()
    try:
        real, imag = float(re), float(im)
    except (TypeError, ValueError):
        return math.nan
    return real if abs(imag) <= 1e-12 * max(1.0, abs(real)) else math.nan


def _finite(v: float, what: str, expr: sympy.Expr | None = None,
            subs: Mapping | None = None) -> float:
    if math.isnan(v) and expr is not None and subs is not None:
        v = _wide_float(expr, subs)
    if math.isnan(v):
        raise DomainError(f"{what} is not a real number at this point",
                          hint="the point is outside the real domain (check the domain list)")
    if math.isinf(v):
        raise ComputeLimitError(f"{what} is too large for a floating-point number at this point",
                                hint="try a point closer to the origin")
    return v


def check_point_names(given: Iterable[str], known: Sequence[str],
                      needed: Sequence[str]) -> None:
    """A point names only ``known`` symbols and gives each of ``needed`` a value: the one
    wording of both mistakes for every answer at a point (values, the graph)."""
    given = list(given)
    unknown = [k for k in given if k not in known]
    if unknown:
        raise NablabError(f"the point names {', '.join(unknown)}, which "
                          f"{'is' if len(unknown) == 1 else 'are'} not in the function",
                          hint="variables: " + ", ".join(known) if known else None)
    missing = [n for n in needed if n not in given]
    if missing:
        raise NablabError(f"the point gives no value for {', '.join(missing)}",
                          hint="give every variable and parameter a value, e.g. "
                               + ",".join(f"{n}=1" for n in known))


def evaluate_at(
    f: sympy.Expr,
    partials: Sequence[sympy.Expr],
    variables: Sequence[sympy.Symbol],
    parameters: Sequence[sympy.Symbol],
    conditions: Sequence[Condition],
    values: Mapping[str, sympy.Expr],
    *,
    direction: Sequence[float] | None = None,
    hessian: Sequence[Sequence[sympy.Expr]] | None = None,
    native: Sequence[se.Basic | None] | None = None,
    engine: _Engine | None = None,
) -> PointResult:
    """f, ∇f, ‖∇f‖, steepest-ascent direction, directional derivative, Hessian and the FD
    check at the point ``values`` (already read: name → exact number; every variable and
    parameter needs one). ``native`` = SymEngine forms of [f, *partials] where known and the
    ``engine`` that made them, so nothing is converted twice."""
    symbols = list(variables) + [p for p in parameters if p not in variables]
    by_name = {s.name: s for s in symbols}
    check_point_names(values, list(by_name), list(by_name))
    subs = {by_name[k]: v for k, v in values.items()}
    floats = [float(subs[s].evalf(17)) for s in symbols]
    point_text = ", ".join(f"{s.name} = {values[s.name]}" for s in symbols)
    check_point(conditions, subs, point_text, FUNCTION)
    check_point(conditions, subs, point_text, PARTIALS)

    n = len(variables)
    scalar = _Scalar([f, *partials], symbols, native, engine)
    value = Number(_exact(f, subs), _finite(scalar(0, floats), "f", f, subs))
    grad = [Number(_exact(p, subs),
                   _finite(scalar(i + 1, floats), f"∂f/∂{variables[i].name}", p, subs))
            for i, p in enumerate(partials)]
    g = [x.value for x in grad]
    norm = math.sqrt(sum(v * v for v in g))
    notes = []
    if norm > 0:
        unit: list[float] | None = [v / norm for v in g]
    else:
        unit = None
        notes.append("∇f = 0 here (a stationary point): there is no direction of steepest ascent")

    directional = None
    if direction is not None:
        vec = list(direction)
        length = math.sqrt(sum(v * v for v in vec))
        u = [v / length for v in vec]
        directional = {
            "along": vec, "unit": u, "value": sum(a * b for a, b in zip(g, u, strict=True)),
            "note": "the direction was normalised to unit length" if abs(length - 1) > 1e-12
            else "the direction already had unit length",
        }

    def f_num(p: list[float]) -> float:
        return scalar(0, list(p) + floats[n:])

    rows = check_gradient(f_num, floats[:n], g, [v.name for v in variables])
    bad = [r.variable for r in rows if r.checked and not r.ok]
    unchecked = [r.variable for r in rows if not r.checked]
    if unchecked:
        notes.append("finite-difference check not possible for " + ", ".join(unchecked)
                     + ": f is not a finite number a small step away from the point")
    mismatch = None
    if bad:
        mismatch = ("FINITE-DIFFERENCE MISMATCH for " + ", ".join(bad)
                    + ": the symbolic and numerical partials disagree at this point")
        notes.append(mismatch)
    hess_values = None
    if hessian is not None:
        hs = _Scalar([h for row in hessian for h in row], symbols, engine=engine)
        hess_values = [[_finite(hs(i * n + j, floats), "a second partial") for j in range(n)]
                       for i in range(n)]
    return PointResult(
        point={s.name: fl for s, fl in zip(symbols, floats, strict=True)},
        value=value, gradient=grad, norm=norm, direction=unit,
        directional_derivative=directional, check=rows, hessian=hess_values, notes=notes,
        mismatch_note=mismatch,
    )
