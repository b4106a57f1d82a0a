"""Regression input: a CSV file, a pandas DataFrame or NumPy arrays, checked before any fitting.

Every problem a person can have with their data becomes a :class:`DataError` that names the
column and, where there is one, the row (1-based, counting data rows after the header), so the
fix is obvious: a missing or non-numeric column, an empty cell, an empty file, too few rows, or
a constant feature (indistinguishable from the intercept).
"""

from __future__ import annotations

import csv
import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nablab.errors import DataError


@dataclass
class Dataset:
    """Features X (N×d, float64, C-contiguous: one row per sample) and target y, with names."""

    X: np.ndarray
    y: np.ndarray
    x_names: list[str]
    y_name: str
    source: str
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


def split_names(x: Any) -> list[str] | None:
    """``"a,b"`` or ``["a", "b"]`` → ``["a", "b"]``; None stays None."""
    if x is None:
        return None
    if isinstance(x, (str, int)):
        x = [x]
    names = [str(p).strip() for item in x for p in str(item).split(",")]
    names = [p for p in names if p]
    if not names:
        raise DataError("no feature column given", hint="name at least one, e.g. --x size")
    return names


def _closest(name: str, columns: Sequence[str]) -> str:
    near = difflib.get_close_matches(name, list(columns), n=1)
    cols = ", ".join(columns[:12]) + (" …" if len(columns) > 12 else "")
    return (f"did you mean {near[0]!r}? " if near else "") + f"the columns are: {cols}"


def _row(labels: Any, pos: int) -> str:
    """Name a row by 1-based position, plus its index label when that differs."""
    label = labels[pos] if labels is not None else None
    extra = f" (index {label!r})" if label is not None and label != pos else ""
    return f"row {pos + 1}{extra}"


def check_columns(columns: Sequence[str], x: list[str] | None, y: str | None
                  ) -> tuple[list[str], str]:
    """Resolve and check the feature and target names against the available columns."""
    columns = [str(c) for c in columns]
    if y is None:
        if len(columns) < 2:
            raise DataError(f"need a feature and a target column, found {len(columns)} column(s)")
        y = columns[-1]
    if x is None:
        x = [c for c in columns if c != y]
    for name in [*x, y]:
        if name not in columns:
            raise DataError(f"column {name!r} not found", hint=_closest(name, columns))
    if y in x:
        raise DataError(f"column {y!r} is both a feature and the target",
                        hint="list it in --x or --y, not both")
    dup = next((n for i, n in enumerate(x) if n in x[:i]), None)
    if dup:
        raise DataError(f"feature column {dup!r} is listed twice")
    return x, y


def _numeric(values: Any, name: str, labels: Any) -> np.ndarray:
    """One column as float64, or a DataError naming the first offending row."""
    import pandas as pd  # lazy: pandas costs ~0.3 s; only tables need it

    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if series.dtype == bool:
        series = series.astype(float)
    if series.dtype.kind in "iuf":
        out = series.to_numpy(dtype=float)
    else:
        coerced = pd.to_numeric(series, errors="coerce")
        bad = coerced.isna().to_numpy() & series.notna().to_numpy()
        if bad.any():
            pos = int(np.argmax(bad))
            raise DataError(
                f"column {name!r} is not numeric: {_row(labels, pos)} holds "
                f"{series.iloc[pos]!r}",
                hint="regression needs numbers in every feature and target cell")
        out = coerced.to_numpy(dtype=float)
    missing = ~np.isfinite(out)
    if missing.any():
        pos = int(np.argmax(missing))
        what = "an empty cell (NaN)" if np.isnan(out[pos]) else f"{out[pos]}"
        raise DataError(f"column {name!r} has {what} at {_row(labels, pos)}",
                        hint="remove or fill that row; regression needs a finite number in every cell")
    return out


def check_arrays(X: np.ndarray, y: np.ndarray, x_names: list[str], y_name: str) -> None:
    """Row count and constant features (shared by the in-memory and the Dask paths)."""
    n, d = X.shape
    if n == 0:
        raise DataError("the data has no rows", hint="the file has a header but no data")
    if n == 1:
        raise DataError("the data has only one row: a line needs at least two points")
    if n < d + 1:
        raise DataError(f"{n} rows cannot determine {d + 1} coefficients (intercept and {d} "
                        "features)", hint="use more rows or fewer feature columns")
    const = np.all(X[0] == X, axis=0)
    if const.any():
        j = int(np.argmax(const))
        raise DataError(
            f"feature column {x_names[j]!r} is constant (every row is {X[0, j]:g}): its "
            "coefficient cannot be told apart from the intercept",
            hint="drop that column")


#: smallest eigenvalue of the features' correlation matrix below which they are dependent
COLLINEAR = 1e-10


def check_independent(gram: np.ndarray, n: int, x_names: Sequence[str]) -> None:
    """Refuse features that are linear combinations of each other (θ would not be unique,
    and descent would creep along the flat valley without converging).

    ``gram`` is [1 X]ᵀ[1 X]; the test is on the correlation matrix, so it does not depend on
    the features' units. Shared by the in-memory and the Dask paths (both have the Gram
    matrix already, so this costs no pass over the data)."""
    d = gram.shape[0] - 1
    if d < 2:
        return
    mean = gram[0, 1:] / n
    cov = gram[1:, 1:] / n - np.outer(mean, mean)
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    if not np.all(sd > 0):
        return  # a constant feature: check_arrays names it
    corr = cov / np.outer(sd, sd)
    values, vectors = np.linalg.eigh(corr)
    if values[0] >= COLLINEAR:
        return
    v = vectors[:, 0]
    names = [x_names[int(j)] for j in np.flatnonzero(np.abs(v) > 1e-6 * np.abs(v).max())]
    quoted = [repr(m) for m in names]
    listed = ", ".join(quoted[:-1]) + " and " + quoted[-1] if len(quoted) > 1 else quoted[0]
    raise DataError(
        f"feature columns {listed} are collinear: one is a linear combination of the "
        "other(s), so the least-squares θ is not unique",
        hint="drop one of those columns")


def _header(path: str | os.PathLike) -> list[str] | None:
    """The CSV header as written (pandas renames a repeated name 'x' to 'x.1' silently)."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return next(csv.reader(fh), None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


def from_frame(frame: Any, x: list[str] | None, y: str | None, source: str) -> Dataset:
    """Check a pandas DataFrame and pull out X and y."""
    x, y = check_columns(list(frame.columns.astype(str)), x, y)
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    labels = None
    import pandas as pd  # lazy: pandas costs ~0.3 s; only tables need it

    if not isinstance(frame.index, pd.RangeIndex) or frame.index.start != 0:
        labels = list(frame.index)
    if len(frame) == 0:
        raise DataError("the data has no rows", hint="the file has a header but no data")
    cols = [_numeric(frame[c], c, labels) for c in x]
    target = _numeric(frame[y], y, labels)
    X = np.ascontiguousarray(np.column_stack(cols)) if cols else np.empty((len(frame), 0))
    check_arrays(X, target, x, y)
    return Dataset(X=X, y=np.ascontiguousarray(target), x_names=x, y_name=y, source=source)


def read_csv(path: str | os.PathLike) -> Any:
    """A CSV file as a DataFrame, with file problems turned into DataErrors."""
    import pandas as pd  # lazy: pandas costs ~0.3 s; only tables need it

    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"no such file: {os.fspath(path)}") from None
    except IsADirectoryError:
        raise DataError(f"{os.fspath(path)} is a directory, not a CSV file") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{os.fspath(path)} is empty", hint="the file has no header and no rows") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            want, line, got = (int(g) for g in m.groups())
            raise DataError(f"row {line - 1} (line {line} of {os.fspath(path)}) has {got} "
                            f"fields; the header has {want}",
                            hint="every row needs one value per column") from None
        raise DataError(f"{os.fspath(path)} is not a readable CSV file: {exc}".strip()) from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{os.fspath(path)} is not a UTF-8 text CSV file (byte {exc.start} "
                        "cannot be read)", hint="save it as CSV with UTF-8 encoding") from None
    header = _header(path)
    if header is not None:
        seen: dict[str, int] = {}
        for j, name in enumerate(header, 1):
            if name in seen:
                raise DataError(f"column {name!r} appears twice in the header (columns "
                                f"{seen[name]} and {j})", hint="give every column its own name")
            seen[name] = j
    return frame


def load(data: Any, x: Any = None, y: Any = None) -> Dataset:
    """Given a CSV path, a DataFrame, a dict of columns, an (X, y) pair or a 2-D array with
    column indices, return a checked :class:`Dataset`. Without ``y`` the last column is the
    target; without ``x`` every other column is a feature."""
    import pandas as pd  # lazy: pandas costs ~0.3 s; only tables need it

    names = split_names(x)
    target = None if y is None else str(y).strip()
    if isinstance(data, (str, os.PathLike)):
        return from_frame(read_csv(data), names, target, os.fspath(data))
    if isinstance(data, pd.DataFrame):
        return from_frame(data, names, target, "DataFrame")
    if isinstance(data, dict):
        try:
            frame = pd.DataFrame(data)
        except ValueError as exc:
            raise DataError(f"the columns do not form a table: {exc}") from None
        return from_frame(frame, names, target, "dict")
    if isinstance(data, tuple) and len(data) == 2:
        X = np.asarray(data[0])
        yy = np.asarray(data[1])
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or yy.ndim != 1 or len(X) != len(yy):
            raise DataError(f"(X, y) must be an N×d array and N values; got shapes {X.shape} "
                            f"and {yy.shape}")
        x_names = names or [f"x{j + 1}" for j in range(X.shape[1])]
        if len(x_names) != X.shape[1]:
            raise DataError(f"{len(x_names)} feature names for {X.shape[1]} columns")
        frame = pd.DataFrame(X, columns=x_names)
        yname = target or "y"
        if yname in x_names:
            raise DataError(f"target name {yname!r} is also a feature name")
        frame[yname] = yy
        return from_frame(frame, x_names, yname, "arrays")
    if isinstance(data, np.ndarray):
        if data.ndim != 2:
            raise DataError(f"a data array must be 2-D (rows × columns), got {data.ndim}-D")
        frame = pd.DataFrame(data, columns=[str(j) for j in range(data.shape[1])])
        return from_frame(frame, names, target, "array")
    raise DataError(f"cannot read regression data from a {type(data).__name__}",
                    hint="pass a CSV path, a pandas DataFrame, a dict of columns or (X, y) arrays")


def is_dask_input(data: Any) -> bool:
    """Dask collections, a pair of them, a glob, a directory or a Parquet path."""
    def dasky(obj: Any) -> bool:
        return type(obj).__module__.split(".")[0] in ("dask", "dask_expr")

    if isinstance(data, tuple) and len(data) == 2:
        return dasky(data[0]) or dasky(data[1])
    if dasky(data):
        return True
    if isinstance(data, (str, os.PathLike)):
        s = os.fspath(data)
        return (any(c in s for c in "*?[") or s.endswith((".parquet", ".pq"))
                or os.path.isdir(s))
    return False
