"""What the grammar builds: a small tree, converted once (issue 15).

Every value the grammar handles is a :class:`Node`. A node whose parts are all numbers is built in
SymPy at once, exactly as the grammar always did, so every check on numbers (undefined values,
sizes, real roots) runs on the same SymPy value at the same column. A node that holds a symbol is
built in SymEngine only (microseconds, no assumption queries) and keeps a *recipe*: the SymPy
construction it stands for. ``sympy_of`` replays the recipes once, when ``Expression.expr`` is
first asked for, giving the very tree the old eager grammar built. When SymEngine finds that a
symbolic node collapsed to a number (``x - x``, ``x/x``), the node is built in SymPy right away,
so the checks see what they always saw.

Also the SymPy builders shared by the grammar and the vocabulary (``absolute_value``), which
keeps ``vocabulary`` from reaching into ``grammar``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import symengine as se
import sympy
from sympy import S

from nablab.canonical import direct_add, sort_key
from nablab.errors import DomainError
from nablab.expression import to_native

_UNSET: Any = object()

#: values a reading must never hold, by identity: what they mean and a hint. The grammar
#: refuses them as they appear (``Cursor.check``); ``sympy_of`` once more when SymPy's
#: evaluation finds more than SymEngine's did (``1/relu(-|a|)``: SymPy knows -|a| <= 0)
UNDEFINED = {
    id(S.ComplexInfinity): ("an undefined value (division by zero, log(0), tan(π/2), …)",
                            "a denominator or a logarithm's argument is zero here"),
    id(S.NaN): ("an undefined value (like 0/0)", "check the expression near here"),
    id(S.Infinity): ("an infinite value", "check the expression near here"),
    id(S.NegativeInfinity): ("an infinite value", "check the expression near here"),
}


class Node:
    """``sp``: the SymPy value once built; ``se``: the SymEngine value (None: SymEngine cannot
    hold it; unset until asked for on numeric leaves); ``fn``/``kids``: the recipe
    ``fn(*kids' SymPy values)``; ``num``: a SymPy number-valued node (``is_number``); ``col``:
    where a recipe node's operator was typed (for an error found when the recipe is replayed)."""

    __slots__ = ("col", "fn", "kids", "num", "se", "sp")

    def __init__(self, sp: Any, se_value: Any, fn: Callable[..., Any] | None,
                 kids: tuple[Node, ...], num: bool, col: int | None = None) -> None:
        self.sp = sp
        self.se = se_value
        self.fn = fn
        self.kids = kids
        self.num = num
        self.col = col

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.sp if self.sp is not None else self.se})"


def leaf(value: sympy.Expr, native: Any = _UNSET) -> Node:
    """A node built in SymPy already."""
    return Node(value, native, None, (), bool(value.is_number))


def sympy_of(node: Node, source: str | None = None) -> sympy.Expr:
    """The SymPy value of ``node``: its recipes replayed bottom-up, each node once. A value
    SymEngine kept symbolic that SymPy evaluates to an undefined one is refused at its column
    in ``source``, as the grammar refuses it while reading."""
    if node.sp is not None:
        return node.sp
    stack = [node]
    while stack:
        n = stack[-1]
        if n.sp is not None:
            stack.pop()
            continue
        todo = [k for k in n.kids if k.sp is None]
        if todo:
            stack.extend(todo)
            continue
        stack.pop()
        assert n.fn is not None  # invariant: a node without its SymPy value keeps its recipe
        try:
            value = n.sp = n.fn(*[k.sp for k in n.kids])
        except _SYMPY_REFUSALS as exc:
            # SymPy refuses a part SymEngine took (Max of log(-|A|): "not comparable", as
            # that logarithm has no real value; found by ./dev fuzz)
            raise DomainError("this part has no real value or cannot be built", column=n.col,
                              source=source, hint="SymPy refuses it (" + str(exc)[:80] + "); "
                              "check that its arguments have real values") from None
        bad = UNDEFINED.get(id(value))
        if bad is not None:
            raise DomainError(f"this gives {bad[0]}", column=n.col, source=source, hint=bad[1])
        if n.fn not in _REAL_KEEPING and not (n.fn is power_value and n.kids[1].sp.is_Integer) \
                and value.is_number and not is_real_number(value):
            # SymPy cancelled what SymEngine kept symbolic (it distributes -1 over a sum,
            # SymEngine does not): sqrt(x - (x + 2)) is sqrt(-2) here, found by the tests
            raise DomainError(NOT_REAL, column=n.col, source=source, hint=NOT_REAL_HINT)
        n.kids = ()  # the tree is not needed any more: let it go
        n.fn = None
    return node.sp


NOT_REAL = "this is not a real number"
NOT_REAL_HINT = ("nablab works over the real numbers: an even root or a logarithm of a "
                 "negative number, or asin/acos of a number outside [-1, 1], has no real value")


def is_real_number(value: sympy.Expr) -> bool:
    """False for a constant with no real value (2i, ln(-2) = ln 2 + iπ, asin(2)); a constant
    SymPy cannot decide on, or whose query breaks, counts as real here (the grammar's own
    checks, which see the typed column, refuse those while reading)."""
    try:
        return not (value.has(S.ImaginaryUnit) or value.is_extended_real is False)
    except (ArithmeticError, ValueError, AttributeError, KeyError, RecursionError):
        return True


#: what SymPy raises when it refuses to build a part (not a limit of ours)
_SYMPY_REFUSALS = (ValueError, TypeError, ArithmeticError, NotImplementedError, AttributeError,
                   KeyError)

_NATIVE_MEMO: dict = {}


def native_of(node: Node) -> se.Basic | None:
    """The SymEngine value of ``node`` (numbers and eagerly built nodes are converted once)."""
    value = node.se
    if value is _UNSET:
        sp = node.sp
        if sp.is_Integer:
            value = se.Integer(int(sp))
        else:
            if len(_NATIVE_MEMO) > 10_000:
                _NATIVE_MEMO.clear()
            try:
                value = to_native(sp, _NATIVE_MEMO)
            except (RuntimeError, ValueError, TypeError, ArithmeticError, NotImplementedError):
                # SymEngine evaluates what SymPy kept (sign(exp(x)) = 1, so acos of it is 0)
                # and refuses the result (sin of log 0: "not defined for infinite values"):
                # this node is SymPy's alone, and SymPy's checks decide (found by ./dev fuzz)
                value = None
        node.se = value
    return value


# SymPy builders (the recipes) --------------------------------------------------------------

def absolute_value(u: sympy.Expr) -> sympy.Expr:
    """|u|, canonical: SymPy leaves Abs(-Abs(x)) as Abs(Abs(x)), which does not read back
    equal (sympify makes it Abs(x)); ||u|| is |u|."""
    if isinstance(u, sympy.Abs):  # SymPy's Abs(Abs(z)) writes z in a non-canonical form
        return u
    return _single_abs(sympy.Abs(u))


def _single_abs(v: sympy.Expr, depth: int = 0) -> sympy.Expr:
    # SymPy splits |a·b| into |a|·|b| and may leave the parts unevaluated (|1/y| where reading
    # back gives 1/|y|, ||x|| where it gives |x|): evaluate them again, a few levels deep
    if depth > 4:
        return v
    if isinstance(v, sympy.Abs):
        inner = v.args[0]
        if isinstance(inner, sympy.Abs):
            return _single_abs(inner, depth + 1)
        again = sympy.Abs(inner)
        return v if again == v else _single_abs(again, depth + 1)
    if v.is_Mul or v.is_Pow:
        args = [_single_abs(a, depth + 1) for a in v.args]
        if any(new is not old for new, old in zip(args, v.args, strict=True)):
            return v.func(*args)
    return v


def power_value(base: sympy.Expr, ex: sympy.Expr) -> sympy.Expr:
    """base**ex as the grammar builds it (after its checks)."""
    if DIRECT and base.is_Symbol and ex.is_Integer and ex not in (S.Zero, S.One):
        return sympy.Pow(base, ex, evaluate=False)  # what evaluation gives, without its work
    if base.is_Add and not base.is_number and ex.is_Integer and ex not in (S.Zero, S.One):
        # what evaluation would give (Add._eval_power only acts on numbers and infinities),
        # without its assumption queries, which cost ms per power on big inputs
        return sympy.Pow(base, ex, evaluate=False)
    value = sympy.Pow(base, ex)
    if value.is_Mul and any(a.is_Mul for a in value.args):
        # SymPy's roots of numeric products can leave a Mul inside a Mul, which does not
        # read back equal; flatten it as a fresh Mul would be
        value = sympy.Mul(*value.args)
    return value


def over_log(x: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """log_b x = log(x)/log(b)."""
    return sympy.Mul(sympy.log(x), sympy.Pow(sympy.log(b), -1))


#: build Add/Mul/negation directly where provably the tree SymPy's constructor gives (tests
#: compare both paths over the conventions table and random trees; False: always evaluate)
DIRECT = True
_ONE, _MINUS_ONE, _ZERO = S.One, S.NegativeOne, S.Zero


def _plain_factor(f: sympy.Expr) -> bool:
    """A factor Mul.flatten leaves as it is (next to others with distinct bases): a symbol, a
    function other than exp, or such a thing (or a sum) to a whole power."""
    if f.is_Symbol:
        return True
    if f.is_Pow:
        b = f.base
        return f.exp.is_Integer and (b.is_Symbol or b.is_Add
                                     or (b.is_Function and not isinstance(b, sympy.exp)))
    return bool(f.is_Function and not isinstance(f, sympy.exp))


def neg(a: sympy.Expr) -> sympy.Expr:
    if DIRECT and _plain_factor(a):
        return sympy.Mul._from_args((_MINUS_ONE, a), is_commutative=True)
    if DIRECT and a.is_Mul:
        args = a.args
        if args[0].is_Rational and all(_plain_factor(f) for f in args[1:]):
            c = -args[0]
            if c is _ONE:
                return args[1] if len(args) == 2 else sympy.Mul._from_args(
                    args[1:], is_commutative=True)
            return sympy.Mul._from_args((c, *args[1:]), is_commutative=True)
        if all(_plain_factor(f) for f in args):
            return sympy.Mul._from_args((_MINUS_ONE, *args), is_commutative=True)
    return -a


def add(*a: sympy.Expr) -> sympy.Expr:
    if DIRECT:
        out = _direct_add(a)
        if out is not None:
            return out
    return sympy.Add(*a)


def _add_factor(f: sympy.Basic) -> bool:
    """A factor of a term the reader's sums take directly: plain, or a sum."""
    return _plain_factor(f) or bool(f.is_Add)


def _direct_add(args: tuple[sympy.Expr, ...]) -> sympy.Expr | None:
    """Add.flatten of canonical terms (``canonical.direct_add``); None outside its shapes
    (floats, numeric radicals, …)."""
    return direct_add(args, _add_factor)


def mul(*a: sympy.Expr) -> sympy.Expr:
    if DIRECT:
        out = _direct_mul(a)
        if out is not None:
            return out
    return sympy.Mul(*a)


def _direct_mul(args: tuple[sympy.Expr, ...]) -> sympy.Expr | None:
    """Mul.flatten of a nonzero rational and plain factors with distinct bases (no sums next
    to a number: SymPy distributes it), products flattened; None otherwise."""
    number = _ONE
    rest: list[sympy.Expr] = []
    for f in args:
        if f.is_Rational:
            number *= f
        elif f.is_Mul:
            for g in f.args:
                if g.is_Rational:
                    number *= g
                elif _plain_factor(g) or g.is_Add:
                    rest.append(g)
                else:
                    return None
        elif _plain_factor(f) or f.is_Add:
            rest.append(f)
        else:
            return None
    if number is _ZERO or not rest:
        return None
    bases = {g.base if g.is_Pow else g for g in rest}
    if len(bases) != len(rest):
        return None
    if number is not _ONE and any(g.is_Add for g in rest):
        return None
    if len(rest) == 1 and number is _ONE:
        return rest[0]
    rest.sort(key=sort_key)
    if number is not _ONE:
        rest.insert(0, number)
    return sympy.Mul._from_args(rest, is_commutative=True)


def inverse(a: sympy.Expr) -> sympy.Expr:
    return sympy.Pow(a, -1)


# SymEngine twins ---------------------------------------------------------------------------

SE_MINUS_ONE = se.Integer(-1)


def se_neg(a: se.Basic) -> se.Basic:
    return se.Mul(SE_MINUS_ONE, a)


def se_inverse(a: se.Basic) -> se.Basic:
    return se.Pow(a, SE_MINUS_ONE)


def se_over_log(x: se.Basic, b: se.Basic) -> se.Basic:
    return se.Mul(se.log(x), se.Pow(se.log(b), SE_MINUS_ONE))


_SE_ONE, _SE_ZERO = se.Integer(1), se.Integer(0)

#: SymEngine builders of the vocabulary's functions (same meaning); missing: SymPy only
SE_FUNCTIONS: dict[str, Callable[..., se.Basic]] = {
    "sin": se.sin, "cos": se.cos, "tan": se.tan, "sec": se.sec, "csc": se.csc, "cot": se.cot,
    "asin": se.asin, "acos": se.acos, "atan": se.atan, "acot": se.acot, "asec": se.asec,
    "acsc": se.acsc, "atan2": se.atan2, "sinh": se.sinh, "cosh": se.cosh, "tanh": se.tanh,
    "coth": se.coth, "sech": se.sech, "csch": se.csch, "asinh": se.asinh, "acosh": se.acosh,
    "atanh": se.atanh, "acoth": se.acoth, "asech": se.asech, "acsch": se.acsch,
    "exp": se.exp, "ln": se.log,
    "log": lambda x, b=None: se.log(x) if b is None else se_over_log(x, b),
    "log2": lambda x: se_over_log(x, se.Integer(2)),
    "log10": lambda x: se_over_log(x, se.Integer(10)),
    "abs": se.Abs, "sign": se.sign, "max": se.Max, "min": se.Min,
    "relu": lambda x: se.Max(_SE_ZERO, x),
    "sigmoid": lambda x: se.Pow(se.Add(_SE_ONE, se.exp(se_neg(x))), SE_MINUS_ONE),
    "softplus": lambda x: se.log(se.Add(_SE_ONE, se.exp(x))),
    "conjugate": se.conjugate,
}


#: recipes that keep real numbers real: only the others (roots, logarithms, asin …) are asked
#: whether SymPy's number has a real value when it cancelled what SymEngine kept symbolic
#: (asking every node would cost a third of the replay of a large sum)
_REAL_KEEPING = frozenset({add, mul, neg, inverse, absolute_value})
