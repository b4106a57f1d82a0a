"""The Hessian: second partials, from the first partials by the same engine."""

from __future__ import annotations

from collections.abc import Sequence

import symengine as se
import sympy

from nablab.calculus.partials import _Engine


def hessian_matrix(
    grad: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
    native: Sequence[se.Basic | None] | None = None, engine: _Engine | None = None,
) -> list[list[sympy.Expr]]:
    """∂²f/∂xᵢ∂xⱼ from the first partials ∂f/∂xᵢ: the upper triangle is differentiated and
    mirrored (the partials we produce are smooth where they are defined, so they commute).
    ``native`` (the partials' SymEngine forms, None where SymPy made one) and ``engine`` come
    from :func:`nablab.calculus.partials.derive`: the partials are not converted again."""
    engine = engine if engine is not None else _Engine(variables)
    n = len(variables)
    rows: list[list[sympy.Expr]] = [[sympy.S.Zero] * n for _ in range(n)]
    for i in range(n):
        ni = native[i] if native is not None else None
        for j in range(i, n):
            if ni is not None:
                h = engine.back(ni.diff(se.Symbol(variables[j].name)))
            else:
                h = engine.diff(grad[i], variables[j])
            rows[i][j] = rows[j][i] = h
    return rows
