"""The one type every stage shares: a parsed function.

The parser produces it; calculus, steps, optimisation and renderers consume it. Symbols are
plain SymPy symbols without assumptions, so that SymPy reading back ``render.text(expr)`` gives back
an expression equal to ``expr``; stages that need real symbols (calculus) swap them in and out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import symengine as se
import sympy

from nablab.errors import NablabError


@dataclass(frozen=True)
class ParseWarning:
    """A reading that was a guess or a convention the user may not expect, shown back to them."""

    message: str
    column: int | None = None



@dataclass(frozen=True)
class Expression:
    """A function as we understood it.

    ``variables`` are the coordinates we differentiate by, in order; ``parameters`` are the other
    free symbols, held constant. Data inside sums (``x_n`` in ``sum(..., n, 1, N)``) is neither:
    it is represented as an applied undefined function ``x(n)`` bound by the sum.
    """

    source: str
    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    parameters: tuple[sympy.Symbol, ...] = ()
    warnings: tuple[ParseWarning, ...] = field(default=())
    latex_input: bool = False

    @property
    def variable_names(self) -> list[str]:
        return [v.name for v in self.variables]

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    # --- SHIM until parser branch: `native` and `from_object` (the parser helper owns the
    # real ones; the merge replaces this block) -------------------------------------------

    @cached_property
    def native(self) -> se.Basic | None:
        """The SymEngine form (same-named symbols), or None when some node is one only SymPy
        represents (|u|, max, sums over data)."""
        from nablab.calculus.partials import _Engine  # SHIM until parser branch (layer edge)

        got = _Engine([*self.variables, *self.parameters]).convert(self.expr)
        return got if isinstance(got, se.Basic) else None

    @classmethod
    def from_object(cls, obj: Any, variables: Sequence[Any] | None = None) -> Expression:
        """A caller's own SymPy or SymEngine expression (trusted code, never user text) as an
        Expression; ``variables`` as Symbols or names (default: every symbol, natural order).
        Shared subexpressions stay shared (conversions are memoised over the DAG)."""
        from nablab.calculus.partials import _Engine  # SHIM until parser branch (layer edge)

        native: se.Basic | None = None
        if isinstance(obj, se.Basic) and not isinstance(obj, sympy.Basic):
            names = sorted({str(s) for s in obj.free_symbols}, key=_natural_key)
            engine = _Engine([sympy.Symbol(n) for n in names])
            native, expr = obj, engine.back(obj)
        elif isinstance(obj, sympy.Expr):
            expr = _plain_symbols(obj)
        elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
            expr = sympy.sympify(obj)  # a Python number (never text): a constant function
        else:
            raise NablabError(f"expected the function as text, a SymPy or a SymEngine "
                              f"expression, got {type(obj).__name__}",
                              hint='pass text such as "x^2 y", or a sympy expression')
        free = sorted(_symbols(expr), key=lambda s: _natural_key(s.name))
        syms = tuple(free) if variables is None else tuple(_symbol_named(v) for v in variables)
        params = tuple(s for s in free if s not in syms)
        out = cls(_describe(expr), expr, syms, params)
        if native is not None:
            out.__dict__["native"] = native  # cached_property slot: the caller's own object
        return out


_CHUNKS = re.compile(r"(\d+)")


def _natural_key(name: str) -> tuple:
    parts = _CHUNKS.split(name)
    return tuple(int(p) if k % 2 else p for k, p in enumerate(parts))


def _symbol_named(v: Any) -> sympy.Symbol:
    if isinstance(v, str):
        return sympy.Symbol(v.strip())
    if isinstance(v, (sympy.Symbol, se.Symbol)):
        return sympy.Symbol(str(v))
    raise NablabError(f"a variable must be a Symbol or a name, got {type(v).__name__}")


def _symbols(expr: sympy.Basic) -> set[sympy.Symbol]:
    """Free symbols of ``expr``, each distinct node visited once (``free_symbols`` walks the
    tree, 2^k nodes for a DAG of depth k)."""
    seen: set[sympy.Basic] = set()
    out: set[sympy.Symbol] = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        if isinstance(e, sympy.Symbol):
            out.add(e)
        elif getattr(e, "bound_symbols", None):  # Sum, Lambda: SymPy knows what is free
            out |= {s for s in e.free_symbols if isinstance(s, sympy.Symbol)}
        else:
            stack.extend(e.args)
    return out


def _plain_symbols(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` over plain symbols (no assumptions), rebuilt once per distinct node."""
    swap = {s: sympy.Symbol(s.name) for s in _symbols(expr) if s != sympy.Symbol(s.name)}
    if not swap:
        return expr
    memo: dict[sympy.Basic, sympy.Basic] = dict(swap)

    def go(e: sympy.Basic) -> sympy.Basic:
        got = memo.get(e)
        if got is None:
            got = e if not e.args else e.func(*[go(a) for a in e.args])
            memo[e] = got
        return got

    return go(expr)


#: a caller's expression is shown as its SymPy text up to this many nodes as a tree
_DESCRIBE_MAX_NODES = 2000


def _describe(expr: sympy.Basic) -> str:
    """``source`` for an expression that came as an object: its SymPy text when small."""
    memo: dict[sympy.Basic, int] = {}
    stack = [expr]
    while stack:  # tree size on the DAG
        e = stack[-1]
        pending = [a for a in e.args if a not in memo]
        if pending:
            stack.extend(pending)
            continue
        memo[e] = 1 + sum(memo[a] for a in e.args)
        stack.pop()
    size = memo[expr]
    if size <= _DESCRIBE_MAX_NODES:
        return str(expr)
    return f"<{type(expr).__name__}: {size} nodes as a tree>"


def to_real(expr: sympy.Basic) -> tuple[sympy.Basic, dict[sympy.Symbol, sympy.Symbol]]:
    """Swap every plain symbol for a real one (calculus over the reals: d|x|/dx = sign(x)).

    Returns the new expression and the map back, for :func:`from_real`.
    """
    forward = {s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols
               if isinstance(s, sympy.Symbol) and not s.is_real}
    back = {r: s for s, r in forward.items()}
    return expr.xreplace(forward), back


def from_real(expr: sympy.Basic, back: dict[sympy.Symbol, sympy.Symbol]) -> sympy.Basic:
    """Undo :func:`to_real`, so results print and compare like the parsed input."""
    return expr.xreplace(back)
