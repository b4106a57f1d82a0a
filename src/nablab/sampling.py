"""Sampling f and ∇f on bounded grids, for the pictures (contours, surface, arrows).

Given a parsed function, two of its variables as axes and values for everything else, return
f on an n×n grid and ∇f (the two plotted components) on a coarser arrow grid. Points outside
the real domain — log of a negative, division by zero, a complex value — are ``None``, never
NaN, so the result is valid JSON as it stands. For more than two variables the others are fixed
(a slice); a function of one variable is sampled on a line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from nablab.errors import DomainError, LimitError, NablabError
from nablab.expression import Expression, to_real
from nablab.numeric import compile_numpy

MAX_N = 201
MAX_ARROWS = 41
MAX_COORD = 1e12

__all__ = ["MAX_ARROWS", "MAX_N", "PlotGrid", "sample"]


@dataclass
class PlotGrid:
    """f on a grid (rows follow y, columns follow x: Plotly's layout) and ∇f on an arrow grid."""

    variables: list[str]
    x_var: str
    y_var: str | None
    fixed: dict[str, float]
    x: list[float]
    y: list[float] | None
    z: list
    z_min: float | None
    z_max: float | None
    arrows: dict = field(default_factory=dict)


def _nulls(values: np.ndarray) -> list:
    """Array → nested lists with non-finite entries as None (JSON null)."""
    arr = np.asarray(values, dtype=float)
    obj = arr.astype(object)
    obj[~np.isfinite(arr)] = None
    return obj.tolist()


def _finite_range(values: np.ndarray) -> tuple[float | None, float | None]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None, None
    return float(finite.min()), float(finite.max())


def check_window(name: str, rng: Sequence[float]) -> tuple[float, float]:
    """A plotting window (low, high), named in errors as the caller's user knows it."""
    if len(rng) != 2:
        raise NablabError(f"{name} needs two numbers [low, high], got {len(rng)}")
    lo, hi = float(rng[0]), float(rng[1])
    if not (math.isfinite(lo) and math.isfinite(hi)) or max(abs(lo), abs(hi)) > MAX_COORD:
        raise LimitError(f"{name} must be finite numbers within ±{MAX_COORD:g}",
                         hint="choose a smaller plotting window")
    if not lo < hi:
        raise NablabError(f"{name} must have low < high, got [{lo:g}, {hi:g}]",
                          hint="swap the two numbers")
    return lo, hi


def _evaluate(fn, args: list, shape: tuple[int, ...]) -> np.ndarray:
    """Call a compiled function, real results only: complex or non-finite → NaN."""
    with np.errstate(all="ignore"):
        try:
            out = fn(*args)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            # Scalar corner cases (e.g. 1/0 on Python numbers): fall back point by point.
            out = np.full(shape, np.nan)
        out = np.asarray(out)
        if np.iscomplexobj(out):
            real = np.where(np.abs(out.imag) <= 1e-12 * (1 + np.abs(out.real)), out.real, np.nan)
            out = real
        out = np.broadcast_to(out.astype(float, copy=False), shape).copy()
    out[~np.isfinite(out)] = np.nan
    return out


def sample(
    expression: Expression,
    x_var: str | None = None,
    y_var: str | None = None,
    x_range: Sequence[float] = (-3.0, 3.0),
    y_range: Sequence[float] = (-3.0, 3.0),
    fixed: Mapping[str, float] | None = None,
    n: int = 61,
    arrows: int = 15,
    one_dimensional: bool = False,
) -> PlotGrid:
    """Sample f and its two plotted partials. Every variable and parameter that is not an axis
    must have a value in ``fixed``; a function with sums over data cannot be sampled."""
    fixed = dict(fixed or {})
    expr = expression.expr
    if expr.has(sympy.Sum) or expr.atoms(AppliedUndef):
        raise NablabError("a function with sums over data cannot be plotted on a grid",
                          hint="plot a function of the variables alone")
    if not 2 <= int(n) <= MAX_N:
        raise LimitError(f"the grid size n must be between 2 and {MAX_N}, got {n}",
                         hint=f"use n ≤ {MAX_N}")
    if not 0 <= int(arrows) <= MAX_ARROWS:
        raise LimitError(f"the arrow grid size must be between 0 and {MAX_ARROWS}, got {arrows}",
                         hint=f"use arrows ≤ {MAX_ARROWS}")
    n, arrows = int(n), int(arrows)
    names = [v.name for v in expression.variables]
    if not names:
        raise NablabError("the function has no variables to plot against",
                          hint="name the variables, e.g. variables x,y")
    x_var = x_var or names[0]
    if y_var is None and not one_dimensional and len(names) >= 2:
        y_var = next(v for v in names if v != x_var)
    for label, name in (("x_var", x_var), ("y_var", y_var)):
        if name is not None and name not in names:
            raise NablabError(f"{label} {name!r} is not a variable of the function",
                              hint="the variables are " + ", ".join(names))
    if x_var == y_var:
        raise NablabError("x_var and y_var must be two different variables")
    axes = [x_var] + ([y_var] if y_var else [])
    symbols = list(expression.variables) + list(expression.parameters)
    others = [s.name for s in symbols if s.name not in axes]
    missing = [name for name in others if name not in fixed]
    if missing:
        raise NablabError("give a value for " + ", ".join(missing) + " (held fixed in the plot)",
                          hint="set fixed, e.g. {" + ", ".join(f'"{m}": 0' for m in missing) + "}")
    unknown = [k for k in fixed if k not in others]
    if unknown:
        raise NablabError("fixed names no other variable or parameter: " + ", ".join(unknown))
    fixed_values = {}
    for name in others:
        value = float(fixed[name])
        if not math.isfinite(value):
            raise DomainError(f"the fixed value of {name} must be a finite number")
        fixed_values[name] = value

    real_expr, _ = to_real(expr)
    real_symbols = [sympy.Symbol(s.name, real=True) for s in symbols]
    by_name = {s.name: s for s in real_symbols}
    partials = [sympy.diff(real_expr, by_name[a]) for a in axes]
    f_fn = compile_numpy(real_expr, real_symbols)
    grad_fn = compile_numpy(partials, real_symbols) if arrows else None

    x0, x1 = check_window("x_range", x_range)
    xs = np.linspace(x0, x1, n)
    if y_var:
        y0, y1 = check_window("y_range", y_range)
        ys = np.linspace(y0, y1, n)
        grid_x, grid_y = np.meshgrid(xs, ys)
        shape = grid_x.shape
    else:
        ys = None
        grid_x, grid_y, shape = xs, None, xs.shape

    def args_for(gx: np.ndarray, gy: np.ndarray | None) -> list:
        values = {x_var: gx, **fixed_values}
        if y_var:
            values[y_var] = gy
        return [values[s.name] for s in real_symbols]

    z = _evaluate(f_fn, args_for(grid_x, grid_y), shape)
    z_min, z_max = _finite_range(z)

    arrow_data: dict = {}
    if grad_fn is not None:
        ax = np.linspace(x0, x1, arrows)
        if y_var:
            ay = np.linspace(y0, y1, arrows)
            gx, gy = np.meshgrid(ax, ay)
            points, ashape = args_for(gx, gy), gx.shape
        else:
            ay, points, ashape = None, args_for(ax, None), ax.shape
        comps = _grad_components(grad_fn, points, ashape, len(axes))
        # Where f itself is undefined there is no gradient either (e.g. d/dx log(x) at x < 0).
        undefined = np.isnan(_evaluate(f_fn, points, ashape))
        for c in comps:
            c[undefined] = np.nan
        if ay is not None:  # y_var
            u, v = comps
            norm = np.hypot(u, v)
            arrow_data = {"x": ax.tolist(), "y": ay.tolist(), "u": _nulls(u), "v": _nulls(v),
                          "norm": _nulls(norm), "max_norm": _finite_range(norm)[1]}
        else:
            (u,) = comps
            arrow_data = {"x": ax.tolist(), "u": _nulls(u),
                          "max_norm": _finite_range(np.abs(u))[1]}

    return PlotGrid(
        variables=names,
        x_var=x_var,
        y_var=y_var,
        fixed=fixed_values,
        x=xs.tolist(),
        y=ys.tolist() if ys is not None else None,
        z=_nulls(z),
        z_min=z_min,
        z_max=z_max,
        arrows=arrow_data,
    )


def _grad_components(fn, args: list, shape: tuple[int, ...], count: int) -> list[np.ndarray]:
    with np.errstate(all="ignore"):
        try:
            out = fn(*args)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            out = [np.nan] * count
    if count == 1 and not isinstance(out, list | tuple):
        out = [out]
    return [_evaluate(lambda c=c: c, [], shape) for c in out]
