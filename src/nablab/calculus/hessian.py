"""The Hessian: second partials, from the first partials by the same engine."""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from nablab.calculus.partials import _Engine


def hessian_matrix(
    grad: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol]
) -> list[list[sympy.Expr]]:
    """∂²f/∂xᵢ∂xⱼ from the first partials ∂f/∂xᵢ: the upper triangle is differentiated and
    mirrored (the partials we produce are smooth where they are defined, so they commute)."""
    engine = _Engine(variables)
    n = len(variables)
    rows: list[list[sympy.Expr]] = [[sympy.S.Zero] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            rows[i][j] = rows[j][i] = engine.diff(grad[i], variables[j])
    return rows
