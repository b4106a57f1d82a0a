"""Grammar rules with their own structure: LaTeX ``\\frac{a}{b}`` and ``\\sqrt[n]{x}``, and sums
over data, typed ``sum(body, n, lo, hi)`` and LaTeX ``\\sum_{n=lo}^{hi} body``.

In a sum's body a name subscripted by the index is data: ``y_n`` -> ``y(n)``, ``x_{1,n}`` ->
``x1(n)`` (applied undefined functions), so the data is neither a variable nor a parameter; the
limits' symbols (N) are parameters. Mixed into :class:`nablab.parse.grammar.Parser`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy
from sympy import S

from nablab.parse.tokens import NUM, SYM, Token

if TYPE_CHECKING:
    from nablab.parse.grammar import Parser

    _Base = Parser
else:
    _Base = object


def _zero(e: sympy.Expr) -> bool:
    """Structurally zero (no assumption queries: they are slow on big inputs)."""
    return bool(e.is_Number and e == 0)


class StructuresMixin(_Base):
    def brace_group(self, what: str) -> sympy.Expr:
        t = self.peek()
        if not t.is_op("{"):
            raise self.error(f"{what} needs a {{…}} group here", t, "write \\frac{a}{b}")
        self.advance()
        return self.group(t)

    def frac_argument(self) -> sympy.Expr:
        """A {…} group, or a single digit as LaTeX allows (\\frac1{x}, \\frac{x}2)."""
        nt = self.peek()
        if nt.kind == NUM and nt.text.isdigit() and len(nt.text) == 1:
            self.advance()
            return sympy.Integer(nt.text)
        return self.brace_group("\\frac")

    def frac(self, t: Token) -> sympy.Expr:
        nt = self.peek()
        if nt.kind == NUM and nt.text.isdigit() and len(nt.text) == 2:
            # \frac12, as LaTeX reads it: one digit each (the common way to write ½)
            self.advance()
            num, den = sympy.Integer(nt.text[0]), sympy.Integer(nt.text[1])
        else:
            num = self.frac_argument()
            den = self.frac_argument()
        if _zero(den):
            raise self.error("this gives division by zero", t, "the denominator is zero")
        return self.check(sympy.Mul(num, self.check(sympy.Pow(den, -1), t)), t)

    def latex_sqrt(self, t: Token) -> sympy.Expr:
        index = None
        if self.peek().is_op("["):
            index = self.group(self.advance())
        nt = self.peek()
        arg = self.group(self.advance()) if nt.is_op("{") else self.power_level()
        if index is None:
            return self.power(arg, S.Half, t)
        if _zero(index):
            raise self.error("a root of index 0 is undefined", t)
        return self.power(arg, self.check(sympy.Pow(index, -1), t), t)

    def latex_sum(self, t: Token) -> sympy.Expr:
        self.expect("_", "after \\sum (write \\sum_{n=1}^{N})")
        self.expect("{", "after \\sum_ (write \\sum_{n=1}^{N})")
        index = self.advance()
        self.expect("=", "after the summation index (write \\sum_{n=1}^{N})")
        lo = self.sum_level()
        self.expect("}", "after the lower limit of \\sum")
        self.expect("^", "for the upper limit of \\sum (write \\sum_{n=1}^{N})")
        nt = self.peek()
        if nt.is_op("{"):
            hi = self.group(self.advance())
        elif nt.kind in (NUM, SYM):
            self.advance()
            hi = nt.value if nt.kind == NUM else sympy.Symbol(nt.text)
        else:
            raise self.error("expected the upper limit of \\sum", nt, "write \\sum_{n=1}^{N}")
        self.enter(t)
        body = self.product_level()
        self.leave()
        return self.make_sum(t, body, index, lo, hi)

    def typed_sum(self, t: Token) -> sympy.Expr:
        self.expect("(", "after sum (write sum(body, n, 1, N))")
        saved, self.abs_depth = self.abs_depth, 0
        body = self.sum_level()
        self.expect(",", "after the body of sum(body, n, 1, N)")
        index = self.advance()
        self.expect(",", "after the index of sum(body, n, 1, N)")
        lo = self.sum_level()
        self.expect(",", "after the lower limit of sum(body, n, 1, N)")
        hi = self.sum_level()
        self.expect(")", "to close sum(body, n, 1, N)")
        self.abs_depth = saved
        return self.make_sum(t, body, index, lo, hi)

    def make_sum(self, t: Token, body: sympy.Expr, index: Token, lo: sympy.Expr,
                 hi: sympy.Expr) -> sympy.Expr:
        if index.kind != SYM or index.glued or self.toks[self.i].glued:
            raise self.error("the summation index must be a single name, like n", index,
                             "write sum(body, n, 1, N): body, index, lower and upper limit")
        if index.text in self.declared:
            raise self.error(f"the summation index {index.text} is also a declared variable",
                             index, "use another letter for the index")
        n = sympy.Symbol(index.text)
        suffix = "_" + index.text
        data = {s: sympy.Function(s.name[:-len(suffix)])(n) for s in body.free_symbols
                if isinstance(s, sympy.Symbol) and s.name.endswith(suffix)
                and len(s.name) > len(suffix)}
        if data:
            body = body.xreplace(data)
        for s in (*lo.free_symbols, *hi.free_symbols):
            self.limit_symbols.add(s)
        self.bound_indices.add(n)
        return sympy.Sum(body, (n, lo, hi))
