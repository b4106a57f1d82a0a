"""Every bad-data case gets a DataError naming the column and, where there is one, the row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nablab.errors import DataError
from nablab.optimize.data import load
from nablab.optimize.regression import regress


def write(tmp_path, text: str, name: str = "d.csv") -> str:
    p = tmp_path / name
    p.write_text(text)
    return str(p)


GOOD = "size,rooms,price\n1,2,3.0\n2,1,5.0\n3,4,7.5\n4,3,8.9\n"


def test_good_csv_loads_columns_in_order(tmp_path):
    ds = load(write(tmp_path, GOOD), "rooms,size", "price")
    assert ds.x_names == ["rooms", "size"] and ds.y_name == "price"
    np.testing.assert_array_equal(ds.X[:, 0], [2, 1, 4, 3])
    np.testing.assert_array_equal(ds.y, [3.0, 5.0, 7.5, 8.9])
    assert ds.X.flags.c_contiguous


def test_defaults_last_column_is_target(tmp_path):
    ds = load(write(tmp_path, GOOD))
    assert ds.x_names == ["size", "rooms"] and ds.y_name == "price"


@pytest.mark.parametrize(
    ("text", "x", "y", "match"),
    [
        (GOOD, "siz", "price", r"column 'siz' not found"),
        (GOOD, "size", "cost", r"column 'cost' not found"),
        ("size,price\n1,2\n2,abc\n3,4\n", "size", "price", r"'price' is not numeric: row 2 .*'abc'"),
        ("size,price\n1,2\n2,3\n,4\n", "size", "price", r"'size' has an empty cell \(NaN\) at row 3"),
        ("size,price\n1,2\n2,inf\n3,4\n", "size", "price", r"'price' has inf at row 2"),
        ("", "size", "price", r"is empty"),
        ("size,price\n", "size", "price", r"no rows"),
        ("size,price\n1,2\n", "size", "price", r"only one row"),
        ("size,rooms,price\n1,5,2\n2,5,3\n3,5,4\n", "size,rooms", "price",
         r"'rooms' is constant \(every row is 5\)"),
        ("a,b,c,price\n1,2,3,4\n2,3,1,5\n", "a,b,c", "price", r"2 rows cannot determine 4"),
        (GOOD, "size,price", "price", r"both a feature and the target"),
        (GOOD, "size,size", "price", r"listed twice"),
        ("x,x,price\n1,1,2\n2,2,3\n3,3,5\n", None, "price",
         r"column 'x' appears twice in the header \(columns 1 and 2\)"),
        ("size,price\n1,2\n2,3,9\n3,4\n", "size", "price",
         r"row 2 \(line 3 of .*\) has 3 fields; the header has 2"),
        ("size,price\n1,NaN\n2,3\n3,4\n", "size", "price", r"'price' has an empty cell \(NaN\) at row 1"),
    ],
)
def test_bad_csv(tmp_path, text, x, y, match):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=match):
        load(path, x, y)
    with pytest.raises(DataError, match=match):  # the same through the public entry point
        regress(path, x, y)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load(str(tmp_path / "nope.csv"), "a", "b")


def test_did_you_mean_hint(tmp_path):
    with pytest.raises(DataError) as info:
        load(write(tmp_path, GOOD), "siez", "price")
    assert "did you mean 'size'" in info.value.hint


def test_dataframe_rows_named_by_position_and_index_label():
    df = pd.DataFrame({"x": [1.0, 2.0, np.nan], "y": [1.0, 2.0, 3.0]}, index=["a", "b", "c"])
    with pytest.raises(DataError, match=r"row 3 \(index 'c'\)"):
        load(df, "x", "y")


def test_numpy_and_pairs_and_dicts():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2))
    y = rng.normal(size=20)
    ds = load((X, y))
    assert ds.x_names == ["x1", "x2"] and ds.y_name == "y"
    ds = load(np.column_stack([X, y]), "0,1", "2")
    np.testing.assert_array_equal(ds.X, X)
    ds = load({"a": X[:, 0], "b": y}, "a", "b")
    assert ds.d == 1
    with pytest.raises(DataError, match="N×d"):
        load((X, y[:5]))
    with pytest.raises(DataError, match="cannot read"):
        load(42, "a", "b")


def test_booleans_count_as_numbers():
    ds = load(pd.DataFrame({"flag": [True, False, True], "y": [1.0, 0.0, 1.5]}), "flag", "y")
    np.testing.assert_array_equal(ds.X[:, 0], [1, 0, 1])


def test_non_utf8_file_is_named(tmp_path):
    p = tmp_path / "latin.csv"
    p.write_bytes(b"size,price\n1,2\n2,\xff\n")
    with pytest.raises(DataError, match=r"not a UTF-8 text CSV file \(byte \d+"):
        load(str(p))


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        ({"a": [1.0, 2, 3, 4], "b": [2.0, 4, 6, 8]}, "'a' and 'b'"),  # b = 2a
        ({"a": [1.0, 2, 3, 4, 5], "c": [0.0, 1, 0, 1, 0], "b": [3.0, 6, 9, 12, 15]}, "'a' and 'b'"),
        # a dependence of three columns with units far apart: b = 1000·a + c
        ({"a": [1.0, 2, 3, 5, 8], "c": [0.5, 0, 1, 2, 0], "b": [1000.5, 2000, 3001, 5002, 8000]},
         "'a', 'c' and 'b'"),
    ],
)
def test_collinear_features_are_refused_by_name(columns, named):
    n = len(columns["a"])
    frame = pd.DataFrame({**columns, "y": np.arange(n, dtype=float) ** 2})
    with pytest.raises(DataError, match=f"feature columns {named} are collinear") as info:
        regress(frame)
    assert info.value.hint == "drop one of those columns"


def test_nearly_but_not_collinear_features_are_fitted():
    rng = np.random.default_rng(1)
    a = rng.normal(1e4, 10.0, 200)  # large offset, small spread: no false alarm
    b = 2 * a + rng.normal(0, 10.0, 200)  # correlated (about 0.9), not dependent
    y = 1 + 0.5 * a - 0.25 * b + rng.normal(0, 0.1, 200)
    r = regress(pd.DataFrame({"a": a, "b": b, "y": y}), scale=True, epochs=2000)
    assert r.converged, r.reason
    np.testing.assert_allclose(r.theta, r.closed_form, rtol=1e-6)
