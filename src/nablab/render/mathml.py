"""MathML (presentation markup), for pages and readers that render MathML natively."""

from __future__ import annotations

import sympy
from sympy.core.function import AppliedUndef
from sympy.printing.mathml import MathMLPresentationPrinter


class _NablabMathML(MathMLPresentationPrinter):
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


def to_mathml(expr: sympy.Basic, display: bool = False) -> str:
    """``<math>…</math>`` presentation MathML for ``expr``."""
    printer = _NablabMathML({"ln_notation": True})
    body = printer.doprint(expr)
    mode = ' display="block"' if display else ""
    return f'<math xmlns="http://www.w3.org/1998/Math/MathML"{mode}>{body}</math>'
