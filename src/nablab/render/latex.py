"""LaTeX renderer: what KaTeX on the page and the README show."""

from __future__ import annotations

import re

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

_FEATURE = re.compile(r"([A-Za-z]+)(\d+)")


class _NablabLatexPrinter(LatexPrinter):
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


def to_latex(expr: sympy.Basic) -> str:
    """LaTeX for ``expr``: ``\\ln`` for the natural log, data ``y(n)`` as ``y_{n}``."""
    return _LATEX.doprint(expr)
