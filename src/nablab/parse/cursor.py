"""The parser's state and helpers shared by every grammar rule: the token cursor, errors and
warnings, the checks on numbers, and building nodes (see ``nodes``).

The rules themselves live in ``grammar`` (arithmetic, functions), ``latex`` (``\\frac``,
``\\sqrt``, ``\\sum``) and ``structures`` (sums over data); all of them build on
:class:`ParserBase`, so none of those modules imports another.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy
from sympy import S

from nablab.errors import DomainError, LimitError, ParseError
from nablab.expression import ParseWarning
from nablab.parse import limits
from nablab.parse.magnitude import number_log10, too_large
from nablab.parse.nodes import (
    _UNSET,
    NOT_REAL,
    NOT_REAL_HINT,
    UNDEFINED,
    Node,
    leaf,
    native_of,
    sympy_of,
)
from nablab.parse.tokens import CMD, CONST, END, FUNC, NUM, OP, OPENERS, SYM, Token

_BAD = UNDEFINED
TOO_LARGE_HINT = (f"numbers are limited to about 10^{int(limits.MAX_LOG10_MAGNITUDE)}; "
                  f"exponents of a symbol to {limits.MAX_EXPONENT}")
_SE_ERRORS = (RuntimeError, ValueError, TypeError, ArithmeticError, NotImplementedError)
#: what SymPy raises when its own evaluation of a constant breaks (not a refusal of ours)
#: (ZeroDivisionError: mpmath's coth at SymPy's working precision, in an assumption query on
#: coth(|softplus(csc(softplus(pi)))|), found by ./dev fuzz)
SYMPY_FAILURES = (AttributeError, KeyError, RecursionError, ZeroDivisionError)


def is_zero(n: Node) -> bool:
    """Structurally zero (no assumption queries: they are slow on big inputs)."""
    return n.num and bool(n.sp.is_Number and n.sp == 0)


class ParserBase:
    """Parses one token list; collects warnings and the symbols used in sum limits."""

    def __init__(self, tokens: list[Token], source: str, declared: frozenset[str],
                 warnings: list[ParseWarning]) -> None:
        self.toks = tokens
        self.i = 0
        self.source = source
        self.declared = declared
        self.warnings = warnings
        self.depth = 0
        self.abs_depth = 0
        self.limit_symbols: set[sympy.Symbol] = set()
        self.bound_indices: set[sympy.Symbol] = set()
        self._log_warned = False
        self._symbols: dict[str, Node] = {}
        self._numbers: dict[tuple[str, str], Node] = {}

    # rules defined in grammar ------------------------------------------------------------------
    def sum_level(self) -> Node:
        raise NotImplementedError

    def product_level(self) -> Node:
        raise NotImplementedError

    def power_level(self) -> Node:
        raise NotImplementedError

    def group(self, t: Token) -> Node:
        raise NotImplementedError

    def power(self, base: Node, ex: Node, tok: Token) -> Node:
        raise NotImplementedError

    # cursor ---------------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.toks[self.i]

    def advance(self) -> Token:
        t = self.toks[self.i]
        self.i += 1
        return t

    def error(self, message: str, tok: Token, hint: str | None = None,
              cls: type[ParseError] = ParseError) -> ParseError:
        return cls(message, column=tok.col, hint=hint, source=self.source)

    def warn(self, message: str, tok: Token) -> None:
        self.warnings.append(ParseWarning(message, tok.col))

    def snippet(self, first: Token, last: Token) -> str:
        return self.source[first.col - 1:max(last.end - 1, first.col)].strip()

    def enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > limits.MAX_DEPTH:
            raise self.error(f"the expression is nested more than {limits.MAX_DEPTH} deep", tok,
                             "simplify the expression or split it up", LimitError)

    def leave(self) -> None:
        self.depth -= 1

    def expect(self, text: str, what: str) -> Token:
        t = self.toks[self.i]
        if t.kind == OP and t.text == text:
            self.i += 1
            return t
        found = "the end of the input" if t.kind == END else f"'{self.describe(t)}'"
        hint = (f"add '{text}' at column {t.col}" if t.kind == END
                else f"insert '{text}' before column {t.col} or fix what comes there")
        raise self.error(f"expected '{text}' {what}, found {found}", t, hint)

    @staticmethod
    def describe(t: Token) -> str:
        return t.text if t.kind != END else "end"

    def starts_operand(self, t: Token) -> bool:
        k = t.kind
        if k in (NUM, SYM, CONST, FUNC, CMD):
            return True
        if k == OP:
            return t.text in OPENERS or (t.text == "|" and self.abs_depth == 0)
        return False

    # checks on SymPy values (numbers, and whatever is built eagerly) ---------------------------
    def check(self, value: sympy.Expr, tok: Token) -> sympy.Expr:
        """Refuse zoo/nan/oo and numbers beyond the limits as soon as they appear."""
        bad = _BAD.get(id(value))
        if bad is not None:
            raise self.error(f"this gives {bad[0]}", tok, bad[1])
        if value.is_Number:
            hi, lo = number_log10(value)
            if too_large(max(hi, -lo if lo != float("-inf") else 0.0)):
                raise self.error("this number is too large", tok, TOO_LARGE_HINT, LimitError)
            if value.is_Float and abs(hi) > limits.MAX_SCI_EXPONENT and not value.is_zero:
                raise self.error("this decimal is out of the floating-point range", tok,
                                 "decimals must lie between 1e-300 and 1e300", LimitError)
            return value
        if value.is_Atom:
            return value
        for a in value.args:
            bad = _BAD.get(id(a))
            if bad is not None:
                raise self.error(f"this gives {bad[0]}", tok, bad[1])
        return value

    def real(self, value: sympy.Expr, tok: Token) -> sympy.Expr:
        """Refuse i appearing where a root or logarithm of a negative number was evaluated
        (sqrt(-4) = 2i, ln(-2) = ln 2 + iπ): nablab works over the reals."""
        try:
            not_real = value.has(S.ImaginaryUnit) or (value.is_number
                                                      and value.is_extended_real is False)
        except (OverflowError, ValueError):  # SymPy's evalf of a constant beyond any float
            raise self.error("this number is too large", tok, TOO_LARGE_HINT,
                             LimitError) from None
        except SYMPY_FAILURES:  # SymPy's assumptions broke on it
            raise self.sympy_failed("this constant", tok) from None
        if not_real:
            raise self.not_real(tok)  # also asin(2), acosh(0): constants with no real value
        return value

    def sympy_failed(self, what: str, tok: Token) -> ParseError:
        """SymPy's own evaluation of a constant broke (an AttributeError deep in its
        assumptions on some towers of functions; found by ./dev fuzz): the user gets where,
        not SymPy's traceback, and SymPy's cache, which the failed query may leave holding
        half-made assumptions, is emptied so the next reading is not affected."""
        sympy.core.cache.clear_cache()
        return self.error(f"{what} cannot be evaluated", tok,
                          "SymPy fails on it: write the constant as a decimal here, or "
                          "simplify the expression inside")

    def not_real(self, tok: Token) -> DomainError:
        return DomainError(NOT_REAL, column=tok.col, source=self.source, hint=NOT_REAL_HINT)

    # building nodes ----------------------------------------------------------------------------
    def symbol_node(self, name: str) -> Node:
        node = self._symbols.get(name)
        if node is None:
            node = self._symbols[name] = leaf(sympy.Symbol(name), _UNSET)
        return node

    def build(self, recipe: Callable[..., sympy.Expr], native: Callable[..., Any] | None,
              kids: tuple[Node, ...], tok: Token,
              eager: Callable[..., sympy.Expr] | None = None) -> Node:
        """The node ``recipe(*kids)``. Built in SymPy at once (through ``eager``, which checks,
        or ``check(recipe(…))``) when all kids are numbers, when SymEngine cannot hold a part
        (``native`` None, sums over data) or when SymEngine finds the result has no symbol
        left; otherwise in SymEngine with the recipe kept for ``expr``."""
        if native is not None:
            args = []
            symbolic = False
            for k in kids:
                v = k.se
                if v is _UNSET:
                    v = native_of(k)
                if v is None:
                    break
                if not k.num:
                    symbolic = True
                args.append(v)
            else:
                if symbolic:
                    try:
                        value = native(*args)
                    except _SE_ERRORS:
                        return self._eager(recipe, kids, tok, eager)
                    if value.free_symbols:
                        return Node(None, value, recipe, kids, False, tok.col)
        return self._eager(recipe, kids, tok, eager)

    def _eager(self, recipe: Callable[..., sympy.Expr], kids: tuple[Node, ...], tok: Token,
               eager: Callable[..., sympy.Expr] | None) -> Node:
        args = [sympy_of(k) for k in kids]
        value = eager(*args) if eager is not None else self.check(recipe(*args), tok)
        return leaf(value)
