"""Pictures as matplotlib figures: f itself (contours with ∇f arrows, the point, optionally the
surface); a descent run (the path over contours of f, f per step); a regression (the loss
curve, the fit, J's contours with the path). Each ``*_figure`` returns the ``Figure`` (a
notebook displays it); each ``*_plot`` writes it as PNG or SVG, by the file's extension.

Uses matplotlib's object API (``Figure`` + its own canvas), never pyplot, so nothing global
is touched and no display is needed. matplotlib is the ``plot`` extra: a missing one is a
message naming nablab[plot].
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from nablab.errors import NablabError
from nablab.expression import Expression
from nablab.extras import require
from nablab.optimize.data import is_dask_input, load
from nablab.sampling import sample

FORMATS = (".png", ".svg")


def _check(path: str | os.PathLike) -> str:
    path = os.fspath(path)
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise NablabError(f"cannot write a plot to {path!r}", hint="use a .png or .svg file name")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise NablabError(f"no such folder for the plot: {folder}")
    return path


def save(fig: Any, path: str | os.PathLike) -> str:
    """Write ``fig`` to ``path`` (.png or .svg; the folder must exist); return the path."""
    out = _check(path)
    fig.savefig(out)
    return out


def _figure(width: float, height: float) -> Any:
    require("plot")  # missing matplotlib: a message naming nablab[plot]
    from matplotlib.figure import Figure  # lazy: an optional extra

    return Figure(figsize=(width, height), layout="constrained")


def _box(points: np.ndarray, margin: float = 0.25) -> list[tuple[float, float]]:
    lo, hi = points.min(axis=0), points.max(axis=0)
    span = np.maximum(hi - lo, 1e-3 * (1 + np.abs(hi)))
    return [(a - margin * s, b + margin * s) for a, b, s in zip(lo, hi, span, strict=True)]


def _values_axis(ax: Any, values: list[float], label: str) -> None:
    v = np.array([np.nan if x is None else x for x in values], dtype=float)
    ax.plot(np.arange(len(v)), v, marker="." if len(v) < 80 else None)
    finite = v[np.isfinite(v)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(label)
    ax.grid(alpha=0.3)


def descent_plot(result: Any, path: str | os.PathLike) -> str:
    """Given a :class:`DescentResult`, write path-over-contours and f per step; return the path."""
    _check(path)
    return save(descent_figure(result), path)


def descent_figure(result: Any) -> Any:
    """A :class:`DescentResult` as a Figure: the path over contours of f, and f per step."""
    fig = _figure(10, 4.2)
    left, right = fig.subplots(1, 2)
    pts = np.array(result.path, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    names = result.variables
    with np.errstate(all="ignore"):
        if len(names) == 2 and len(pts):
            _contours(left, result.f, pts)
            left.plot(pts[:, 0], pts[:, 1], "-o", color="crimson", ms=3, lw=1)
            left.set_xlabel(names[0])
            left.set_ylabel(names[1])
            left.set_title(f"path over contours of f ({result.method}, η = {result.rate:g})")
        elif len(names) == 1 and len(pts):
            (x0, x1), = _box(pts)
            gx = np.linspace(x0, x1, 400)
            left.plot(gx, np.asarray(result.f(gx), dtype=float) * np.ones_like(gx), lw=1)
            left.plot(pts[:, 0], np.asarray(result.f(pts[:, 0]), dtype=float), "o-",
                      color="crimson", ms=3, lw=0.8)
            left.set_xlabel(names[0])
            left.set_ylabel("f")
            left.set_title(f"path on f ({result.method}, η = {result.rate:g})")
        else:
            for j, name in enumerate(names):
                left.plot(pts[:, j], label=name)
            left.legend()
            left.set_xlabel("step")
            left.set_title("coordinates per step")
    _values_axis(right, result.values, "f")
    right.set_title("f per step")
    return fig


def _contours(ax: Any, f: Any, pts: np.ndarray) -> None:
    """Contours of f (on arrays) over the box around the points ``pts`` (n × 2)."""
    (x0, x1), (y0, y1) = _box(pts)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 160))
    gz = np.asarray(f(gx, gy), dtype=float) * np.ones_like(gx)
    finite = gz[np.isfinite(gz)]
    if finite.size:
        levels = np.unique(np.quantile(finite, np.linspace(0, 1, 25) ** 2))
        if len(levels) > 1:
            ax.contour(gx, gy, gz, levels=levels, cmap="viridis", linewidths=0.8)


def runs_figure(runs: Any) -> Any:
    """:class:`DescentRuns` (several methods from one start) as one Figure: every path over the
    contours of f (two variables; otherwise the first coordinate per step), and f per step."""
    fig = _figure(10, 4.2)
    left, right = fig.subplots(1, 2)
    paths = []
    for r in runs.runs:
        pts = np.array(r.path, dtype=float)
        paths.append(pts[np.all(np.isfinite(pts), axis=1)])
    names = runs.variables
    with np.errstate(all="ignore"):
        if len(names) == 2 and any(len(p) for p in paths):
            _contours(left, runs.runs[0].f, np.vstack([p for p in paths if len(p)]))
            for r, pts in zip(runs.runs, paths, strict=True):
                left.plot(pts[:, 0], pts[:, 1], "-o", ms=2.5, lw=1,
                          label=f"{r.method} (η = {r.rate:g})")
            left.set_xlabel(names[0])
            left.set_ylabel(names[1])
            left.set_title("paths over contours of f")
        else:
            for r, pts in zip(runs.runs, paths, strict=True):
                left.plot(pts[:, 0], label=r.method)
            left.set_xlabel("step")
            left.set_ylabel(names[0])
            left.set_title(f"{names[0]} per step")
    left.legend(fontsize="small")
    for r in runs.runs:
        _values_axis(right, r.values, "f")
    right.legend([r.method for r in runs.runs], fontsize="small")
    right.set_title("f per step")
    return fig


def _quadratic_J(X: np.ndarray, y: np.ndarray):
    """J(θ) on a grid from the moments of [1 X] and y (exact: J is quadratic)."""
    D = np.column_stack([np.ones(len(y)), X])
    G, b, c, n = D.T @ D, D.T @ y, float(y @ y), len(y)

    def J(thetas: np.ndarray) -> np.ndarray:  # thetas: (..., d+1)
        return (np.einsum("...i,ij,...j->...", thetas, G, thetas) - 2 * thetas @ b + c) / n

    return J


def regression_plot(result: Any, path: str | os.PathLike, data: Any = None) -> str:
    """Write loss per iteration, the fit, and J's contours with the path; return the path."""
    _check(path)
    return save(regression_figure(result, data), path)


def regression_figure(result: Any, data: Any = None) -> Any:
    """A :class:`RegressionResult` as a Figure: loss per iteration, and with the data in memory
    the fit and J's contours with the path (original units)."""
    ds = None
    if data is not None and not is_dask_input(data):
        ds = load(data, result.x_names, result.y_name)
    fig = _figure(14, 4.2)
    ax_loss, ax_fit, ax_J = fig.subplots(1, 3)
    _values_axis(ax_loss, result.losses, "J(θ)")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_title("loss per iteration")
    theta = np.array(result.theta, dtype=float)
    if ds is None:
        for ax in (ax_fit, ax_J):
            ax.text(0.5, 0.5, "needs the data in memory", ha="center", va="center")
            ax.set_axis_off()
    else:
        if ds.d == 1:
            ax_fit.scatter(ds.X[:, 0], ds.y, s=6, alpha=0.5, label="data")
            gx = np.linspace(ds.X[:, 0].min(), ds.X[:, 0].max(), 2)
            ax_fit.plot(gx, theta[0] + theta[1] * gx, color="crimson", label="gradient descent")
            ax_fit.set_xlabel(ds.x_names[0])
            ax_fit.set_ylabel(ds.y_name)
            ax_fit.legend()
            ax_fit.set_title("fit")
        else:
            pred = theta[0] + ds.X @ theta[1:]
            ax_fit.scatter(ds.y, pred, s=6, alpha=0.5)
            lim = [min(ds.y.min(), pred.min()), max(ds.y.max(), pred.max())]
            ax_fit.plot(lim, lim, color="grey", lw=0.8)
            ax_fit.set_xlabel(f"{ds.y_name} (data)")
            ax_fit.set_ylabel("prediction")
            ax_fit.set_title("fit: prediction against data")
        J = _quadratic_J(ds.X, ds.y)
        i, j = (0, 1) if ds.d == 1 else (1, 2)
        names = ["θ0", *[f"θ{k}" for k in range(1, ds.d + 1)]]
        trail = np.array(result.path, dtype=float)
        trail = trail[np.all(np.isfinite(trail), axis=1)]
        pts = np.vstack([trail[:, [i, j]], [result.closed_form[i], result.closed_form[j]]])
        (a0, a1), (b0, b1) = _box(pts, 0.3)
        ga, gb = np.meshgrid(np.linspace(a0, a1, 150), np.linspace(b0, b1, 150))
        grid = np.broadcast_to(theta, (*ga.shape, len(theta))).copy()
        grid[..., i], grid[..., j] = ga, gb
        gz = J(grid)
        levels = np.unique(np.quantile(gz, np.linspace(0, 1, 25) ** 2))
        ax_J.contour(ga, gb, gz, levels=levels, cmap="viridis", linewidths=0.8)
        ax_J.plot(trail[:, i], trail[:, j], "-o", color="crimson", ms=2, lw=1, label="path")
        ax_J.plot(result.closed_form[i], result.closed_form[j], "k+", ms=12, label="lstsq")
        ax_J.set_xlabel(names[i])
        ax_J.set_ylabel(names[j])
        ax_J.legend()
        ax_J.set_title("J contours" + ("" if ds.d == 1 else " (slice through the fit)"))
    return fig


def _window(centre: float | None, given: Sequence[float] | None) -> tuple[float, float]:
    if given is not None:
        return float(given[0]), float(given[1])
    c = 0.0 if centre is None or not math.isfinite(centre) else centre
    return c - 3.0, c + 3.0


def _grid(values: list) -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float)


def gradient_figure(expression: Expression, at: Mapping[str, float] | None = None, *,
                    x_var: str | None = None, y_var: str | None = None,
                    x_range: Sequence[float] | None = None,
                    y_range: Sequence[float] | None = None, surface: bool = False,
                    n: int = 61, arrows: int = 15,
                    gradient_at: Mapping[str, float] | None = None) -> Any:
    """f as a Figure: contours with ∇f arrows (the page's picture), the point and ∇f there
    when ``at`` is given, and with ``surface`` the surface z = f beside it. One variable: f
    on a line. More than two: a slice through ``at`` (it gives the others' values). Windows
    default to ±3 around the point (or the origin). ``gradient_at``: ∂f/∂ each variable at
    the point when the caller has them already (a gradient result); else they are derived."""
    at = dict(at or {})
    names = [v.name for v in expression.variables]
    if not names:
        raise NablabError("the function has no variables to plot against")
    x_var = x_var or names[0]
    if y_var is None and len(names) >= 2:
        y_var = next(v for v in names if v != x_var)
    axes = [x_var] + ([y_var] if y_var else [])
    others = [s.name for s in (*expression.variables, *expression.parameters)
              if s.name not in axes]
    missing = [k for k in others if k not in at]
    if missing:
        given = ",".join(f"{k}=1" for k in [*axes, *missing])
        raise NablabError(f"the picture is drawn over {', '.join(axes)}; give a value for "
                          f"{', '.join(missing)} (held fixed)", hint=f"add the point: --at "
                          f"{given} (in Python at=\"{given}\")")
    x_range = _window(at.get(x_var), x_range)
    y_range = _window(at.get(y_var) if y_var else None, y_range)
    grid = sample(expression, x_var, y_var, x_range, y_range,
                  {k: at[k] for k in others}, n=n, arrows=arrows, one_dimensional=y_var is None)
    fig = _figure(11 if surface else 6, 5)
    if y_var is None:
        _line(fig.add_subplot(1, 1, 1), grid, at.get(x_var), expression)
        return fig
    ax = fig.add_subplot(1, 2 if surface else 1, 1)
    gx, gy = np.meshgrid(np.array(grid.x), np.array(grid.y or []))
    gz = _grid(grid.z)
    finite = gz[np.isfinite(gz)]
    with np.errstate(all="ignore"):
        if finite.size and finite.max() > finite.min():
            levels = np.unique(np.quantile(finite, np.linspace(0, 1, 21)))
            cs = ax.contour(gx, gy, gz, levels=levels, cmap="viridis", linewidths=0.8)
            fig.colorbar(cs, ax=ax, label="f")
        a = grid.arrows
        if a:
            ux, vy = _grid(a["u"]), _grid(a["v"])
            big = a["max_norm"] or 1.0
            ax.quiver(*np.meshgrid(a["x"], a["y"]), ux / big, vy / big, color="dimgray",
                      angles="xy", width=0.003, label="∇f (scaled)")
    point = [at.get(x_var), at.get(y_var)]
    if point[0] is not None and point[1] is not None:
        px, py = float(point[0]), float(point[1])
        gxy = [gradient_at[k] for k in axes] if gradient_at else \
            _gradient_at(expression, axes, at)
        ax.plot(px, py, "o", color="crimson", ms=6, label=f"({px:g}, {py:g})")
        if gxy is not None and any(gxy):
            span = max(x_range[1] - x_range[0], y_range[1] - y_range[0]) / 6
            norm = math.hypot(*gxy)
            ax.annotate("", xy=(px + span * gxy[0] / norm, py + span * gxy[1] / norm),
                        xytext=(px, py), arrowprops={"arrowstyle": "->", "color": "crimson",
                                                     "lw": 2})
            ax.plot([], [], color="crimson", label=f"∇f = ({gxy[0]:.4g}, {gxy[1]:.4g})")
    ax.set_xlim(*x_range)
    ax.set_ylim(*y_range)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(x_var)
    ax.set_ylabel(y_var)
    ax.set_title("contours of f and ∇f" + _fixed_note(grid.fixed))
    ax.legend(loc="upper right", fontsize="small")
    if surface:
        ax3 = fig.add_subplot(1, 2, 2, projection="3d")
        ax3.plot_surface(gx, gy, np.ma.masked_invalid(gz), cmap="viridis", alpha=0.85,
                         linewidth=0)
        if point[0] is not None and point[1] is not None:
            value = _value_at(expression, at)
            if value is not None:
                ax3.scatter([point[0]], [point[1]], [value], color="crimson", s=30)
        ax3.set_xlabel(x_var)
        ax3.set_ylabel(y_var)
        ax3.set_zlabel("f")
        ax3.set_title("surface z = f")
    return fig


def _fixed_note(fixed: Mapping[str, float]) -> str:
    return "" if not fixed else " at " + ", ".join(f"{k} = {v:g}" for k, v in fixed.items())


def _line(ax: Any, grid: Any, px: float | None, expression: Expression) -> None:
    name = grid.x_var
    ax.plot(grid.x, [np.nan if v is None else v for v in grid.z], lw=1.2, label="f")
    if px is not None:
        point = {name: px, **grid.fixed}
        value = _value_at(expression, point)
        slope = _gradient_at(expression, [name], point)  # f' for the tangent
        if value is not None:
            ax.plot([px], [value], "o", color="crimson", label=f"({px:g}, {value:.4g})")
            if slope is not None:
                span = (grid.x[-1] - grid.x[0]) / 6
                ax.plot([px - span, px + span], [value - span * slope[0],
                                                 value + span * slope[0]],
                        color="crimson", lw=1, label=f"slope f' = {slope[0]:.4g}")
    ax.set_xlabel(name)
    ax.set_ylabel("f")
    ax.set_title("f" + _fixed_note(grid.fixed))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")


def _numbers(expression: Expression, at: Mapping[str, float]) -> dict[Any, float]:
    return {s: float(at[s.name]) for s in (*expression.variables, *expression.parameters)}


def _value_at(expression: Expression, at: Mapping[str, float]) -> float | None:
    try:
        v = complex(expression.expr.evalf(subs=_numbers(expression, at)))
    except (TypeError, ValueError, KeyError):
        return None
    return v.real if v.imag == 0 and math.isfinite(v.real) else None


def _gradient_at(expression: Expression, axes: Sequence[str], at: Mapping[str, float]
                 ) -> list[float] | None:
    """∂f/∂ (each axis) at the point, for the arrow there (None where it is undefined)."""
    by_name = {s.name: s for s in expression.variables}
    subs = _numbers(expression, at)
    out = []
    for name in axes:
        try:
            v = complex(expression.expr.diff(by_name[name]).evalf(subs=subs))
        except (TypeError, ValueError, KeyError):
            return None
        if v.imag != 0 or not math.isfinite(v.real):
            return None
        out.append(v.real)
    return out
