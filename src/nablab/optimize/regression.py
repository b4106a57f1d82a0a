"""Linear regression as the chapter does it: descent on the mean squared error, in memory.

J(θ) = (1/N) Σ (yₙ − ŷₙ)² with ŷₙ = θ₀ + Σⱼ θⱼ xₙⱼ; its partials are derived symbolically
(:mod:`nablab.optimize.mse`), compiled into the data pass (:mod:`nablab.optimize.kernels`) and
iterated with one of the named update rules (gd: θ ← θ − η∇J; momentum, nesterov, adagrad,
rmsprop, adam from :mod:`nablab.optimize.methods`), on the full batch or on mini-batches
(optionally shuffled each epoch with a seed). The answer is compared with the closed-form
least squares (``numpy.linalg.lstsq``); with ``scale=True`` the walk happens in standardised
coordinates and θ is mapped back to original units. Dask inputs go through
:mod:`nablab.optimize.dask`; the fit code both share is :mod:`nablab.optimize.linear`.
"""

from __future__ import annotations

import os
from typing import Any, TypedDict

import numpy as np

from nablab.errors import NablabError
from nablab.extras import require
from nablab.optimize import divergence
from nablab.optimize.data import Dataset, check_independent, is_dask_input, load
from nablab.optimize.kernels import Objective
from nablab.optimize.linear import (
    BATCH_METHODS,
    Fit,
    Progress,
    RegressionResult,
    batch_L,
    check_options,
    closed_form,
    compare,
    curvature_fields,
    curvature_of,
    default_rate,
    descend,
    gram_matrix,
    minibatch_epoch,
    scaling_fields,
)
from nablab.optimize.methods import LINE_SEARCH_METHODS, METHODS, method_names, resolve
from nablab.optimize.mse import data_names, mse
from nablab.optimize.scaling import Standardizer

__all__ = ["CHOOSE_METHOD", "REGRESSION_METHODS", "RegressionResult", "regress"]

#: the update rules regression offers: every first-order method (Newton's one step on the
#: quadratic J is the closed form, which every answer already carries)
REGRESSION_METHODS = tuple(m for m in METHODS if m != "newton")
#: the hint of every refused method
CHOOSE_METHOD = f"the methods are {', '.join(REGRESSION_METHODS)}"


def _fit_in_memory(ds: Dataset, objective: Objective, scale: bool, rate: float | None,
                   epochs: int, tol: float, batch: int | None, progress: Progress | None,
                   batch_method: str = "sgd", method: str = "gd",
                   hyper: dict[str, float] | None = None, shuffle: bool = False,
                   seed: int | None = None
                   ) -> tuple[Fit, Standardizer, float, str, divergence.Curvature]:
    st = Standardizer.fit(ds.X) if scale else Standardizer.identity(ds.d)
    X = st.transform(ds.X) if scale else ds.X
    y = ds.y
    gram = gram_matrix(X)
    check_independent(gram, ds.n, ds.x_names)
    curv = curvature_of(gram, ds.n)
    step_curv = curv
    mini = batch is not None and batch < ds.n
    if mini:  # a batch step must be stable for the steepest batch, not only on average
        assert batch is not None  # mini implies it
        L_b = batch_L(X, batch)
        step_curv = divergence.Curvature(max(L_b, curv.L), curv.smallest, True)
    if rate is not None:
        eta, rule = rate, "given"
    else:
        eta, rule = default_rate(method, step_curv.L)
        if mini and rule == "1/L":
            rule = "1/L_batch"

    def full(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return objective(theta, X, y)

    batches = None
    if mini:
        assert batch is not None  # mini implies it
        rng = np.random.default_rng(seed) if shuffle else None
        batches = minibatch_epoch(X, y, batch, objective, batch_method, rng)
    fit = descend(full, np.zeros(ds.d + 1), eta, epochs, tol, step_curv, batches, progress,
                  batch_method, method, hyper)
    return fit, st, eta, rule, curv


def check_method(method: str, hyper: dict[str, Any]) -> tuple[str, dict[str, float]]:
    """One first-order method and its checked parameters (Newton is for typed f only). Every
    refusal of the method names the ones regression offers."""
    try:
        names = method_names(method)
    except NablabError as err:  # unknown or none: name the methods regression takes
        raise NablabError(err.message, hint=CHOOSE_METHOD) from None
    if len(names) != 1:
        raise NablabError("regression runs one method at a time",
                          hint="call it once per method to compare them")
    (name,) = names
    if name == "newton":
        raise NablabError("newton is not offered for regression: J is quadratic, so one Newton "
                          "step is the closed form, which is already shown",
                          hint=CHOOSE_METHOD)
    assert name not in LINE_SEARCH_METHODS or name == "gd"
    return name, resolve([name], hyper)[name]


def _dask_modules(data: Any, scheduler: Any) -> list[str]:
    """What this Dask input needs: Dask, pyarrow for Parquet, distributed for a scheduler."""
    out = ["dask"]
    if isinstance(data, (str, os.PathLike)) and (
            os.fspath(data).endswith((".parquet", ".pq")) or os.path.isdir(data)):
        out.append("pyarrow")
    if scheduler is not None:
        out.append("distributed")
    return out


class _MethodOptions(TypedDict):
    """The method keywords of :func:`_fit_in_memory` that both of ``regress``'s fits share."""

    batch_method: str
    method: str
    hyper: dict[str, float]
    shuffle: bool
    seed: int | None


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
    **hyper: float,
) -> RegressionResult:
    """Fit ŷ = θ₀ + Σ θⱼ xⱼ by descent on the MSE and compare with least squares.

    ``data``: CSV path, DataFrame, dict of columns, (X, y) arrays, or Dask input (a Dask array
    pair, a Dask DataFrame, or a CSV/Parquet path or glob; see :mod:`.dask`). ``method``: gd
    (default), momentum, nesterov, adagrad, rmsprop or adam, with its parameters by name
    (``beta=0.9``, ``β1=…``). ``rate`` defaults to 1/L (gd, momentum, nesterov; L the largest
    eigenvalue of J's constant Hessian) or 0.01 (adaptive methods). Stops when
    ‖∇J‖ ≤ ``tol``·‖∇J(θ₀)‖ or after ``epochs`` passes. ``batch`` gives mini-batch updates
    (an epoch is one pass; ``shuffle`` reorders the rows each epoch, reproducibly with
    ``seed``): ``batch_method="sgd"`` uses each batch's gradient (at a constant rate it wanders
    near the minimum), ``"svrg"`` the variance-reduced one, which converges to the
    least-squares θ for about three passes per epoch. ``compare_scaling`` runs again in the
    other coordinates. ``scheduler`` (Dask only): a ``dask.distributed`` address or Client;
    ``persist`` keeps Dask data in (cluster) memory between iterations.
    """
    check_options(rate, epochs, tol, batch)
    if batch_method not in BATCH_METHODS:
        raise NablabError(f"batch_method must be one of {', '.join(BATCH_METHODS)}, got "
                          f"{batch_method!r}")
    method, hyper = check_method(method, hyper)
    if shuffle and batch is None:
        raise NablabError("shuffling is for mini-batches: the full-batch gradient does not "
                          "depend on the order of the rows",
                          hint="add a batch size (batch=32, --batch 32), or leave shuffle out")
    if seed is not None and not shuffle:
        raise NablabError("a seed is for shuffled mini-batches", hint="add shuffle=True (--shuffle)")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)
                             or seed < 0):
        raise NablabError(f"the seed must be a non-negative integer, got {seed!r}",
                          hint="e.g. seed=3; the same seed gives the same shuffles")
    if is_dask_input(data):
        # the nablab[dask] extra: a missing one is a message naming it, not an ImportError
        require("dask", *_dask_modules(data, scheduler))
        # lazy: start-up time (Dask is imported only for Dask input)
        from nablab.optimize import dask as dask_pass

        return dask_pass.regress(data, x, y, rate=rate, epochs=epochs, scale=scale, tol=tol,
                                 compare_scaling=compare_scaling, progress=progress,
                                 scheduler=scheduler, persist=persist, fused=fused,
                                 batch=batch, batch_method=batch_method, method=method,
                                 hyper=hyper, shuffle=shuffle, seed=seed)
    ds = load(data, x, y)
    m = mse(ds.d)
    objective = Objective(m, fused=fused)
    options: _MethodOptions = {"batch_method": batch_method, "method": method, "hyper": hyper,
                               "shuffle": shuffle, "seed": seed}
    fit, st, eta, rule, curv = _fit_in_memory(ds, objective, scale, rate, epochs, tol, batch,
                                              progress, **options)
    comparison = None
    if compare_scaling:
        other, _, eta2, _, curv2 = _fit_in_memory(ds, objective, not scale, rate, epochs, tol,
                                                  batch, None, **options)
        comparison = compare(scale, fit, curv, eta, other, curv2, eta2)
    cf = closed_form(ds.X, ds.y)
    theta = st.to_original(fit.theta)
    cf_loss, _ = Objective(m, fused=fused)(cf, ds.X, ds.y)
    loss = fit.losses[-1]
    return RegressionResult(
        x_names=ds.x_names, y_name=ds.y_name, n_rows=ds.n, objective=m,
        data_names=data_names(m, ds.x_names, ds.y_name),
        theta=theta.tolist(), closed_form=cf.tolist(), loss=float(loss),
        closed_form_loss=float(cf_loss), iterations=fit.iterations, updates=fit.updates,
        converged=fit.converged, diverged=fit.diverged, reason=fit.reason,
        losses=[float(v) for v in fit.losses], rate=float(eta), rate_rule=rule, tol=tol,
        epochs=epochs, scale=scale, batch=batch,
        batch_method=batch_method if batch is not None else None, grad_norm=fit.grad_norm,
        curvature=curvature_fields(curv),
        path=[st.to_original(p).tolist() for p in fit.path],
        kernel="fused" if objective.plan else "symbolic",
        scaling=scaling_fields(st) if scale else None, comparison=comparison,
        warnings=ds.warnings, method=method, hyper=hyper, shuffle=shuffle, seed=seed,
    )
