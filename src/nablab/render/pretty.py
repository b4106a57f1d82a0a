"""Unicode pretty printing for terminals: ∂f/∂x = 2⋅x⋅y + y⋅cos(x⋅y), ∇f as a column."""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from nablab.dag import tree_size
from nablab.printing.order import data_first, split_sum_factor, sums_last
from nablab.printing.text import to_echo


class _NablabPretty(PrettyPrinter):
    def _as_ordered_terms(self, expr, order=None):
        return data_first(super()._as_ordered_terms(expr, order=order), expr)

    def _print_Mul(self, product):
        split = split_sum_factor(product)
        if split is not None:  # -2/N ⋅ Σ …: the constant in front, as in the chapter
            const, sums = split
            body = prettyForm.__mul__(*[self._print(s) for s in sums]) if len(sums) > 1 \
                else self._print(sums[0])
            if const is sympy.S.One:
                return body
            if const is sympy.S.NegativeOne:
                return prettyForm.__mul__(self._print(sympy.S.NegativeOne), body)
            return prettyForm.__mul__(self._print(const), body)
        factors = sums_last(product)
        if factors is not None and not any(f.is_Pow and f.exp.is_negative for f in factors):
            parts = [prettyForm(*self._print(f).parens()) if f.is_Add else self._print(f)
                     for f in factors]
            return prettyForm.__mul__(*parts)
        args = product.args
        if args[0] is sympy.S.One or any(a.is_Number for a in args[1:]):
            return super()._print_Mul(product)  # an unevaluated product: SymPy shows every arg
        return self._fraction(product.as_ordered_factors())

    def _fraction(self, factors: list[sympy.Basic]) -> prettyForm:
        """A product as numerator over denominator. SymPy's own _print_Mul does the same but
        first imports sympy.physics.units (to put quantities last): 0.3 s, half of a cold
        ``nablab grad``, for units a parsed function never holds."""
        num: list[sympy.Basic] = []
        den: list[sympy.Basic] = []
        for f in factors:
            if f.is_commutative and f.is_Pow and f.exp.is_Rational and f.exp.is_negative:
                den.append(sympy.Pow(f.base, -f.exp, evaluate=f.exp == -1))
            elif f.is_Rational:
                if f.p != 1:
                    num.append(sympy.Rational(f.p))
                if f.q != 1:
                    den.append(sympy.Rational(f.q))
            else:
                num.append(f)
        top = prettyForm.__mul__(*[self._print(f) for f in num or [sympy.S.One]])
        if not den:
            return top
        return top / prettyForm.__mul__(*[self._print(f) for f in den])

    def _print_Function(self, e, sort=False, func_name=None, left="(", right=")"):
        # data inside a sum, y(n), is written yₙ as in the chapter
        if isinstance(e, AppliedUndef) and len(e.args) == 1:
            sub = str(e.args[0])
            table = str.maketrans("0123456789aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
            if all(ch in "0123456789aehijklmnoprstuvx" for ch in sub):
                return prettyForm(e.func.__name__ + sub.translate(table))
        return super()._print_Function(e, sort, func_name, left, right)


_PRETTY = _NablabPretty({"use_unicode": True, "wrap_line": False})


#: above this many tree nodes SymPy's 2-D layout gets slow (its cost grows faster than the
#: size: minutes for a 5000-node nested partial) and unreadable; we write one line instead
PRETTY_MAX_NODES = 400


def _too_big(expr: sympy.Basic) -> bool:
    return tree_size(expr) > PRETTY_MAX_NODES


def to_pretty(expr: sympy.Basic) -> str:
    """Multi-line Unicode drawing of ``expr`` (fractions stacked, roots drawn); large
    expressions (and matrices with a large entry) as one line per row of the echo."""
    if isinstance(expr, sympy.MatrixBase):
        if any(_too_big(e) for e in expr):
            return "\n".join("[" + ", ".join(to_echo(e) for e in expr.row(i)) + "]"
                             for i in range(expr.rows))
    elif _too_big(expr):
        return to_echo(expr)
    return _PRETTY.doprint(expr)


def column(rows: list[sympy.Basic]) -> str:
    """∇f drawn as a column vector."""
    return to_pretty(sympy.Matrix(rows))
