"""The one type every stage shares: a parsed function.

The parser produces it; calculus, steps, optimisation and renderers consume it. Symbols are
plain SymPy symbols without assumptions, so that SymPy reading back ``printing.text.to_text(expr)`` gives back
an expression equal to ``expr``; stages that need real symbols (calculus) swap them in and out.

An :class:`Expression` holds the function twice, each built at most once: ``native``, the
SymEngine form (fast arithmetic and derivatives; None when the function holds something only SymPy
represents, such as a sum over data), and ``expr``, the SymPy form, built on first access. The
parser hands over a builder for ``expr`` instead of the value, so reading large text never waits for
SymPy. :meth:`Expression.from_object` takes SymPy and SymEngine objects from trusted callers,
converting over the DAG (shared subexpressions are converted once, never expanded into a tree).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import symengine as se
import sympy
from sympy.core.function import AppliedUndef

from nablab.display import RichDisplay
from nablab.errors import NablabError
from nablab.time_limit import deadline

_CHUNKS = re.compile(r"(\d+)")
_SPLIT_NAMES = re.compile(r"[,\s]+")
_UNSET: Any = object()


def natural_key(name: str) -> tuple[int | str, ...]:
    """Sort key putting x2 before x10 (and x before x1)."""
    parts = _CHUNKS.split(name)
    return tuple(int(p) if k % 2 else p for k, p in enumerate(parts))


@dataclass(frozen=True)
class ParseWarning:
    """A reading that was a guess or a convention the user may not expect, shown back to them."""

    message: str
    column: int | None = None


class Expression(RichDisplay):
    """A function as we understood it.

    ``variables`` are the coordinates we differentiate by, in order; ``parameters`` are the other
    free symbols, held constant. Data inside sums (``x_n`` in ``sum(..., n, 1, N)``) is neither:
    it is represented as an applied undefined function ``x(n)`` bound by the sum.

    ``expr`` may be given as a value, or left None with ``build`` (a function returning it, called
    once on first access). ``native`` may be given (the parser has it already); otherwise it is
    converted from ``expr`` on first access. Immutable, compared and hashed by value like the
    frozen dataclass it replaces.
    """

    __slots__ = ("_build", "_expr", "_native", "_origin", "latex_input", "parameters",
                 "source", "variables", "warnings")
    # the slots, declared for the type checker (annotations only: no class attributes, so they
    # do not clash with __slots__); set once in __init__ through object.__setattr__
    source: str
    variables: tuple[sympy.Symbol, ...]
    parameters: tuple[sympy.Symbol, ...]
    warnings: tuple[ParseWarning, ...]
    latex_input: bool
    _expr: sympy.Expr | None
    _build: Callable[[], sympy.Expr] | None
    _native: se.Basic | None
    _origin: dict[Any, sympy.Basic] | None

    def __init__(self, source: str, expr: sympy.Expr | None = None,
                 variables: tuple[sympy.Symbol, ...] = (),
                 parameters: tuple[sympy.Symbol, ...] = (),
                 warnings: tuple[ParseWarning, ...] = (), latex_input: bool = False, *,
                 native: se.Basic | None = _UNSET,
                 build: Callable[[], sympy.Expr] | None = None,
                 origin: dict[Any, sympy.Basic] | None = None) -> None:
        if expr is None and build is None:
            raise TypeError("Expression needs expr or build")
        put = object.__setattr__
        put(self, "source", source)
        put(self, "_expr", expr)
        put(self, "_build", None if expr is not None else build)
        put(self, "variables", tuple(variables))
        put(self, "parameters", tuple(parameters))
        put(self, "warnings", tuple(warnings))
        put(self, "latex_input", latex_input)
        put(self, "_native", native)
        put(self, "_origin", origin)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Expression is immutable (cannot set {name})")

    @property
    def expr(self) -> sympy.Expr:
        """The SymPy form, built once on first access."""
        expr = self._expr
        if expr is None:
            build = self._build
            if build is None:  # another thread built it between our two reads (_expr is set first)
                return self._expr
            # SymPy's own evaluation can take minutes on short text (its assumption queries on
            # nested sech/csch grow exponentially): the one time limit, here too
            with deadline(what="building SymPy's form of this function"):
                expr = build()
            object.__setattr__(self, "_expr", expr)
            object.__setattr__(self, "_build", None)
        return expr

    @property
    def native(self) -> se.Basic | None:
        """The SymEngine form with same-named symbols, or None when some part of the function
        is one only SymPy represents (sums over data, re/im, …)."""
        if self._native is _UNSET:
            object.__setattr__(self, "_native", to_native(self.expr))
        return self._native

    @property
    def origin(self) -> dict[Any, sympy.Basic] | None:
        """For a caller's own object: each SymEngine node of :attr:`native` -> the SymPy node
        it stands for, so that results converted back to SymPy reuse the caller's shared
        subexpressions (rebuilt equal copies of a deep DAG would make SymPy's cache compare
        them node by node, exponentially in the depth); None for text."""
        return self._origin

    @property
    def variable_names(self) -> list[str]:
        return [v.name for v in self.variables]

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def _key(self) -> tuple[Any, ...]:
        return (self.source, self.expr, self.variables, self.parameters, self.warnings,
                self.latex_input)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Expression):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable (worker processes): the SymPy form travels, the builder and native do not
        return (Expression, (self.source, self.expr, self.variables, self.parameters,
                             self.warnings, self.latex_input))

    def __repr__(self) -> str:
        return (f"Expression(source={self.source!r}, expr={self.expr!r}, "
                f"variables={self.variables!r}, parameters={self.parameters!r}, "
                f"warnings={self.warnings!r}, latex_input={self.latex_input!r})")

    @classmethod
    def from_object(cls, obj: object,
                    variables: str | Sequence[sympy.Symbol | se.Symbol | str] | None = None,
                    ) -> Expression:
        """An Expression from a SymPy or SymEngine expression or symbol (the caller's own,
        trusted object; text from users goes through :func:`nablab.parse` only).

        Every symbol becomes the plain SymPy symbol of the same name (assumptions such as
        ``real=True`` are dropped: calculus adds its own). Variables and parameters are decided
        as for text: without ``variables`` all free symbols in natural order, except symbols in
        the limits of a sum, which are parameters; with ``variables`` (symbols or names, or
        ``"x, y"``) those in that order, the other symbols parameters. Shared subexpressions are
        converted once (memoised over the DAG). Anything else raises a NablabError naming its
        type."""
        if isinstance(obj, str):
            raise NablabError("Expression.from_object takes SymPy or SymEngine objects, got str",
                              hint="read text with nablab.parse(text)")
        if isinstance(obj, se.Basic):
            sp, native, free, limit, origin = _from_symengine(obj)
        elif isinstance(obj, sympy.Basic):
            if not isinstance(obj, sympy.Expr):
                raise NablabError(f"expected a function as text, a SymPy or SymEngine "
                                  f"expression, got {type(obj).__name__}")
            sp, native, free, limit, origin = _from_sympy(obj)
        else:
            raise NablabError(f"expected a function as text, a SymPy or SymEngine expression, "
                              f"got {type(obj).__name__}")
        ordered = sorted(free, key=natural_key)
        declared = _declared(variables)
        if declared is not None:
            var_syms = tuple(sympy.Symbol(n) for n in declared)
            params = tuple(sympy.Symbol(n) for n in ordered if n not in set(declared))
        else:
            var_syms = tuple(sympy.Symbol(n) for n in ordered if n not in limit)
            params = tuple(sympy.Symbol(n) for n in ordered if n in limit)
        return cls(_describe(obj), sp, var_syms, params, (), False, native=native,
                   origin=origin)


#: objects whose written-out tree is longer than this many nodes are not printed as ``source``
_MAX_SOURCE_NODES = 2000


def _describe(obj: sympy.Basic | se.Basic) -> str:
    """``source`` for an object: its text when the written-out tree is small; otherwise a
    description (printing a shared-subexpression DAG would write out its exponential tree)."""
    sizes: dict[object, int] = {}
    stack: list[tuple[object, bool]] = [(obj, False)]
    while stack:
        node, ready = stack.pop()
        if node in sizes:
            continue
        args = node.args  # type: ignore[attr-defined]
        if not ready and args:
            stack.append((node, True))
            stack.extend((a, False) for a in args if a not in sizes)
            continue
        size = sizes[node] = 1 + sum(sizes[a] for a in args)
        if size > _MAX_SOURCE_NODES:
            engine = "SymEngine" if isinstance(obj, se.Basic) else "SymPy"
            return f"<a {engine} {type(obj).__name__} of more than {_MAX_SOURCE_NODES} nodes>"
    return str(obj)


def _declared(variables: object) -> list[str] | None:
    if variables is None:
        return None
    items: Iterable[object]
    if isinstance(variables, str):
        items = [v for v in _SPLIT_NAMES.split(variables.strip()) if v]
    elif isinstance(variables, (sympy.Symbol, se.Symbol)):
        items = [variables]
    elif isinstance(variables, Iterable):
        items = list(variables)
    else:
        raise NablabError(f"expected variables as names or symbols, got "
                          f"{type(variables).__name__}")
    names: list[str] = []
    for v in items:
        if isinstance(v, str):
            name = v.strip()
        elif isinstance(v, (sympy.Symbol, se.Symbol)):
            name = v.name
        else:
            raise NablabError(f"expected a variable as a name or a symbol, got "
                              f"{type(v).__name__}")
        if not name:
            raise NablabError("a variable name is empty")
        if name in names:
            raise NablabError(f"variable '{name}' is declared twice",
                              hint="list each variable once")
        names.append(name)
    return names or None


# SymPy <-> SymEngine, memoised over the DAG ---------------------------------------------------

#: SymPy function classes with a SymEngine twin of the same meaning
_SP_TO_SE: dict[type, Callable[..., se.Basic]] = {
    sympy.exp: se.exp, sympy.log: se.log, sympy.sin: se.sin, sympy.cos: se.cos,
    sympy.tan: se.tan, sympy.cot: se.cot, sympy.sec: se.sec, sympy.csc: se.csc,
    sympy.asin: se.asin, sympy.acos: se.acos, sympy.atan: se.atan, sympy.acot: se.acot,
    sympy.asec: se.asec, sympy.acsc: se.acsc, sympy.sinh: se.sinh, sympy.cosh: se.cosh,
    sympy.tanh: se.tanh, sympy.coth: se.coth, sympy.sech: se.sech, sympy.csch: se.csch,
    sympy.asinh: se.asinh, sympy.acosh: se.acosh, sympy.atanh: se.atanh,
    sympy.acoth: se.acoth, sympy.asech: se.asech, sympy.acsch: se.acsch,
    sympy.atan2: se.atan2, sympy.Abs: se.Abs, sympy.sign: se.sign, sympy.Max: se.Max,
    sympy.Min: se.Min, sympy.conjugate: se.conjugate,
}
_SE_TO_SP: dict[str, Callable[..., sympy.Basic]] = {cls.__name__: cls for cls in _SP_TO_SE}
_SE_TO_SP.update({"Add": sympy.Add, "Mul": sympy.Mul, "Pow": sympy.Pow})


def to_native(expr: sympy.Basic, memo: dict[Any, Any] | None = None) -> se.Basic | None:
    """The SymEngine form of a SymPy expression (same-named symbols), or None when some node
    has no SymEngine twin. Memoised over the DAG."""
    return _Converter(memo).native(expr)


class _Converter:
    """One memoised SymPy -> SymEngine walk, also collecting symbol names and sum limits."""

    def __init__(self, memo: dict[Any, Any] | None = None) -> None:
        self.memo: dict[Any, Any] = {} if memo is None else memo
        self.plain: dict[Any, Any] = {}
        self.names: set[str] = set()
        self.limit: set[str] = set()

    def native(self, e: sympy.Basic) -> se.Basic | None:
        memo = self.memo
        if e in memo:
            return memo[e]
        # iterative post-order: nesting is not bounded by the recursion limit for objects
        stack: list[tuple[sympy.Basic, bool]] = [(e, False)]
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            args = node.args
            if not ready and args and not isinstance(node, (sympy.Sum, AppliedUndef)):
                stack.append((node, True))
                stack.extend((a, False) for a in args if a not in memo)
                continue
            memo[node] = self._one(node)
        return memo[e]

    def _one(self, node: sympy.Basic) -> se.Basic | None:
        if isinstance(node, sympy.Symbol):
            self.names.add(node.name)
            return se.Symbol(node.name)
        if isinstance(node, sympy.Integer):
            return se.Integer(int(node))
        if isinstance(node, sympy.Rational):
            return se.Rational(int(node.p), int(node.q))
        if isinstance(node, (sympy.Sum, AppliedUndef)) or not isinstance(node, sympy.Expr):
            if isinstance(node, sympy.Sum):
                for s in node.free_symbols:
                    if isinstance(s, sympy.Symbol):
                        self.names.add(s.name)
                for lim in node.limits:
                    for part in lim[1:]:
                        self.limit.update(s.name for s in part.free_symbols
                                          if isinstance(s, sympy.Symbol))
            else:
                self.names.update(s.name for s in node.free_symbols
                                  if isinstance(s, sympy.Symbol))
            return None
        if not node.args:
            try:
                return se.sympify(node)  # a SymPy number or constant object, never text
            except (se.SympifyError, TypeError, ValueError, RuntimeError):
                return None
        args = [self.memo[a] for a in node.args]
        if any(a is None for a in args):
            return None
        if node.is_Add:
            return se.Add(*args)
        if node.is_Mul:
            return se.Mul(*args)
        if node.is_Pow:
            return se.Pow(*args)
        fn = _SP_TO_SE.get(type(node))
        return None if fn is None else fn(*args)

    def plain_sympy(self, e: sympy.Basic) -> sympy.Basic:
        """``e`` with every symbol the plain symbol of its name (memoised over the DAG)."""
        memo = self.plain
        if e in memo:
            return memo[e]
        stack: list[tuple[sympy.Basic, bool]] = [(e, False)]
        while stack:
            node, ready = stack.pop()
            if node in memo:
                continue
            if isinstance(node, sympy.Symbol):
                memo[node] = sympy.Symbol(node.name)  # plain: same object when it was
                continue
            args = node.args
            if not args:
                memo[node] = node
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((a, False) for a in args if a not in memo)
                continue
            new = [memo[a] for a in args]
            memo[node] = node if all(n is o for n, o in zip(new, args, strict=True)) \
                else node.func(*new)
        return memo[e]


_Converted = tuple[sympy.Expr, "se.Basic | None", set[str], set[str], dict[Any, sympy.Basic]]


def _from_sympy(obj: sympy.Expr) -> _Converted:
    conv = _Converter()
    plain = conv.plain_sympy(obj)
    native = conv.native(plain)
    origin = {n: sp for sp, n in conv.memo.items() if n is not None}
    return plain, native, conv.names, conv.limit, origin


def _from_symengine(obj: se.Basic) -> _Converted:
    memo: dict[Any, Any] = {}
    names: set[str] = set()
    stack: list[tuple[se.Basic, bool]] = [(obj, False)]
    while stack:
        node, ready = stack.pop()
        if node in memo:
            continue
        args = node.args
        if not ready and args:
            stack.append((node, True))
            stack.extend((a, False) for a in args if a not in memo)
            continue
        if not args:
            if isinstance(node, se.Symbol):
                names.add(node.name)
                memo[node] = sympy.Symbol(node.name)
            else:
                memo[node] = node._sympy_()
            continue
        kind = type(node).__name__
        build = _SE_TO_SP.get(kind)
        sp_args = [memo[a] for a in args]
        if build is None:
            raise NablabError(f"cannot convert the SymEngine function {kind}",
                              hint="SymEngine objects are read when they are built from "
                                   "elementary functions")
        memo[node] = build(*sp_args)
    return memo[obj], obj, names, set(), memo


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


__all__ = ["Expression", "ParseWarning", "from_real", "natural_key", "to_native",
           "to_real"]
