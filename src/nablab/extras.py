"""Optional parts of nablab and the one message for a missing one.

The core install (reading, gradients, steps, the CLI, notebook display) needs only SymPy,
SymEngine, NumPy, mpmath, rich and pandas. The rest comes as extras; a feature that needs one
calls :func:`require` before importing it, so a missing extra is a :class:`MissingExtraError`
naming the ``pip install`` line, never a bare ``ModuleNotFoundError``.
"""

from __future__ import annotations

from importlib.util import find_spec

from nablab.errors import NablabError

#: extra -> (what it is for, the import names it provides)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "web": ("the web page and the HTTP API (nablab serve)", ("fastapi", "uvicorn", "pydantic")),
    "dask": ("regression over Dask data, CSV globs and Parquet", ("dask", "distributed",
                                                                  "pyarrow")),
    "fast": ("the numba-compiled regression loop", ("numba",)),
    "plot": ("pictures as matplotlib figures (descent, regression, contours)", ("matplotlib",)),
    "notebook": ("the Jupyter widget", ("anywidget", "IPython", "matplotlib")),
}


class MissingExtraError(NablabError):
    """A feature needs an optional part of nablab that is not installed."""


def missing(*modules: str) -> list[str]:
    """The import names among ``modules`` that cannot be found (nothing is imported)."""
    out = []
    for name in modules:
        try:
            found = find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out


def require(extra: str, *modules: str) -> None:
    """Raise :class:`MissingExtraError` naming ``nablab[extra]`` unless every module (by
    default, all the extra provides) can be imported."""
    purpose, provides = EXTRAS[extra]
    absent = missing(*(modules or provides))
    if absent:
        raise MissingExtraError(
            f"{purpose} needs the optional extra nablab[{extra}] "
            f"(not installed: {', '.join(absent)})",
            hint=f"pip install 'nablab[{extra}]'",
        )
