"""The only place that turns expressions into NumPy callables.

Everything numeric (evaluation at a point, plot grids, descent, regression) compiles through
here, so that common subexpressions are shared and every caller gets the same semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sympy


def compile_numpy(
    exprs: Sequence[sympy.Expr] | sympy.Expr,
    symbols: Sequence[sympy.Symbol],
) -> Callable:
    """Given expressions and the symbols they take as positional arguments, return a NumPy
    function (works on scalars and arrays) with common subexpressions computed once."""
    return sympy.lambdify(list(symbols), exprs, modules="numpy", cse=True)
