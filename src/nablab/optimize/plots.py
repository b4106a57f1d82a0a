"""Pictures of a run: the descent path over contours of f and f per step; for regression the
loss curve, the fit and J's contours with the path. PNG or SVG, by the file's extension.

Uses matplotlib's object API (``Figure`` + its own canvas), never pyplot, so nothing global
is touched and no display is needed.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nablab.errors import NablabError
from nablab.extras import require

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


def _figure(width: float, height: float):
    require("plot")  # missing matplotlib: a message naming nablab[plot]
    from matplotlib.figure import Figure

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
    out = _check(path)
    fig = _figure(10, 4.2)
    left, right = fig.subplots(1, 2)
    pts = np.array(result.path, dtype=float)
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    names = result.variables
    with np.errstate(all="ignore"):
        if len(names) == 2 and len(pts):
            (x0, x1), (y0, y1) = _box(pts)
            gx, gy = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 160))
            gz = np.asarray(result.f(gx, gy), dtype=float) * np.ones_like(gx)
            finite = gz[np.isfinite(gz)]
            if finite.size:
                levels = np.unique(np.quantile(finite, np.linspace(0, 1, 25) ** 2))
                if len(levels) > 1:
                    left.contour(gx, gy, gz, levels=levels, cmap="viridis", linewidths=0.8)
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
    fig.savefig(out)
    return out


def _quadratic_J(X: np.ndarray, y: np.ndarray):
    """J(θ) on a grid from the moments of [1 X] and y (exact: J is quadratic)."""
    D = np.column_stack([np.ones(len(y)), X])
    G, b, c, n = D.T @ D, D.T @ y, float(y @ y), len(y)

    def J(thetas: np.ndarray) -> np.ndarray:  # thetas: (..., d+1)
        return (np.einsum("...i,ij,...j->...", thetas, G, thetas) - 2 * thetas @ b + c) / n

    return J


def regression_plot(result: Any, path: str | os.PathLike, data: Any = None) -> str:
    """Loss per iteration, the fit, and J's contours with the path (original units)."""
    out = _check(path)
    ds = None
    from nablab.optimize.data import is_dask_input

    if data is not None and not is_dask_input(data):
        from nablab.optimize.data import load

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
    fig.savefig(out)
    return out
