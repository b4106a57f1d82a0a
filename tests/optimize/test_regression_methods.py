"""Regression with the named optimizers, full batch and mini-batch (shuffled with a seed),
checked against least squares computed here with numpy.linalg.lstsq."""

from __future__ import annotations

import re

import numpy as np
import pytest

from nablab.api import regress
from nablab.errors import NablabError
from regression_data import data, lstsq


@pytest.mark.parametrize(("method", "opts"), [("momentum", {"beta": 0.8}), ("nesterov", {}),
                                              ("gd", {})])
def test_full_batch_methods_reach_the_closed_form(method, opts):
    X, y = data()
    r = regress((X, y), scale=True, method=method, epochs=5000, **opts)
    assert r.converged, r.reason
    assert r.method == method
    np.testing.assert_allclose(r.theta, lstsq(X, y), rtol=1e-7)


def test_adaptive_methods_get_near_the_closed_form():
    X, y = data()
    for method, rate in (("adam", 0.05), ("rmsprop", 0.01), ("adagrad", 0.5)):
        r = regress((X, y), scale=True, method=method, rate=rate, epochs=4000, tol=1e-6)
        np.testing.assert_allclose(r.theta, lstsq(X, y), atol=0.05, err_msg=method)


def test_shuffled_mini_batches_are_reproducible_with_a_seed():
    X, y = data()
    a = regress((X, y), scale=True, batch=50, epochs=80, method="adam", rate=0.1,
                shuffle=True, seed=3)
    b = regress((X, y), scale=True, batch=50, epochs=80, method="adam", rate=0.1,
                shuffle=True, seed=3)
    c = regress((X, y), scale=True, batch=50, epochs=80, method="adam", rate=0.1,
                shuffle=True, seed=4)
    assert a.theta == b.theta and a.theta != c.theta
    assert a.updates == 80 * 24 and a.shuffle and a.seed == 3
    np.testing.assert_allclose(a.theta, lstsq(X, y), atol=0.1)


def test_svrg_with_nesterov_and_shuffling_converges_to_least_squares():
    X, y = data()
    r = regress((X, y), scale=True, batch=100, batch_method="svrg", method="nesterov",
                mu=0.5, shuffle=True, seed=1, epochs=200)
    assert r.converged, r.reason
    np.testing.assert_allclose(r.theta, lstsq(X, y), rtol=1e-6)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "newton"}, "closed form"),
    ({"method": "lbfgs"}, "the methods are"),
    ({"method": "adam", "gamma": 1.0}, "β1"),
    ({"method": "momentum", "beta": 1.0}, r"\[0, 1\)"),
    ({"seed": 3}, "shuffle"),
    ({"shuffle": True, "batch": 10, "seed": -1},
     "the seed must be a non-negative integer, got -1"),
    ({"shuffle": True}, "shuffling is for mini-batches.*add a batch size"),
    ({"method": "gd,adam"}, "one method at a time"),
])
def test_bad_input(kwargs, match):
    X, y = data(50)
    with pytest.raises(NablabError) as err:
        regress((X, y), **kwargs)
    assert re.search(match, f"{err.value} {err.value.hint}")




@pytest.mark.parametrize("method", ["lbfgs", "newton", ""])
def test_a_refused_method_names_the_methods_regression_offers(method):
    X, y = data(50)
    with pytest.raises(NablabError) as err:
        regress((X, y), method=method)
    assert err.value.hint == "the methods are gd, momentum, nesterov, adagrad, rmsprop, adam"
