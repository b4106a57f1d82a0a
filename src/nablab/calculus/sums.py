"""Sums over data, differentiated by linearity and written the way the chapter writes them.

∂/∂θ Σₙ g(n, θ) = Σₙ ∂g/∂θ (SymPy does that part); here the result is tidied so that every
factor that does not depend on the index moves in front of the sum and the residual keeps the
data first: ∂J/∂θ0 = −(2/N) Σ (yₙ − θ0 − θ1 xₙ), ∂J/∂θ1 = −(2/N) Σ xₙ (yₙ − θ0 − θ1 xₙ).
"""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef

from nablab.dag import has_type


def _data_sign(term_sum: sympy.Add) -> int:
    """-1 when the first bare data term (``y(n)``, with a number as coefficient) is negative."""
    for term in term_sum.args:
        coeff, rest = term.as_coeff_Mul()
        if isinstance(rest, AppliedUndef):
            return -1 if coeff.is_negative else 1
    return 1


def tidy_sum(s: sympy.Sum) -> sympy.Expr:
    """Pull index-free factors out of one ``Sum`` and orient residuals data-first."""
    indices = [lim[0] for lim in s.limits]
    summand = sympy.factor_terms(s.function)
    outside, inside = summand.as_independent(*indices, as_Add=False)
    if inside == 1:  # nothing depends on the index: Σ_{n=a}^{b} c = (b − a + 1)·c
        return s.func(summand, *s.limits)
    factors = []
    for factor in sympy.Mul.make_args(inside):
        if isinstance(factor, sympy.Add) and _data_sign(factor) < 0:
            factor, outside = -factor, -outside
        factors.append(factor)
    return outside * s.func(sympy.Mul(*factors), *s.limits)


def tidy_sums(expr: sympy.Expr) -> sympy.Expr:
    """:func:`tidy_sum` applied to every sum in ``expr``."""
    return expr.replace(lambda e: isinstance(e, sympy.Sum), tidy_sum)


def sums_over_data(expr: sympy.Basic) -> bool:
    """True when ``expr`` sums over data (it cannot be evaluated at a point without the data)."""
    return has_type(expr, sympy.Sum, AppliedUndef)
