"""LaTeX renderer: what KaTeX on the page and the README show."""

from __future__ import annotations

import re

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter
from sympy.printing.precedence import PRECEDENCE

from nablab.printing.memo import memoized
from nablab.printing.order import data_first, split_sum_factor, sums_last

_FEATURE = re.compile(r"([A-Za-z]+)(\d+)")


class _NablabLatexPrinter(LatexPrinter):
    def _as_ordered_terms(self, expr, order=None):
        return data_first(super()._as_ordered_terms(expr, order=order), expr)

    def _print_Mul(self, expr) -> str:
        split = split_sum_factor(expr)
        if split is not None:  # the chapter's -\frac{2}{N} \sum …: the constant in front
            const, sums = split
            body = " ".join(self._print(s) for s in sums)
            if const is sympy.S.One:
                return body
            if const is sympy.S.NegativeOne:
                return "- " + body
            return f"{self._print(const)} {body}"
        factors = sums_last(expr)
        if factors is not None and not any(
                f.is_Pow and f.exp.is_negative for f in factors) and not any(
                f.is_Rational and not f.is_Integer for f in factors):
            sign = ""
            if factors[0] is sympy.S.NegativeOne:
                sign, factors = "- ", factors[1:]
            elif factors[0].is_Number and factors[0].is_negative:
                sign, factors = "- ", [-factors[0], *factors[1:]]
            parts = [f"\\left({self._print(f)}\\right)" if f.is_Add else
                     self.parenthesize(f, PRECEDENCE["Mul"]) for f in factors]
            return sign + " ".join(parts)
        return super()._print_Mul(expr)

    def _print_Function(self, expr, exp=None) -> str:
        # data inside a sum, y(n), is written the way the chapter writes it: y_{n}
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1:
            name, index = expr.func.__name__, self._print(expr.args[0])
            feature = _FEATURE.fullmatch(name)
            if feature:  # x1(n), the first feature at row n: x_{1,n}
                base = self._deal_with_super_sub(feature.group(1))
                out = f"{base}_{{{feature.group(2)},{index}}}"
            else:
                out = f"{self._deal_with_super_sub(name)}_{{{index}}}"
            return f"{out}^{{{exp}}}" if exp is not None else out
        return super()._print_Function(expr, exp)


_LATEX = _NablabLatexPrinter({"ln_notation": True})


@memoized
def to_latex(expr: sympy.Basic) -> str:
    """LaTeX for ``expr``: ``\\ln`` for the natural log, data ``y(n)`` as ``y_{n}``."""
    return _LATEX.doprint(expr)
