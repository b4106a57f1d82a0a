"""The Dask path gives the in-memory θ, on the local scheduler and on a LocalCluster."""

from __future__ import annotations

import dask.array as da
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from nablab.errors import DataError, NablabError
from nablab.optimize.data import is_dask_input
from nablab.optimize.regression import regress

THETA = [1.5, 2.0, -1.0, 0.5]


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    X = rng.normal(5, 3, size=(8000, 3))
    y = THETA[0] + X @ THETA[1:] + rng.normal(0, 0.1, 8000)
    return X, y


@pytest.fixture(scope="module")
def files(tmp_path_factory, data):
    X, y = data
    root = tmp_path_factory.mktemp("dask")
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(t=y)
    for i in range(4):  # four files: the data are 4× one chunk
        part = df.iloc[i * 2000:(i + 1) * 2000]
        part.to_csv(root / f"part{i}.csv", index=False)
        part.to_parquet(root / f"part{i}.parquet")
    return root


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as c, Client(c) as client:
        yield c, client


def test_dask_arrays_equal_in_memory(data):
    X, y = data
    mem = regress((X, y), scale=True)
    dsk = regress((da.from_array(X, chunks=(2000, 3)), da.from_array(y, chunks=2000)),
                  scale=True)
    assert dsk.backend == "dask" and mem.backend == "numpy"
    assert dsk.iterations == mem.iterations and dsk.converged
    np.testing.assert_allclose(dsk.theta, mem.theta, rtol=1e-10)
    np.testing.assert_allclose(dsk.closed_form, mem.closed_form, rtol=1e-10)
    np.testing.assert_allclose(dsk.losses, mem.losses, rtol=1e-10)


def test_on_local_cluster_by_address_and_client(data, files, cluster):
    c, client = cluster
    X, y = data
    mem = regress((X, y), scale=True)
    by_address = regress(str(files / "*.parquet"), "a,b,c", "t", scale=True,
                         scheduler=c.scheduler_address)
    by_client = regress(dd.read_csv(str(files / "*.csv")), "a,b,c", "t", scale=True,
                        scheduler=client, persist=True)
    for r in (by_address, by_client):
        np.testing.assert_allclose(r.theta, mem.theta, rtol=1e-9)
        np.testing.assert_allclose(r.closed_form, mem.closed_form, rtol=1e-9)
        np.testing.assert_allclose(r.theta, r.closed_form, rtol=1e-6)
        assert r.x_names == ["a", "b", "c"] and r.y_name == "t"


def test_unscaled_and_divergence_on_dask(data):
    X, y = data
    dx, dy = da.from_array(X, chunks=(2000, 3)), da.from_array(y, chunks=2000)
    mem = regress((X, y), epochs=30)
    dsk = regress((dx, dy), epochs=30)
    np.testing.assert_allclose(dsk.theta, mem.theta, rtol=1e-9)
    bad = regress((dx, dy), rate=1.0, epochs=100)
    assert bad.diverged and "2/L" in bad.reason


def test_bad_dask_data(tmp_path, data):
    X, y = data
    Xn = X.copy()
    Xn[4321, 1] = np.nan
    with pytest.raises(DataError, match=r"'x2' has a missing or infinite value at row 4322"):
        regress((da.from_array(Xn, chunks=(2000, 3)), da.from_array(y, chunks=2000)))
    Xc = X.copy()
    Xc[:, 2] = 4.0
    with pytest.raises(DataError, match="'x3' is constant"):
        regress((da.from_array(Xc, chunks=(2000, 3)), da.from_array(y, chunks=2000)))
    with pytest.raises(DataError, match="no files match"):
        regress(str(tmp_path / "none*.csv"), "a", "t")
    (tmp_path / "p0.csv").write_text("a,t\n1,2\n2,x\n")
    with pytest.raises(DataError, match=r"'t' is not numeric: row 2 holds 'x'"):
        regress(str(tmp_path / "p*.csv"), "a", "t")
    with pytest.raises(DataError, match="column 'q' not found"):
        regress(str(tmp_path / "p*.csv"), "q", "t")
    Xd = X.copy()
    Xd[:, 2] = 3 * X[:, 0] - X[:, 1]  # a combination of the others: θ not unique
    with pytest.raises(DataError, match="'x1', 'x2' and 'x3' are collinear"):
        regress((da.from_array(Xd, chunks=(2000, 3)), da.from_array(y, chunks=2000)))
    with pytest.raises(DataError, match="'x1', 'x2' and 'x3' are collinear"):
        regress((Xd, y))  # the same words in memory


def test_dask_mini_batches_equal_in_memory_and_reach_the_closed_form(data):
    X, y = data
    dask_input = (da.from_array(X, chunks=(2000, 3)), da.from_array(y, chunks=2000))
    # batches of 100 never span a 2000-row chunk: the same updates as in memory
    mem = regress((X, y), scale=True, batch=100, epochs=3, method="momentum", beta=0.5)
    dsk = regress(dask_input, scale=True, batch=100, epochs=3, method="momentum", beta=0.5)
    assert dsk.backend == "dask" and dsk.updates == mem.updates == 3 * 80
    np.testing.assert_allclose(dsk.theta, mem.theta, rtol=1e-9)
    # shuffled chunks and rows, variance-reduced: converges to least squares
    D = np.column_stack([np.ones(len(y)), X])
    lstsq = np.linalg.lstsq(D, y, rcond=None)[0]
    r = regress(dask_input, scale=True, batch=200, batch_method="svrg", shuffle=True, seed=4,
                epochs=60, tol=1e-8)
    assert r.converged, r.reason
    np.testing.assert_allclose(r.theta, lstsq, rtol=1e-6)


def test_unreachable_scheduler_is_a_clear_error(data, monkeypatch):
    import nablab.optimize.dask as dist

    monkeypatch.setattr(dist, "CONNECT_TIMEOUT", "1s")
    X, y = data
    with pytest.raises(NablabError, match="cannot reach the Dask scheduler"):
        regress((da.from_array(X), da.from_array(y)), scheduler="tcp://127.0.0.1:9")


def test_detection():
    assert is_dask_input("data/*.parquet") and is_dask_input("x.parquet")
    assert not is_dask_input("x.csv") and not is_dask_input((np.zeros(2), np.zeros(2)))
    assert is_dask_input(da.zeros(3))
