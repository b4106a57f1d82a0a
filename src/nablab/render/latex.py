"""LaTeX renderer: what KaTeX on the page and the README show."""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter


class _NablabLatexPrinter(LatexPrinter):
    def _print_Function(self, expr, exp=None) -> str:
        # data inside a sum, y(n), is written the way the chapter writes it: y_{n}
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1:
            base = self._deal_with_super_sub(expr.func.__name__)
            out = f"{base}_{{{self._print(expr.args[0])}}}"
            return f"{out}^{{{exp}}}" if exp is not None else out
        return super()._print_Function(expr, exp)


_LATEX = _NablabLatexPrinter({"ln_notation": True})


def to_latex(expr: sympy.Basic) -> str:
    """LaTeX for ``expr``: ``\\ln`` for the natural log, data ``y(n)`` as ``y_{n}``."""
    return _LATEX.doprint(expr)
