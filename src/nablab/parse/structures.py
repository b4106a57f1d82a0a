"""Sums over data, typed ``sum(body, n, lo, hi)`` and LaTeX ``\\sum_{n=lo}^{hi} body``
(``latex`` reads the LaTeX form and calls :meth:`SumsMixin.make_sum`).

In a sum's body a name subscripted by the index is data: ``y_n`` -> ``y(n)``, ``x_{1,n}`` ->
``x1(n)`` (applied undefined functions), so the data is neither a variable nor a parameter; the
limits' symbols (N) are parameters. A sum is SymPy only (``native`` is None). Mixed into
:class:`nablab.parse.grammar.Parser`.
"""

from __future__ import annotations

import sympy

from nablab.parse.cursor import ParserBase
from nablab.parse.nodes import Node, leaf, sympy_of
from nablab.parse.tokens import SYM, Token


class SumsMixin(ParserBase):
    def typed_sum(self, t: Token) -> Node:
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

    def make_sum(self, t: Token, body: Node, index: Token, lo: Node, hi: Node) -> Node:
        if index.kind != SYM or index.glued or self.toks[self.i].glued:
            raise self.error("the summation index must be a single name, like n", index,
                             "write sum(body, n, 1, N): body, index, lower and upper limit")
        if index.text in self.declared:
            raise self.error(f"the summation index {index.text} is also a declared variable",
                             index, "use another letter for the index")
        n = sympy.Symbol(index.text)
        suffix = "_" + index.text
        value = sympy_of(body)
        low, high = sympy_of(lo), sympy_of(hi)
        data = {s: sympy.Function(s.name[:-len(suffix)])(n) for s in value.free_symbols
                if isinstance(s, sympy.Symbol) and s.name.endswith(suffix)
                and len(s.name) > len(suffix)}
        if data:
            value = value.xreplace(data)
        for s in (*low.free_symbols, *high.free_symbols):
            self.limit_symbols.add(s)
        self.bound_indices.add(n)
        return leaf(sympy.Sum(value, (n, low, high)), None)
