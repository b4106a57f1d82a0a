"""LaTeX input: when it is detected, and the rules of the LaTeX structures ``\\frac{a}{b}``,
``\\sqrt[n]{x}`` and ``\\sum_{n=lo}^{hi} body``.

The commands themselves are tokens (``lexer``, with the command tables in ``vocabulary``), so
LaTeX and typed input share one parser and one set of limits; the rules here are mixed into
:class:`nablab.parse.grammar.Parser` (a sum's data is read in ``structures``).
"""

from __future__ import annotations

import symengine as se
import sympy
from sympy import S

from nablab.parse import nodes as nd
from nablab.parse.cursor import ParserBase, is_zero
from nablab.parse.nodes import Node, leaf
from nablab.parse.tokens import NUM, SYM, Token

_HALF = leaf(S.Half)


def looks_like_latex(text: str) -> bool:
    """Input is LaTeX when it has a backslash command or is wrapped in ``$…$``."""
    stripped = text.strip()
    return "\\" in text or (stripped.startswith("$") and stripped.endswith("$"))


class LatexMixin(ParserBase):
    def brace_group(self, what: str) -> Node:
        t = self.peek()
        if not t.is_op("{"):
            raise self.error(f"{what} needs a {{…}} group here", t, "write \\frac{a}{b}")
        self.advance()
        return self.group(t)

    def frac_argument(self) -> Node:
        """A {…} group, or a single digit as LaTeX allows (\\frac1{x}, \\frac{x}2)."""
        nt = self.peek()
        if nt.kind == NUM and nt.text.isdigit() and len(nt.text) == 1:
            self.advance()
            return leaf(sympy.Integer(nt.text))
        return self.brace_group("\\frac")

    def frac(self, t: Token) -> Node:
        nt = self.peek()
        if nt.kind == NUM and nt.text.isdigit() and len(nt.text) == 2:
            # \frac12, as LaTeX reads it: one digit each (the common way to write ½)
            self.advance()
            num, den = leaf(sympy.Integer(nt.text[0])), leaf(sympy.Integer(nt.text[1]))
        else:
            num = self.frac_argument()
            den = self.frac_argument()
        if is_zero(den):
            raise self.error("this gives division by zero", t, "the denominator is zero")
        inverse = self.build(nd.inverse, nd.se_inverse, (den,), t)
        return self.build(nd.mul, se.Mul, (num, inverse), t)

    def latex_sqrt(self, t: Token) -> Node:
        index = None
        if self.peek().is_op("["):
            index = self.group(self.advance())
        nt = self.peek()
        arg = self.group(self.advance()) if nt.is_op("{") else self.power_level()
        if index is None:
            return self.power(arg, _HALF, t)
        if is_zero(index):
            raise self.error("a root of index 0 is undefined", t)
        return self.power(arg, self.build(nd.inverse, nd.se_inverse, (index,), t), t)

    def latex_sum(self, t: Token) -> Node:
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
            hi = leaf(nt.value) if nt.kind == NUM else self.symbol_node(nt.text)
        else:
            raise self.error("expected the upper limit of \\sum", nt, "write \\sum_{n=1}^{N}")
        self.enter(t)
        body = self.product_level()
        self.leave()
        return self.make_sum(t, body, index, lo, hi)

    def make_sum(self, t: Token, body: Node, index: Token, lo: Node, hi: Node) -> Node:
        raise NotImplementedError  # in structures
