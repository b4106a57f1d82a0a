"""MathML (presentation markup), for pages and readers that render MathML natively."""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE

from nablab.printing.memo import memoized
from nablab.printing.order import data_first, split_sum_factor, sums_last


class _NablabMathML(MathMLPresentationPrinter):
    def _as_ordered_terms(self, expr, order=None):
        return data_first(super()._as_ordered_terms(expr, order=order), expr)

    def _mo(self, text: str):
        mo = self.dom.createElement("mo")
        mo.appendChild(self.dom.createTextNode(text))
        return mo

    def _row(self, sign: bool, parts: list):
        mrow = self.dom.createElement("mrow")
        if sign:
            mrow.appendChild(self._mo("-"))
        for i, part in enumerate(parts):
            if i:
                mrow.appendChild(self._mo("&InvisibleTimes;"))
            mrow.appendChild(part)
        return mrow

    def _print_Mul(self, expr):
        split = split_sum_factor(expr)
        if split is not None:  # −(2/N) Σ …: the constant in front, as in the chapter
            const, sums = split
            neg = const.could_extract_minus_sign()
            const = -const if neg else const
            head = [] if const is sympy.S.One else [self._print(const)]
            return self._row(neg, head + [self._print(s) for s in sums])
        factors = sums_last(expr)
        if factors is not None and not any(f.is_Pow and f.exp.is_negative for f in factors):
            neg = factors[0].is_Number and factors[0].is_negative
            if neg:
                factors = factors[1:] if factors[0] is sympy.S.NegativeOne else \
                    [-factors[0], *factors[1:]]
            return self._row(neg, [self.parenthesize(f, PRECEDENCE["Mul"]) for f in factors])
        return super()._print_Mul(expr)

    def _print_Function(self, e):
        # data inside a sum, y(n), is written y_n as in the chapter
        if isinstance(e, AppliedUndef) and len(e.args) == 1:
            msub = self.dom.createElement("msub")
            base = self.dom.createElement("mi")
            base.appendChild(self.dom.createTextNode(e.func.__name__))
            msub.appendChild(base)
            msub.appendChild(self._print(e.args[0]))
            return msub
        return super()._print_Function(e)


@memoized
def to_mathml(expr: sympy.Basic, display: bool = False) -> str:
    """``<math>…</math>`` presentation MathML for ``expr``."""
    printer = _NablabMathML({"ln_notation": True})
    body = printer.doprint(expr)
    mode = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>{body}</math>'


def matrix_mathml(rows: list[list[sympy.Basic]], display: bool = False) -> str:
    """``to_mathml(Matrix(rows))``, assembled from each entry's memoized MathML: ∇f and the
    Hessian reuse the partials already printed instead of printing them again."""
    def inner(entry: sympy.Basic) -> str:
        out = to_mathml(entry)
        return out[out.index(">") + 1:-len("</math>")]

    body = "".join("<mtr>" + "".join(f"<mtd>{inner(e)}</mtd>" for e in row) + "</mtr>"
                   for row in rows)
    mode = ' display="block"' if display else ""
    return (f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}><mrow><mo>[</mo>'
            f"<mtable>{body}</mtable><mo>]</mo></mrow></math>")
