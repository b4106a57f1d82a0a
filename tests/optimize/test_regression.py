"""Linear regression from the derived partials: equal to least squares, scaling round trip."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from nablab.errors import NablabError
from nablab.optimize.kernels import Objective, Summands, linear_plan
from nablab.optimize.mse import mse
from nablab.optimize.regression import regress
from nablab.optimize.scaling import Standardizer
from nablab.render.json import to_json


def synthetic(n, theta, seed=0, noise=0.1, loc=3.0, spread=2.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(loc, spread, size=(n, len(theta) - 1))
    y = theta[0] + X @ np.asarray(theta[1:]) + rng.normal(0, noise, n)
    return X, y


@pytest.mark.parametrize("theta", [[1.5, 2.0], [-3.0, 0.5, 2.0, -1.25], [10.0, *range(1, 11)]])
def test_converged_descent_equals_lstsq(theta):
    X, y = synthetic(3000, theta)
    r = regress((X, y), scale=True, epochs=5000)
    assert r.converged, r.reason
    np.testing.assert_allclose(r.theta, r.closed_form, rtol=1e-6, atol=1e-9)
    ref = np.linalg.lstsq(np.column_stack([np.ones(len(y)), X]), y, rcond=None)[0]
    np.testing.assert_allclose(r.closed_form, ref, rtol=1e-12)
    np.testing.assert_allclose(r.theta, theta, atol=0.05)  # the known θ, up to the noise
    assert r.loss == pytest.approx(r.closed_form_loss, rel=1e-9)
    assert r.max_rel_diff < 1e-6


def test_unscaled_converges_too_when_well_conditioned():
    X, y = synthetic(500, [2.0, -1.0], loc=0.0, spread=1.0)
    r = regress((X, y), epochs=5000)
    assert r.converged and not r.scale
    np.testing.assert_allclose(r.theta, r.closed_form, rtol=1e-6)


def test_scaling_reduces_steps_and_is_reported():
    X, y = synthetic(1000, [5.0, 0.3, -2.0], loc=50.0, spread=[1.0, 20.0])
    r = regress((X, y), scale=True, compare_scaling=True, epochs=3000)
    c = r.comparison
    assert c["scaled"]["converged"]
    assert c["scaled"]["iterations"] < c["unscaled"]["iterations"]
    assert c["scaled"]["condition_number"] < c["unscaled"]["condition_number"]
    assert r.scaling["mean"] == pytest.approx(X.mean(axis=0).tolist())


def test_rate_above_two_over_L_diverges_with_explanation():
    X, y = synthetic(200, [1.0, 2.0])
    probe = regress((X, y), epochs=0)
    L = probe.curvature["L"]
    r = regress((X, y), rate=2.5 / L, epochs=500)
    assert r.diverged and not r.converged
    assert "2/L" in r.reason and f"{2 / L:.6g}" in r.reason
    assert regress((X, y), rate=1.9 / L, epochs=50).diverged is False


def test_mini_batches_get_close_and_count_updates():
    X, y = synthetic(1000, [1.0, 2.0, 3.0], noise=0.0)
    r = regress((X, y), scale=True, batch=100, epochs=200, rate=0.05)
    assert r.updates == 200 * 10 or r.converged
    np.testing.assert_allclose(r.theta, [1, 2, 3], atol=1e-3)


def _noisy(n: int = 3000, seed: int = 3):
    rng = np.random.default_rng(seed)
    X = rng.normal([3.0, -1.0], [2.0, 0.5], (n, 2))
    y = 1.0 + 2.0 * X[:, 0] - 3.0 * X[:, 1] + rng.normal(0, 1.0, n)
    return X, y


def test_constant_rate_mini_batches_stall_on_noisy_data_and_say_why():
    X, y = _noisy()
    r = regress((X, y), scale=True, batch=100, epochs=40)
    assert not r.converged and not r.diverged
    assert r.iterations == 40 and r.updates == 40 * 30
    assert "svrg" in r.reason and "noise" in r.reason
    assert r.max_rel_diff > 1e-6  # honestly not at the least-squares θ


def test_svrg_mini_batches_converge_to_least_squares():
    X, y = _noisy()
    r = regress((X, y), scale=True, batch=100, batch_method="svrg", epochs=100)
    assert r.converged, r.reason
    assert r.iterations < 40 and r.updates == r.iterations * 30
    D = np.column_stack([np.ones(len(y)), X])
    lstsq = np.linalg.lstsq(D, y, rcond=None)[0]  # independently of the result's closed_form
    np.testing.assert_allclose(r.theta, lstsq, rtol=1e-6)
    d = to_json(r)
    assert d["batch"] == 100 and d["batch_method"] == "svrg"
    assert to_json(regress((X, y), scale=True))["batch_method"] is None


def test_unknown_batch_method_is_refused():
    X, y = _noisy(50)
    with pytest.raises(NablabError, match="batch_method"):
        regress((X, y), batch=10, batch_method="adam")


def test_json_keys():
    X, y = synthetic(100, [1.0, 2.0])
    d = to_json(regress((X, y), scale=True))
    for key in ("partials", "theta", "closed_form", "loss", "iterations", "converged", "losses"):
        assert key in d
    assert len(d["losses"]) == d["iterations"] + 1
    assert [p["variable"] for p in d["partials"]] == ["theta_0", "theta_1"]


# ---- the symbolic partials -------------------------------------------------------------

def test_partials_are_the_chapters_and_read_back():
    m = mse(1)
    d = m.to_dict()
    assert d[0]["latex_chapter"] == r"-\frac{2}{N} \sum_{n=1}^{N} \left(y_{n} - \hat{y}_{n}\right)"
    assert d[1]["latex_chapter"] == (
        r"-\frac{2}{N} \sum_{n=1}^{N} x_{n} \left(y_{n} - \hat{y}_{n}\right)")
    for k, p in enumerate(d):
        back = sympy.sympify(p["text"])
        derived = m.partials[k]
        n, N = sympy.Symbol("n"), sympy.Symbol("N")
        # same sum, term by term
        lhs = sympy.expand(back.atoms(sympy.Sum).pop().function * (back / back.atoms(sympy.Sum).pop()))
        rhs = sympy.expand(derived.atoms(sympy.Sum).pop().function
                           * (derived / derived.atoms(sympy.Sum).pop()))
        assert sympy.simplify(lhs - rhs) == 0
        assert back.has(sympy.Sum) and N in back.free_symbols and n not in back.free_symbols


def test_partials_agree_with_mpmath_differentiation_of_J():
    """Independent check: differentiate J(θ) on concrete data numerically with mpmath."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(7, 2))
    y = rng.normal(size=7)
    theta = rng.normal(size=3)
    obj = Objective(mse(2))
    J, g = obj(theta, X, y)

    def Jf(*t):
        return sum((mpmath.mpf(yi) - (t[0] + t[1] * xi[0] + t[2] * xi[1])) ** 2
                   for xi, yi in zip(X.tolist(), y.tolist(), strict=True)) / len(y)

    assert float(Jf(*theta)) == pytest.approx(J, rel=1e-12)
    for k in range(3):
        order = [0, 0, 0]
        order[k] = 1
        num = mpmath.diff(Jf, tuple(theta), tuple(order))
        assert float(num) == pytest.approx(g[k], rel=1e-9, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3000), st.integers(0, 1000))
def test_fused_kernel_equals_compiled_summands_and_numpy(d, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * rng.uniform(0.1, 10, size=d)
    y = rng.normal(size=n)
    theta = rng.normal(size=d + 1)
    fused, symbolic = Objective(mse(d)), Objective(mse(d), fused=False)
    assert fused.plan is not None and symbolic.plan is None
    fused.kernel.block_rows = 64  # many blocks, and a ragged last one
    fused.kernel.min_rows_per_thread = 500  # and several threads when n is large enough
    J1, g1 = fused(theta, X, y)
    J2, g2 = symbolic(theta, X, y)
    r = y - (theta[0] + X @ theta[1:])
    assert pytest.approx(J2, rel=1e-10) == J1
    assert pytest.approx(np.mean(r**2), rel=1e-10) == J1
    np.testing.assert_allclose(g1, g2, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(g1, -2 / n * np.concatenate([[r.sum()], X.T @ r]),
                               rtol=1e-9, atol=1e-12)


def test_plan_is_read_off_the_derivation():
    summands = Summands.from_mse(mse(3))
    plan = linear_plan(summands)
    # ρ = θ0 + Σ θj xj − y (normalised so that y enters with −1), ∂J/∂θk = (2/N) Σ wk ρ
    assert plan.a == -1.0
    np.testing.assert_array_equal(plan.b, [1, 1, 1, 1])
    assert plan.theta_cols == (-1, 0, 1, 2) and plan.weight_cols == (-1, 0, 1, 2)
    outer_J, outers = summands.scale(10)
    np.testing.assert_allclose(outers * plan.c, [0.2] * 4)
    assert outer_J * plan.kappa == pytest.approx(0.1)


# ---- scaling ---------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(0, 10_000))
def test_scaling_round_trip_and_same_predictions(d, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(rng.uniform(-100, 100, d), rng.uniform(0.01, 50, d), size=(50, d))
    s = Standardizer.fit(X)
    Z = s.transform(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-9)
    theta_s = rng.normal(size=d + 1)
    theta = s.to_original(theta_s)
    np.testing.assert_allclose(s.to_scaled(theta), theta_s, rtol=1e-9, atol=1e-9)
    pred_scaled = theta_s[0] + Z @ theta_s[1:]
    pred_orig = theta[0] + X @ theta[1:]
    np.testing.assert_allclose(pred_scaled, pred_orig, rtol=1e-8,
                               atol=1e-8 * max(1.0, float(np.abs(pred_orig).max())))


def test_losses_decrease_for_rate_one_over_L():
    X, y = synthetic(300, [0.5, -1.0, 2.0])
    r = regress((X, y), scale=True)
    assert all(b <= a * (1 + 1e-12) for a, b in zip(r.losses, r.losses[1:], strict=False))
    assert r.rate_rule == "1/L" and math.isclose(r.rate, 1 / r.curvature["L"])


def test_huge_coefficients_are_not_mistaken_for_divergence():
    X, y = synthetic(300, [3e14, 2e15], noise=1e9)
    r = regress((X, y), scale=True)
    assert r.converged and not r.diverged
    np.testing.assert_allclose(r.theta, r.closed_form, rtol=1e-6)


def test_batch_curvature_is_the_steepest_batch():
    from nablab.optimize.regression import batch_L

    rng = np.random.default_rng(4)
    X = rng.normal(1.0, 2.0, (1003, 2))
    for b in (1, 10, 1003, 400):
        want = 0.0
        for lo in range(0, len(X), b):  # brute force, batch by batch
            D = np.column_stack([np.ones(len(X[lo:lo + b])), X[lo:lo + b]])
            H = 2.0 / len(D) * D.T @ D  # the Hessian of that batch's J
            want = max(want, np.linalg.eigvalsh(H)[-1])
        assert batch_L(X, b) == pytest.approx(want, rel=1e-12)


def test_small_batches_get_a_stable_default_rate():
    X, y = _noisy(600)
    for method in ("sgd", "svrg"):
        r = regress((X, y), scale=True, batch=1, batch_method=method, epochs=3)
        assert not r.diverged and r.rate_rule == "1/L_batch"
        assert all(np.isfinite(r.losses)) and r.losses[-1] < r.losses[0]


def test_mini_batch_divergence_is_detected_and_explained():
    X, y = _noisy(600)
    r = regress((X, y), scale=True, batch=10, rate=5.0, epochs=50)
    assert r.diverged and not r.converged
    assert "2/L" in r.reason and "mini-batches" in r.reason
