"""Regression on data larger than memory: Dask arrays and DataFrames, chunk by chunk.

The Dask pass, and the only module that imports Dask (absolute imports: ``import dask`` here is
the Dask package, never this module; the name says what the file is, and the import contract
keeps Dask out of everything else). Each full-batch iteration sums the derived partials over
every chunk (the same kernel as in memory, :mod:`nablab.optimize.kernels`; sums of chunks add
up) and adds the chunk sums — on Dask's local threaded scheduler by default, or on a
``dask.distributed`` cluster given by address (``tcp://host:8786``) or Client. Mini-batches
(``batch``) are taken within chunks: each epoch brings one chunk at a time into memory (in a
shuffled chunk order with ``shuffle``) and runs the in-memory mini-batch updates over it. A
first pass computes what the checks, the scaling and the rate need (row count, per-column
moments and non-finite counts, the 1+d square Gram matrix); least squares is
``numpy.linalg.lstsq`` on the stacked R factors and Qᵀy of per-chunk QR decompositions (exact,
and small: (1+d) rows per chunk). Data are re-read every iteration unless ``persist=True``.
"""

from __future__ import annotations

import glob
import math
import os
from typing import Any

import dask
import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask import delayed

from nablab.errors import DataError, NablabError
from nablab.optimize.data import check_columns, check_independent, split_names
from nablab.optimize.divergence import Curvature
from nablab.optimize.kernels import FusedKernel, LinearPlan, Objective
from nablab.optimize.linear import (
    RegressionResult,
    batch_L,
    compare,
    curvature_fields,
    curvature_of,
    default_rate,
    descend,
    minibatch_epoch,
    scaling_fields,
)
from nablab.optimize.mse import mse
from nablab.optimize.scaling import Standardizer

#: how long to wait for a scheduler given by address
CONNECT_TIMEOUT = "10s"


def _read(path: str) -> Any:
    """A CSV or Parquet glob (or a Parquet directory) as a Dask DataFrame."""
    files = glob.glob(path) if any(c in path for c in "*?[") else [path]
    if not files:
        raise DataError(f"no files match {path}")
    parquet = os.path.isdir(path) or any(f.endswith((".parquet", ".pq")) for f in files)
    try:
        return dd.read_parquet(path) if parquet else dd.read_csv(path)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise DataError(f"cannot read {path}: {exc}") from None


def _arrays(data: Any, x: Any, y: Any) -> tuple[Any, Any, list[str], str, Any]:
    """Dask X (N×d, one chunk across columns), y, names, and the DataFrame if there is one."""
    names = split_names(x)
    target = None if y is None else str(y).strip()
    if isinstance(data, (str, os.PathLike)):
        data = _read(os.fspath(data))
    if isinstance(data, tuple):
        X, yy = (da.asarray(v) for v in data)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or yy.ndim != 1:
            raise DataError(f"(X, y) must be N×d and N; got shapes {X.shape} and {yy.shape}")
        x_names = names or [f"x{j + 1}" for j in range(X.shape[1])]
        if len(x_names) != X.shape[1]:
            raise DataError(f"{len(x_names)} feature names for {X.shape[1]} columns")
        if math.isnan(X.shape[0]) or math.isnan(yy.shape[0]):
            X, yy = X.compute_chunk_sizes(), yy.compute_chunk_sizes()
        if X.shape[0] != yy.shape[0]:
            raise DataError(f"X has {X.shape[0]} rows but y has {yy.shape[0]}")
        yy = yy.rechunk((X.chunks[0],))
        return X.rechunk({1: -1}).astype(float), yy.astype(float), x_names, target or "y", None
    if not hasattr(data, "columns"):
        raise DataError(f"cannot read regression data from a {type(data).__name__}")
    x_names, target = check_columns([str(c) for c in data.columns], names, target)
    for c in [*x_names, target]:
        if data[c].dtype.kind not in "iufb":
            raise DataError(_non_numeric(data, c), hint="regression needs numbers in every cell")
    A = data[[*x_names, target]].astype(float).to_dask_array(lengths=True).rechunk({1: -1})
    return A[:, :-1], A[:, -1], x_names, target, data


def _non_numeric(frame: Any, col: str) -> str:
    """Name the first non-numeric cell of a Dask DataFrame column (one extra pass, errors only)."""
    offset = 0
    for part in frame[col].to_delayed():
        s = part.compute()
        bad = pd.to_numeric(s, errors="coerce").isna() & s.notna()
        if bad.any():
            pos = int(np.argmax(bad.to_numpy()))
            return f"column {col!r} is not numeric: row {offset + pos + 1} holds {s.iloc[pos]!r}"
        offset += len(s)
    return f"column {col!r} is not numeric"


def _stats_chunk(Xc: np.ndarray, yc: np.ndarray) -> dict:
    D = np.column_stack([np.ones(len(yc)), Xc])
    finite = np.isfinite(Xc)
    return {"n": len(yc), "gram": D.T @ D if finite.all() else np.zeros((D.shape[1],) * 2),
            "bad_x": (~finite).sum(axis=0), "bad_y": int((~np.isfinite(yc)).sum()),
            "min": Xc.min(axis=0) if len(yc) else np.full(Xc.shape[1], np.inf),
            "max": Xc.max(axis=0) if len(yc) else np.full(Xc.shape[1], -np.inf)}


def _merge(parts: list[dict]) -> dict:
    out = {"n": sum(p["n"] for p in parts), "gram": sum(p["gram"] for p in parts),
           "bad_x": sum(p["bad_x"] for p in parts), "bad_y": sum(p["bad_y"] for p in parts),
           "min": np.min([p["min"] for p in parts], axis=0),
           "max": np.max([p["max"] for p in parts], axis=0)}
    return out


def _chunk_sums(Xc: np.ndarray, yc: np.ndarray, theta: np.ndarray, plan: LinearPlan | None,
                kernel: Any, mean: np.ndarray | None, std: np.ndarray | None) -> tuple[float, np.ndarray]:
    if mean is not None:
        Xc = (Xc - mean) / std
    # own buffers per task; Dask already runs chunks in parallel, so one thread each
    k = FusedKernel(plan, Xc.shape[1], threads=1) if plan is not None else kernel
    return k.sums(theta, np.ascontiguousarray(Xc), np.ascontiguousarray(yc))


def _add(parts: list[tuple[float, np.ndarray]]) -> tuple[float, np.ndarray]:
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def pass_over_chunks(xb: list, yb: list, n: int, objective: Objective, st: Standardizer,
                     runner: _Runner) -> Any:
    """θ ↦ (J, ∇J): one Dask computation summing the derived partials chunk by chunk."""
    scaled = bool(np.any(st.mean != 0) or np.any(st.std != 1))

    def full(theta: np.ndarray) -> tuple[float, np.ndarray]:
        parts = [delayed(_chunk_sums)(a, b, theta, objective.plan, objective.kernel,
                                      st.mean if scaled else None, st.std if scaled else None)
                 for a, b in zip(xb, yb, strict=True)]
        (sums,) = runner.compute(delayed(_add)(parts))
        return objective.finish(sums, n)

    return full


def _first_bad_row(col: Any) -> int:
    return int(da.argmax(~da.isfinite(col)).compute()) + 1


class _Runner:
    """compute() on the given cluster, or on Dask's local threaded scheduler."""

    def __init__(self, scheduler: Any) -> None:
        self.own = None
        self.client = None
        if isinstance(scheduler, str):
            from distributed import Client  # lazy: optional, only for a cluster address

            try:
                self.client = self.own = Client(scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise NablabError(f"cannot reach the Dask scheduler at {scheduler}: {exc}",
                                  hint="start one with `dask scheduler` and `dask worker "
                                       "ADDRESS`, or leave out --scheduler") from None
        elif scheduler is not None:
            self.client = scheduler

    def compute(self, *objs: Any) -> Any:
        if self.client is not None:
            return self.client.compute(list(objs), sync=True)
        return list(dask.compute(*objs, scheduler="threads"))

    def persist(self, *objs: Any) -> Any:
        if self.client is not None:
            return self.client.persist(list(objs))
        return list(dask.persist(*objs, scheduler="threads"))

    def close(self) -> None:
        if self.own is not None:
            self.own.close()


def regress(data: Any, x: Any, y: Any, *, rate: float | None, epochs: int, scale: bool,
            tol: float, compare_scaling: bool, progress: Any, scheduler: Any, persist: bool,
            fused: bool, batch: int | None = None, batch_method: str = "sgd",
            method: str = "gd", hyper: dict[str, float] | None = None, shuffle: bool = False,
            seed: int | None = None) -> RegressionResult:
    """:func:`nablab.optimize.regression.regress` for Dask input (same result object)."""
    runner = _Runner(scheduler)
    try:
        X, yy, x_names, y_name, _ = _arrays(data, x, y)
        if persist:
            X, yy = runner.persist(X, yy)
        xb, yb = X.to_delayed().ravel().tolist(), yy.to_delayed().ravel().tolist()
        (stats,) = runner.compute(delayed(_merge)([delayed(_stats_chunk)(a, b)
                                                   for a, b in zip(xb, yb, strict=True)]))
        n, d = stats["n"], X.shape[1]
        for j in range(d):
            if stats["bad_x"][j]:
                raise DataError(f"column {x_names[j]!r} has a missing or infinite value at row "
                                f"{_first_bad_row(X[:, j])}", hint="remove or fill that row")
        if stats["bad_y"]:
            raise DataError(f"column {y_name!r} has a missing or infinite value at row "
                            f"{_first_bad_row(yy)}", hint="remove or fill that row")
        if n == 0:
            raise DataError("the data has no rows")
        if n == 1:
            raise DataError("the data has only one row: a line needs at least two points")
        if n < d + 1:
            raise DataError(f"{n} rows cannot determine {d + 1} coefficients")
        const = stats["min"] == stats["max"]
        if const.any():
            j = int(np.argmax(const))
            raise DataError(f"feature column {x_names[j]!r} is constant (every row is "
                            f"{stats['min'][j]:g}): its coefficient cannot be told apart from "
                            "the intercept", hint="drop that column")
        gram = stats["gram"]
        check_independent(gram, n, x_names)
        mean = gram[0, 1:] / n
        var = np.maximum(np.diag(gram)[1:] / n - mean**2, 0.0)
        m = mse(d)
        objective = Objective(m, fused=fused)

        def run(scaled: bool, report: Any) -> tuple:
            st = Standardizer(mean, np.sqrt(var)) if scaled else Standardizer.identity(d)
            g = gram if not scaled else _scaled_gram(gram, st, n)
            curv = curvature_of(g, n)
            step_curv = curv
            if batch is not None:  # every batch step must be stable: L over the batches
                scaled_st = (st.mean, st.std) if scaled else (None, None)
                parts = [delayed(_chunk_batch_L)(a, batch, *scaled_st) for a in xb]
                L_b = max(runner.compute(*parts))
                step_curv = Curvature(max(L_b, curv.L), curv.smallest, True)
            eta, rule = (rate, "given") if rate is not None else default_rate(method, step_curv.L)
            if batch is not None and rule == "1/L":
                rule = "1/L_batch"

            full = pass_over_chunks(xb, yb, n, objective, st, runner)
            batches = None
            if batch is not None:
                rng = np.random.default_rng(seed) if shuffle else None
                batches = chunk_batches(xb, yb, batch, objective, st, runner, batch_method, rng)
            fit = descend(full, np.zeros(d + 1), eta, epochs, tol, step_curv, batches, report,
                          batch_method, method, hyper)
            return fit, st, eta, rule, curv

        fit, st, eta, rule, curv = run(scale, progress)
        comparison = None
        if compare_scaling:
            other, _, eta2, _, curv2 = run(not scale, None)
            comparison = compare(scale, fit, curv, eta, other, curv2, eta2)
        (cf,) = runner.compute(delayed(_solve)([delayed(_qr_chunk)(a, b)
                                                for a, b in zip(xb, yb, strict=True)]))
        theta = st.to_original(fit.theta)
        cf_loss = _loss_at(cf, gram, xb, yb, objective, runner, n)
    finally:
        runner.close()
    model = m.model_dict() | {"data": dict(zip([*(str(f.func) for f in m.features), "y"],
                                               [*x_names, y_name], strict=True))}
    return RegressionResult(
        x_names=x_names, y_name=y_name, n_rows=n, partials=m.to_dict(), model=model,
        theta=theta.tolist(), closed_form=np.asarray(cf).tolist(), loss=float(fit.losses[-1]),
        closed_form_loss=cf_loss, iterations=fit.iterations, updates=fit.updates,
        converged=fit.converged, diverged=fit.diverged, reason=fit.reason,
        losses=[float(v) for v in fit.losses], rate=float(eta), rate_rule=rule, tol=tol,
        epochs=epochs, scale=scale, grad_norm=fit.grad_norm,
        curvature=curvature_fields(curv),
        path=[st.to_original(p).tolist() for p in fit.path], backend="dask",
        kernel="fused" if objective.plan else "symbolic",
        scaling=scaling_fields(st) if scale else None, comparison=comparison,
        batch=batch, batch_method=batch_method if batch is not None else None, method=method,
        hyper=dict(hyper or {}), shuffle=shuffle, seed=seed,
    )


def _chunk_batch_L(Xc: np.ndarray, batch: int, mean: np.ndarray | None,
                   std: np.ndarray | None) -> float:
    if mean is not None:
        Xc = (Xc - mean) / std
    return batch_L(np.ascontiguousarray(Xc, dtype=float), batch)


def chunk_batches(xb: list, yb: list, batch: int, objective: Objective, st: Standardizer,
                  runner: _Runner, batch_method: str, rng: np.random.Generator | None):
    """One mini-batch epoch over Dask chunks: each chunk in turn (shuffled order, and rows
    shuffled within it, with ``rng``) is computed into memory and its batches are run there."""
    scaled = bool(np.any(st.mean != 0) or np.any(st.std != 1))

    def epoch(theta: np.ndarray, g_full: np.ndarray, step) -> tuple[np.ndarray, int]:
        order = rng.permutation(len(xb)) if rng is not None else range(len(xb))
        start = theta  # the svrg snapshot θ̃ of the whole epoch, where g_full was taken
        k = 0
        for i in order:
            Xc, yc = runner.compute(xb[i], yb[i])
            Xc = np.ascontiguousarray(st.transform(Xc) if scaled else Xc, dtype=float)
            run = minibatch_epoch(Xc, np.asarray(yc, dtype=float), batch, objective,
                                  batch_method, rng)
            theta, j = run(theta, g_full, step, start)
            k += j
        return theta, k

    return epoch


def _qr_chunk(Xc: np.ndarray, yc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R and Qᵀy of one chunk of D = [1 X]: Σ‖D_c θ − y_c‖² = Σ‖R_c θ − Q_cᵀy_c‖² + const."""
    D = np.column_stack([np.ones(len(yc)), Xc])
    q, r = np.linalg.qr(D)
    return r, q.T @ yc


def _solve(parts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Least squares from the stacked chunk factors, by numpy.linalg.lstsq (exact, small)."""
    R = np.vstack([p[0] for p in parts])
    b = np.concatenate([p[1] for p in parts])
    return np.linalg.lstsq(R, b, rcond=None)[0]


def _scaled_gram(gram: np.ndarray, st: Standardizer, n: int) -> np.ndarray:
    """DᵀD for the standardised features, from the raw one (for L and the rate only)."""
    T = np.zeros_like(gram)  # [1, z] = [1, x] T
    T[0, 0] = 1.0
    T[0, 1:] = -st.mean / st.std
    T[1:, 1:] = np.diag(1.0 / st.std)
    return T.T @ gram @ T


def _loss_at(theta: np.ndarray, gram: np.ndarray, xb: list, yb: list, objective: Objective,
             runner: _Runner, n: int) -> float:
    ident = Standardizer.identity(len(theta) - 1)
    return float(pass_over_chunks(xb, yb, n, objective, ident, runner)(np.asarray(theta))[0])


__all__ = ["chunk_batches", "pass_over_chunks", "regress"]
