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

from nablab.expression import to_native

_UNSET: Any = object()


class Node:
    """``sp``: the SymPy value once built; ``se``: the SymEngine value (None: SymEngine cannot
    hold it; unset until asked for on numeric leaves); ``fn``/``kids``: the recipe
    ``fn(*kids' SymPy values)``; ``num``: a SymPy number-valued node (``is_number``)."""

    __slots__ = ("fn", "kids", "num", "se", "sp")

    def __init__(self, sp: Any, se_value: Any, fn: Callable[..., Any] | None,
                 kids: tuple[Node, ...], num: bool) -> None:
        self.sp = sp
        self.se = se_value
        self.fn = fn
        self.kids = kids
        self.num = num

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.sp if self.sp is not None else self.se})"


def leaf(value: sympy.Expr, native: Any = _UNSET) -> Node:
    """A node built in SymPy already."""
    return Node(value, native, None, (), bool(value.is_number))


def sympy_of(node: Node) -> sympy.Expr:
    """The SymPy value of ``node``: its recipes replayed bottom-up, each node once."""
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
        n.sp = n.fn(*[k.sp for k in n.kids])
        n.kids = ()  # the tree is not needed any more: let it go
        n.fn = None
    return node.sp


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
            value = to_native(sp, _NATIVE_MEMO)
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


def neg(a: sympy.Expr) -> sympy.Expr:
    return -a


def add(*a: sympy.Expr) -> sympy.Expr:
    return sympy.Add(*a)


def mul(*a: sympy.Expr) -> sympy.Expr:
    return sympy.Mul(*a)


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
