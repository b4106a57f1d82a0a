"""Unicode pretty printing for terminals: ∂f/∂x = 2⋅x⋅y + y⋅cos(x⋅y), ∇f as a column."""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.pretty.pretty import PrettyPrinter


class _NablabPretty(PrettyPrinter):
    def _print_Function(self, e, sort=False, func_name=None, left="(", right=")"):
        # data inside a sum, y(n), is written yₙ as in the chapter
        if isinstance(e, AppliedUndef) and len(e.args) == 1:
            from sympy.printing.pretty.stringpict import prettyForm

            sub = str(e.args[0])
            table = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
            if all(ch in "0123456789aehijklmnoprstuvx" for ch in sub):
                return prettyForm(e.func.__name__ + sub.translate(table))
        return super()._print_Function(e, sort, func_name, left, right)


_PRETTY = _NablabPretty({"use_unicode": True, "wrap_line": False})


def to_pretty(expr: sympy.Basic) -> str:
    """Multi-line Unicode drawing of ``expr`` (fractions stacked, roots drawn)."""
    return _PRETTY.doprint(expr)


def column(rows: list[sympy.Basic]) -> str:
    """∇f drawn as a column vector."""
    return to_pretty(sympy.Matrix(rows))
