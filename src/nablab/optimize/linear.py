"""The fit code that the in-memory and the Dask regression share: the result, the descent on
J (full batch or mini-batches, with any of the named update rules), the curvature, the closed
form, and the comparison of scaled and unscaled runs.

Kept apart from :mod:`nablab.optimize.regression` (in memory) and :mod:`nablab.optimize.dask`
(chunk by chunk) so that both import it and neither imports the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from nablab.display import RichDisplay
from nablab.errors import ComputeLimitError, NablabError
from nablab.optimize import divergence
from nablab.optimize.methods import make_update
from nablab.optimize.mse import MSE
from nablab.optimize.scaling import Standardizer

MAX_EPOCHS = 1_000_000
Progress = Callable[[int, int, float], None]
#: one update: (θ, g) ↦ the next θ
Step = Callable[[np.ndarray, np.ndarray], np.ndarray]
#: a mini-batch epoch: (θ, ∇J(θ) over all rows, step) ↦ (θ after the epoch's updates, updates)
Batches = Callable[[np.ndarray, np.ndarray, Step], tuple[np.ndarray, int]]


class BatchEpoch(Protocol):
    """What :func:`minibatch_epoch` returns: a :data:`Batches` that also takes the svrg
    snapshot θ̃ at which ``g_full`` was taken (default: θ, the epoch's start)."""

    def __call__(self, theta: np.ndarray, g_full: np.ndarray, step: Step,
                 snapshot: np.ndarray | None = None) -> tuple[np.ndarray, int]: ...


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
class RegressionResult(RichDisplay):
    """θ by gradient descent (original units, intercept first) next to the closed form."""

    x_names: list[str]
    y_name: str
    n_rows: int
    objective: MSE  # J and its derived partials (render/objective.py writes them out)
    data_names: dict[str, str]  # which data function is which column: {"x": "sqft", "y": "price"}
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
    method: str = "gd"
    hyper: dict[str, float] = field(default_factory=dict)
    shuffle: bool = False
    seed: int | None = None

    @property
    def max_rel_diff(self) -> float:
        """max |θ − θ_lstsq| / max |θ_lstsq| (how close descent came to the closed form)."""
        a, b = np.array(self.theta), np.array(self.closed_form)
        return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))

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
    batches: Batches | None = None,
    progress: Progress | None = None,
    batch_method: str = "sgd",
    method: str = "gd",
    hyper: Mapping[str, float] | None = None,
) -> Fit:
    """θ ← update(θ, ∇J) until ‖∇J‖ ≤ tol·‖∇J(θ₀)‖, ``epochs`` passes, or divergence.

    ``full(θ)`` is (J, ∇J) over all rows; ``method`` names the update rule of
    :mod:`nablab.optimize.methods` (gd: θ ← θ − η∇J). With ``batches`` one epoch is one call
    ``batches(θ, ∇J(θ), step)`` doing the mini-batch updates through ``step(θ, g)``, and the
    convergence test is still on the full-batch ‖∇J‖, measured once per epoch. Overflow is not
    warned about: it is detected and reported as divergence, with the reason."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _descend(full, theta0, rate, epochs, tol, curv, batches, progress, batch_method,
                        method, dict(hyper or {}))


def _stepper(method: str, rate: float, hyper: dict[str, float], d: int
             ) -> tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], list[int]]:
    """``step(θ, g)`` applying the named rule (its state kept across batches and epochs), and a
    one-element list counting the updates."""
    count = [0]
    if method == "gd":
        def gd(theta: np.ndarray, g: np.ndarray) -> np.ndarray:
            count[0] += 1
            return theta - rate * g
        return gd, count
    update = make_update(method, rate, hyper, d)

    def step(theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        count[0] += 1
        return np.array(update(theta.tolist(), g.tolist(), count[0]))
    return step, count


def _descend(full: Callable[[np.ndarray], tuple[float, np.ndarray]], theta0: np.ndarray,
             rate: float, epochs: int, tol: float, curv: divergence.Curvature,
             batches: Batches | None, progress: Progress | None, batch_method: str, method: str,
             hyper: dict[str, float]) -> Fit:
    theta = np.array(theta0, dtype=float)
    step, count = _stepper(method, rate, hyper, len(theta))
    losses: list[float] = []
    path = [theta.copy()]
    J, g = full(theta)
    losses.append(J)
    g0 = float(np.linalg.norm(g))
    threshold = tol * g0
    converged = diverged = False
    reason = ""
    epoch = 0
    while True:
        norm = float(np.linalg.norm(g))
        if not (math.isfinite(J) and math.isfinite(norm)):
            diverged = True
            reason = f"J became non-finite (overflow) at epoch {epoch}"
        elif norm <= threshold:
            converged = True
            reason = f"‖∇J‖ = {norm:.3g} ≤ tol·‖∇J(θ₀)‖ = {threshold:.3g}"
        elif epoch:
            why = divergence.detect(losses, theta, theta0, method, blowup=False)
            if why:
                diverged, reason = True, why.replace("f ", "J ", 1) + f" (epoch {epoch})"
        if diverged:
            reason = f"diverged: {reason}; {divergence.explain(curv, rate, method)}"
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
            theta = step(theta, g)
        else:
            theta, _ = batches(theta, g, step)
        epoch += 1
        J, g = full(theta)
        losses.append(J)
        path.append(theta.copy())
        if progress is not None:
            progress(epoch, epochs, J)
    return Fit(theta=theta, losses=losses, path=path, iterations=epoch, updates=count[0],
               converged=converged, diverged=diverged, reason=reason,
               grad_norm=float(np.linalg.norm(g)))


def minibatch_epoch(X: np.ndarray, y: np.ndarray, batch: int, objective: Any,
                    batch_method: str, rng: np.random.Generator | None) -> BatchEpoch:
    """One epoch of mini-batch updates over X, y (shuffled first when ``rng`` is given):
    ``epoch(θ, ∇J(θ), step)`` → (θ, updates). ``svrg`` corrects each batch gradient by
    (∇J(θ̃) − ∇J_B(θ̃)) at the epoch's start θ̃, an unbiased estimate whose variance vanishes at
    the minimum — so a constant rate converges to the exact least-squares θ (Johnson & Zhang,
    2013)."""
    n = len(y)

    def epoch(theta: np.ndarray, g_full: np.ndarray, step: Step,
              snapshot: np.ndarray | None = None) -> tuple[np.ndarray, int]:
        """``snapshot``: the θ̃ at which ``g_full`` was taken (default: θ, the epoch's start)."""
        Xs, ys = X, y
        if rng is not None:
            order = rng.permutation(n)
            Xs, ys = np.ascontiguousarray(X[order]), y[order]
        snapshot = theta if snapshot is None else snapshot
        k = 0
        for lo in range(0, n, batch):
            Xb, yb = Xs[lo:lo + batch], ys[lo:lo + batch]
            _, g = objective(theta, Xb, yb)
            if batch_method == "svrg":
                _, g_snap = objective(snapshot, Xb, yb)
                g = g - g_snap + g_full
            theta = step(theta, g)
            k += 1
        return theta, k

    return epoch


#: mini-batch update rules: plain SGD at a constant rate, or variance-reduced (SVRG)
BATCH_METHODS = ("sgd", "svrg")


def check_options(rate: Any, epochs: Any, tol: Any, batch: Any) -> None:
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


def curvature_fields(curv: divergence.Curvature) -> dict[str, Any]:
    """The curvature of J as plain data (the result's ``curvature`` entry)."""
    bound = curv.max_stable_rate
    return {"L": curv.L, "smallest_eigenvalue": curv.smallest, "quadratic": curv.quadratic,
            "max_stable_rate": bound if math.isfinite(bound) else None,
            "at": list(curv.at) if curv.at is not None else None,
            "condition_number": condition(curv)}


def scaling_fields(st: Standardizer) -> dict[str, list[float]]:
    return {"mean": st.mean.tolist(), "std": st.std.tolist()}


def default_rate(method: str, L: float) -> tuple[float, str]:
    """η when none is given: 1/L for gd, momentum and nesterov (stable on J's curvature); the
    usual 0.01 for the adaptive methods, whose steps are about η per coordinate."""
    if method in ("gd", "momentum", "nesterov"):
        return 1.0 / L, "1/L"
    return 0.01, "default 0.01"


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
