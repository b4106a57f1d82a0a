"""Optimisation on derived gradients: gradient descent on any function, linear regression on
the mean squared error (in memory or chunk by chunk with Dask).

Submodules load on use so that ``import nablab.optimize`` stays cheap and never imports Dask.
"""

from __future__ import annotations

from typing import Any

__all__ = ["descent", "regress"]


def descent(f: Any, start: Any, rate: float, **options: Any):
    """See :func:`nablab.optimize.descent.descent`."""
    from nablab.optimize.descent import descent as _descent  # lazy: see the docstring

    return _descent(f, start, rate, **options)


def regress(data: Any, x: Any = None, y: Any = None, **options: Any):
    """See :func:`nablab.optimize.regression.regress`."""
    from nablab.optimize.regression import regress as _regress  # lazy: see the docstring

    return _regress(data, x, y, **options)
