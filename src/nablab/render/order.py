"""How sums over data are arranged for people, as the chapter writes them (shared by the text,
LaTeX and pretty printers; arrangement only — the expression itself is never changed).

* A constant in front of Σ: ``-(2/N)·Σ …``, not ``-2·Σ …/N``.
* A residual reads data minus prediction: ``y_n - θ0 - θ1·x_n``, not ``-θ0 - θ1·x_n + y_n``.
* Inside Σ, the factors come before the residual: ``x_n·(y_n - …)``.
"""

from __future__ import annotations

import sympy

from nablab.dag import has_data


def data_first(terms: list[sympy.Expr], expr: sympy.Expr) -> list[sympy.Expr]:
    """Terms of a sum with data, positive ones first (printer order otherwise kept)."""
    if not has_data(expr):
        return terms
    return [t for t in terms if not t.could_extract_minus_sign()] + \
        [t for t in terms if t.could_extract_minus_sign()]


def split_sum_factor(expr: sympy.Mul) -> tuple[sympy.Expr, list[sympy.Expr]] | None:
    """``-2*Sum(…)/N`` as ``(-2/N, [Sum(…)])``; None when the product has no Σ factor."""
    sums = [f for f in expr.args if isinstance(f, sympy.Sum)]
    if not sums:
        return None
    return sympy.Mul(*[f for f in expr.args if not isinstance(f, sympy.Sum)]), sums


def sums_last(expr: sympy.Mul) -> list[sympy.Expr] | None:
    """Factors of a product with data, sums (the residual) after the other factors; None when
    the product has no data or no sum factor."""
    if not has_data(expr) or not any(f.is_Add for f in expr.args):
        return None
    return [f for f in expr.args if not f.is_Add] + [f for f in expr.args if f.is_Add]
