"""The compiled one-pass loop (numba) gives the same sums as the NumPy pass and as exact sums."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nablab.optimize import fused_loop
from nablab.optimize.kernels import FusedKernel, Objective
from nablab.optimize.mse import mse


def exact_sums(X, y, theta):
    """Σρ, Xᵀρ, ρᵀρ for ρ = θ0 + Xθ[1:] − y with math.fsum (correctly rounded sums)."""
    r = theta[0] + X @ theta[1:] - y  # rows are short: the per-row dot is exact enough
    return (math.fsum(r), np.array([math.fsum(X[:, j] * r) for j in range(X.shape[1])]),
            math.fsum(r * r))


@pytest.mark.parametrize("d", [1, 3])
def test_compiled_loop_matches_exact_sums_and_numpy_pass(d):
    rng = np.random.default_rng(d)
    n = 300_000  # enough for the kernel to split the rows over two threads
    X = rng.normal(2.0, 3.0, (n, d))
    y = rng.normal(0.0, 5.0, n)
    theta = rng.normal(0, 1, d + 1)
    obj = Objective(mse(d))
    compiled = FusedKernel(obj.plan, d, compiled=True)
    numpy_pass = FusedKernel(obj.plan, d, compiled=False)
    assert compiled.compiled_loop(n) is not None and numpy_pass.compiled_loop(n) is None
    s_r, xr, sq = exact_sums(X, y, theta)
    J_c, g_c = compiled.sums(theta, X, y)
    J_n, g_n = numpy_pass.sums(theta, X, y)
    # the derivation's constants: S_J = κ·Σρ², S_k = c_k·(Σρ or Σ x ρ) with ρ = a·(y − ŷ) …
    np.testing.assert_allclose(g_c, g_n, rtol=1e-12)
    assert J_c == pytest.approx(J_n, rel=1e-12)
    assert J_c == pytest.approx(obj.plan.kappa * sq, rel=1e-12)
    want = [obj.plan.c[k] * (s_r if col < 0 else xr[col])
            for k, col in enumerate(obj.plan.weight_cols)]
    np.testing.assert_allclose(g_c, want, rtol=1e-11)


def test_row_ranges_and_no_loss():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(1000, 2))
    y = rng.normal(size=1000)
    v, const, a = np.array([0.5, -2.0]), 0.25, -1.0
    loop = fused_loop.loop_for(2)
    s_r, xr, sq = fused_loop.row_range(loop, X, y, v, const, a, 100, 350, True)
    r = X[100:350] @ v + const + a * y[100:350]
    assert s_r == pytest.approx(r.sum(), rel=1e-12)
    np.testing.assert_allclose(xr, X[100:350].T @ r, rtol=1e-12)
    assert sq == pytest.approx(r @ r, rel=1e-12)
    assert fused_loop.row_range(loop, X, y, v, const, a, 0, 1000, False)[2] == 0.0


def test_many_features_use_the_generic_loop():
    d = fused_loop.MAX_UNROLLED + 1
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, d))
    y = rng.normal(size=50)
    v = rng.normal(size=d)
    s_r, xr, sq = fused_loop.row_range(fused_loop.loop_for(d), X, y, v, 0.0, -1.0, 0, 50, True)
    r = X @ v - y
    assert s_r == pytest.approx(r.sum(), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(xr, X.T @ r, rtol=1e-11)
    assert sq == pytest.approx(r @ r, rel=1e-12)


def test_source_is_built_from_an_int_only():
    text = fused_loop.source(2)
    assert "s1 += x1 * r" in text and "r = const + a * y[i] + x0 * v0 + x1 * v1" in text
    for bad in (0, "2", 2.0, fused_loop.MAX_UNROLLED + 1):
        with pytest.raises(ValueError):
            fused_loop.source(bad)


def test_small_inputs_keep_the_numpy_pass():
    kernel = Objective(mse(1)).kernel
    assert kernel.compiled is None
    assert kernel.compiled_loop(fused_loop.MIN_ROWS - 1) is None
    fused_loop.loop_for(1)  # once compiled, large inputs get it without waiting
    assert kernel.compiled_loop(fused_loop.MIN_ROWS) is fused_loop.loop_for(1, wait=False)
