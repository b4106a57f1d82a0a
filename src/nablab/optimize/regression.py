"""Linear regression as the chapter does it: gradient descent on the mean squared error.

J(θ) = (1/N) Σ (yₙ − ŷₙ)² with ŷₙ = θ₀ + Σⱼ θⱼ xₙⱼ; its partials are derived symbolically
(:mod:`nablab.optimize.mse`), compiled into the data pass (:mod:`nablab.optimize.kernels`) and
iterated θ ← θ − η∇J. The answer is compared with the closed-form least squares
(``numpy.linalg.lstsq``), and with ``scale=True`` the walk happens in standardised coordinates
and θ is mapped back to original units. Dask inputs go through :mod:`nablab.optimize.distributed`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nablab.errors import ComputeLimitError, NablabError
from nablab.optimize import divergence
from nablab.optimize.data import Dataset, check_independent, load
from nablab.optimize.kernels import Objective
from nablab.optimize.mse import mse
from nablab.optimize.scaling import Standardizer

MAX_EPOCHS = 1_000_000
Progress = Callable[[int, int, float], None]


@dataclass
class Fit:
    """One descent run in the coordinates it walked in."""

    theta: np.ndarray
    losses: list[float]
    path: list[np.ndarray]
    iterations: int
    updates: int
    converged: bool
    diverged: bool
    reason: str
    grad_norm: float


@dataclass
class RegressionResult:
    """θ by gradient descent (original units, intercept first) next to the closed form."""

    x_names: list[str]
    y_name: str
    n_rows: int
    partials: list[dict]
    model: dict
    theta: list[float]
    closed_form: list[float]
    loss: float
    closed_form_loss: float
    iterations: int
    updates: int
    converged: bool
    diverged: bool
    reason: str
    losses: list[float]
    rate: float
    rate_rule: str
    tol: float
    epochs: int
    scale: bool
    batch: int | None
    grad_norm: float
    curvature: dict
    path: list[list[float]]
    backend: str = "numpy"
    kernel: str = "fused"
    scaling: dict | None = None
    comparison: dict | None = None
    warnings: list[str] = field(default_factory=list)
    batch_method: str | None = None

    @property
    def max_rel_diff(self) -> float:
        """max |θ − θ_lstsq| / max |θ_lstsq| (how close descent came to the closed form)."""
        a, b = np.array(self.theta), np.array(self.closed_form)
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))

    def to_dict(self) -> dict:
        fin = _finite
        return {
            "partials": self.partials,
            "theta": [fin(v) for v in self.theta],
            "closed_form": self.closed_form,
            "loss": fin(self.loss),
            "iterations": self.iterations,
            "converged": self.converged,
            "losses": [fin(v) for v in self.losses],
            "diverged": self.diverged,
            "reason": self.reason,
            "model": self.model,
            "names": ["intercept", *self.x_names],
            "x": self.x_names,
            "y": self.y_name,
            "rows": self.n_rows,
            "updates": self.updates,
            "closed_form_loss": self.closed_form_loss,
            "max_rel_diff": fin(self.max_rel_diff),
            "rate": self.rate,
            "rate_rule": self.rate_rule,
            "tol": self.tol,
            "epochs": self.epochs,
            "scale": self.scale,
            "scaling": self.scaling,
            "batch": self.batch,
            "batch_method": self.batch_method,
            "grad_norm": fin(self.grad_norm),
            "curvature": self.curvature,
            "comparison": self.comparison,
            "path": [[fin(v) for v in p] for p in self.path],
            "backend": self.backend,
            "kernel": self.kernel,
            "warnings": self.warnings,
        }


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def hessian_of_J(gram: np.ndarray, n_rows: int) -> np.ndarray:
    """∂²J/∂θⱼ∂θₖ = (2/N) Σ dⱼ dₖ with d = (1, x₁, …, x_d): constant, J is quadratic."""
    return 2.0 * gram / n_rows


def curvature_of(gram: np.ndarray, n_rows: int) -> divergence.Curvature:
    eig = np.linalg.eigvalsh(hessian_of_J(gram, n_rows))
    return divergence.Curvature(L=float(eig[-1]), smallest=float(eig[0]), quadratic=True)


def gram_matrix(X: np.ndarray) -> np.ndarray:
    """DᵀD for D = [1 X] (one pass over X; for the rate and the divergence explanation)."""
    n, d = X.shape
    g = np.empty((d + 1, d + 1))
    g[0, 0] = n
    g[0, 1:] = g[1:, 0] = X.sum(axis=0)
    g[1:, 1:] = X.T @ X
    return g


def descend(
    full: Callable[[np.ndarray], tuple[float, np.ndarray]],
    theta0: np.ndarray,
    rate: float,
    epochs: int,
    tol: float,
    curv: divergence.Curvature,
    batches: Callable[[np.ndarray, float, np.ndarray], tuple[np.ndarray, int]] | None = None,
    progress: Progress | None = None,
    batch_method: str = "sgd",
) -> Fit:
    """θ ← θ − η∇J until ‖∇J‖ ≤ tol·‖∇J(θ₀)‖, ``epochs`` passes, or divergence.

    ``full(θ)`` is (J, ∇J) over all rows; with ``batches`` one epoch is one call
    ``batches(θ, η, ∇J(θ))`` doing the mini-batch updates, and the convergence test is still
    on the full-batch ‖∇J‖, measured once per epoch. Overflow is not warned about: it is
    detected and reported as divergence, with the reason."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _descend(full, theta0, rate, epochs, tol, curv, batches, progress, batch_method)


def _descend(full, theta0, rate, epochs, tol, curv, batches, progress, batch_method) -> Fit:
    theta = np.array(theta0, dtype=float)
    losses: list[float] = []
    path = [theta.copy()]
    J, g = full(theta)
    losses.append(J)
    g0 = float(np.linalg.norm(g))
    threshold = tol * g0
    converged = diverged = False
    reason = ""
    updates = 0
    epoch = 0
    while True:
        norm = float(np.linalg.norm(g))
        if not (math.isfinite(J) and math.isfinite(norm)):
            diverged = True
            reason = "J became non-finite (overflow)"
        elif norm <= threshold:
            converged = True
            reason = f"‖∇J‖ = {norm:.3g} ≤ tol·‖∇J(θ₀)‖ = {threshold:.3g}"
        elif epoch:
            why = divergence.detect(losses, theta, theta0, "gd", blowup=False)
            if why:
                diverged, reason = True, why.replace("f ", "J ", 1)
        if diverged:
            reason = f"diverged: {reason}; {divergence.explain(curv, rate, 'gd')}"
            if batches is not None:
                reason += ("; with mini-batches L is the largest over the batches' J, since "
                           "every batch step must be stable")
        if converged or diverged:
            break
        if epoch == epochs:
            reason = f"epoch limit reached ({epochs}) with ‖∇J‖ = {norm:.3g} (threshold {threshold:.3g})"
            if batches is not None and batch_method == "sgd":
                reason += ("; with a constant rate mini-batch steps keep moving by the noise of "
                           "each batch, so ‖∇J‖ stalls above 0: use batch_method='svrg' "
                           "(--batch-method svrg), a smaller rate, or the full batch")
            break
        if batches is None:
            theta = theta - rate * g
            updates += 1
        else:
            theta, k = batches(theta, rate, g)
            updates += k
        epoch += 1
        J, g = full(theta)
        losses.append(J)
        path.append(theta.copy())
        if progress is not None:
            progress(epoch, epochs, J)
    return Fit(theta=theta, losses=losses, path=path, iterations=epoch, updates=updates,
               converged=converged, diverged=diverged, reason=reason,
               grad_norm=float(np.linalg.norm(g)))


#: mini-batch update rules: plain SGD at a constant rate, or variance-reduced (SVRG)
BATCH_METHODS = ("sgd", "svrg")


def _check_options(rate: Any, epochs: Any, tol: Any, batch: Any) -> None:
    if rate is not None and not (isinstance(rate, (int, float)) and math.isfinite(rate)
                                 and rate > 0):
        raise NablabError(f"the rate must be a positive number, got {rate!r}",
                          hint="leave it out to use η = 1/L from the Hessian of J")
    if not isinstance(epochs, int) or epochs < 0:
        raise NablabError(f"epochs must be a non-negative integer, got {epochs!r}")
    if epochs > MAX_EPOCHS:
        raise ComputeLimitError(f"at most {MAX_EPOCHS:,} epochs, got {epochs:,}")
    if not (isinstance(tol, (int, float)) and tol >= 0):
        raise NablabError(f"tol must be a non-negative number, got {tol!r}")
    if batch is not None and (not isinstance(batch, int) or batch < 1):
        raise NablabError(f"the batch size must be a positive integer, got {batch!r}")


def _fit_in_memory(ds: Dataset, objective: Objective, scale: bool, rate: float | None,
                   epochs: int, tol: float, batch: int | None, progress: Progress | None,
                   batch_method: str = "sgd") -> tuple[Fit, Standardizer, float, str, divergence.Curvature]:
    st = Standardizer.fit(ds.X) if scale else Standardizer.identity(ds.d)
    X = st.transform(ds.X) if scale else ds.X
    y = ds.y
    gram = gram_matrix(X)
    check_independent(gram, ds.n, ds.x_names)
    curv = curvature_of(gram, ds.n)
    step_curv = curv
    mini = batch is not None and batch < ds.n
    if mini:  # a batch step must be stable for the steepest batch, not only on average
        L_b = batch_L(X, batch)
        step_curv = divergence.Curvature(max(L_b, curv.L), curv.smallest, True)
    eta, rule = ((rate, "given") if rate is not None
                 else (1.0 / step_curv.L, "1/L_batch" if mini else "1/L"))

    def full(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return objective(theta, X, y)

    batches = None
    if batch is not None and batch < ds.n:
        def batches(theta: np.ndarray, eta: float, g_full: np.ndarray
                    ) -> tuple[np.ndarray, int]:
            # svrg: each batch gradient is corrected by (∇J(θ̃) − ∇J_B(θ̃)) at the epoch's
            # start θ̃, an unbiased estimate whose variance vanishes at the minimum — so a
            # constant rate converges to the exact least-squares θ (Johnson & Zhang, 2013)
            snapshot = theta
            k = 0
            for lo in range(0, ds.n, batch):
                Xb, yb = X[lo:lo + batch], y[lo:lo + batch]
                _, g = objective(theta, Xb, yb)
                if batch_method == "svrg":
                    _, g_snap = objective(snapshot, Xb, yb)
                    g = g - g_snap + g_full
                theta = theta - eta * g
                k += 1
            return theta, k

    fit = descend(full, np.zeros(ds.d + 1), eta, epochs, tol, step_curv, batches, progress,
                  batch_method)
    return fit, st, eta, rule, curv


#: mini-batch Gram matrices formed at a time by :func:`batch_L` (bounds its memory)
_GRAMS_AT_ONCE = 4096


def batch_L(X: np.ndarray, batch: int) -> float:
    """The largest eigenvalue, over the mini-batches of ``batch`` consecutive rows, of the
    batch J's Hessian (2/B)·D_bᵀD_b, D_b = [1 X_b]: the curvature a mini-batch step meets.
    One pass over X, the batch Gram matrices a few thousand at a time."""
    n, d = X.shape
    best = 0.0
    full = (n // batch) * batch
    step = batch * _GRAMS_AT_ONCE
    for lo in range(0, full, step):
        hi = min(lo + step, full)
        Xb = X[lo:hi].reshape(-1, batch, d)
        D = np.concatenate([np.ones((Xb.shape[0], batch, 1)), Xb], axis=2)
        grams = np.einsum("bik,bil->bkl", D, D)
        best = max(best, float(np.linalg.eigvalsh(grams)[:, -1].max()) * 2.0 / batch)
    if full < n:  # the last, shorter batch
        tail = X[full:]
        D = np.column_stack([np.ones(len(tail)), tail])
        best = max(best, float(np.linalg.eigvalsh(D.T @ D)[-1]) * 2.0 / len(tail))
    return best


def closed_form(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares θ (intercept first) by ``numpy.linalg.lstsq`` on [1 X]."""
    D = np.empty((X.shape[0], X.shape[1] + 1))
    D[:, 0] = 1.0
    D[:, 1:] = X
    return np.linalg.lstsq(D, y, rcond=None)[0]


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
    tol: float = 1e-10,
    compare_scaling: bool = False,
    progress: Progress | None = None,
    scheduler: Any = None,
    persist: bool = False,
    fused: bool = True,
) -> RegressionResult:
    """Fit ŷ = θ₀ + Σ θⱼ xⱼ by gradient descent on the MSE and compare with least squares.

    ``data``: CSV path, DataFrame, dict of columns, (X, y) arrays, or Dask input (a Dask array
    pair, a Dask DataFrame, or a CSV/Parquet path or glob; see :mod:`.distributed`). ``rate``
    defaults to 1/L, L the largest eigenvalue of J's (constant) Hessian. Stops when
    ‖∇J‖ ≤ ``tol``·‖∇J(θ₀)‖ or after ``epochs`` passes. ``batch`` gives mini-batch updates
    (an epoch is one pass): ``batch_method="sgd"`` with the constant rate (it wanders near the
    minimum and rarely meets a tight ``tol``), ``"svrg"`` variance-reduced, which converges
    to the least-squares θ at a constant rate for about three passes per epoch.
    ``compare_scaling`` runs again in the other coordinates to show
    what scaling does to the number of steps. ``scheduler`` (Dask only): a ``dask.distributed``
    address or Client; ``persist`` keeps Dask data in (cluster) memory between iterations.
    """
    _check_options(rate, epochs, tol, batch)
    if batch_method not in BATCH_METHODS:
        raise NablabError(f"batch_method must be one of {', '.join(BATCH_METHODS)}, got "
                          f"{batch_method!r}")
    from nablab.optimize import distributed

    if distributed.is_dask_input(data):
        if batch is not None:
            raise NablabError("mini-batches are not supported on Dask input",
                              hint="leave out --batch: each iteration is one pass over the chunks")
        return distributed.regress(data, x, y, rate=rate, epochs=epochs, scale=scale, tol=tol,
                                   compare_scaling=compare_scaling, progress=progress,
                                   scheduler=scheduler, persist=persist, fused=fused)
    ds = load(data, x, y)
    m = mse(ds.d)
    objective = Objective(m, fused=fused)
    fit, st, eta, rule, curv = _fit_in_memory(ds, objective, scale, rate, epochs, tol, batch,
                                              progress, batch_method)
    comparison = None
    if compare_scaling:
        other, _, eta2, _, curv2 = _fit_in_memory(ds, objective, not scale, rate, epochs, tol,
                                                  batch, None, batch_method)
        comparison = compare(scale, fit, curv, eta, other, curv2, eta2)
    cf = closed_form(ds.X, ds.y)
    theta = st.to_original(fit.theta)
    cf_loss, _ = Objective(m, fused=fused)(cf, ds.X, ds.y)
    loss = fit.losses[-1]
    return RegressionResult(
        x_names=ds.x_names, y_name=ds.y_name, n_rows=ds.n, partials=m.to_dict(),
        model=m.model_dict() | {"data": dict(zip([*(str(f.func) for f in m.features), "y"],
                                                 [*ds.x_names, ds.y_name], strict=True))},
        theta=theta.tolist(), closed_form=cf.tolist(), loss=float(loss),
        closed_form_loss=float(cf_loss), iterations=fit.iterations, updates=fit.updates,
        converged=fit.converged, diverged=fit.diverged, reason=fit.reason,
        losses=[float(v) for v in fit.losses], rate=float(eta), rate_rule=rule, tol=tol,
        epochs=epochs, scale=scale, batch=batch,
        batch_method=batch_method if batch is not None else None, grad_norm=fit.grad_norm,
        curvature=curv.to_dict() | {"condition_number": condition(curv)},
        path=[st.to_original(p).tolist() for p in fit.path],
        kernel="fused" if objective.plan else "symbolic",
        scaling=st.to_dict() if scale else None, comparison=comparison, warnings=ds.warnings,
    )


def condition(curv: divergence.Curvature) -> float | None:
    return curv.L / curv.smallest if curv.smallest > 0 else None


def compare(scale: bool, fit: Fit, curv: divergence.Curvature, eta: float, other: Fit,
            curv2: divergence.Curvature, eta2: float) -> dict:
    """Steps to converge with and without standardisation, side by side."""
    def row(f: Fit, c: divergence.Curvature, e: float) -> dict:
        return {"iterations": f.iterations, "converged": f.converged, "diverged": f.diverged,
                "rate": e, "condition_number": condition(c)}

    a, b = row(fit, curv, eta), row(other, curv2, eta2)
    return {"scaled": a, "unscaled": b} if scale else {"scaled": b, "unscaled": a}
