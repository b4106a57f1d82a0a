"""Where a function and its partials are defined over the reals, each condition with a reason.

Conditions are read off the expression tree: a logarithm needs a positive argument, an even root
a non-negative one (positive for its derivative), a denominator must not vanish, asin/acos need
[−1, 1] (open for the derivative), a non-integer power needs a non-negative base, a variable
exponent a positive base; |u|, max/min, relu and steps are not differentiable at their kinks.
A point is checked against them and a violated condition is named in a :class:`DomainError` —
never a nan, zoo or complex number passed off as an answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from nablab.errors import DomainError

FUNCTION = "function"
PARTIALS = "partials"


@dataclass(frozen=True)
class Condition:
    """``expr`` (a SymPy boolean over real symbols) must hold; ``reason`` says why, in words."""

    expr: sympy.Basic
    reason: str
    applies_to: str = FUNCTION


def _interval(u, lo, hi, closed: bool):
    if closed:
        return sympy.And(u >= lo, u <= hi)
    return sympy.And(u > lo, u < hi)


def _outside(u, bound, closed: bool):
    if closed:
        return sympy.Or(u <= -bound, u >= bound)
    return sympy.Or(u < -bound, u > bound)


def _show(e: sympy.Basic) -> str:
    """An expression inside a reason, as people read it (x^2·y, not x**2*y)."""
    from nablab.render.text import to_echo

    return to_echo(e)


def _node_conditions(e: sympy.Basic, strict: bool) -> list[tuple[sympy.Basic, str]]:
    """Conditions one node imposes; ``strict`` for the derivative's (open) version."""
    out: list[tuple[sympy.Basic, str]] = []
    if isinstance(e, sympy.log):
        u = e.args[0]
        out.append((u > 0, f"the logarithm log({_show(u)}) needs a positive argument"))
    elif isinstance(e, sympy.Pow):
        b, p = e.args
        if (p.is_Integer and p.is_positive) or b.is_positive:
            return out
        if p.is_Integer:
            if p.is_negative:
                out.append((sympy.Ne(b, 0), f"the denominator {_show(b)} must not be zero"))
        elif p.is_Rational:
            if p.q % 2 == 0:
                what = "square root" if p.q == 2 else f"{p.q}th root"
                if p.is_negative or strict:
                    out.append((b > 0, f"the {what} of {_show(b)} is in a denominator (or is "
                                       "differentiated) here, so its argument must be positive"))
                else:
                    out.append((b >= 0, f"the {what} of {_show(b)} needs a non-negative argument"))
            else:
                rel = b > 0 if p.is_negative else b >= 0
                out.append((rel, f"the power {_show(b)}^({_show(p)}) of a negative base is not a real number "
                                 "(principal root; odd roots of negatives are not taken)"))
        elif p.is_number:
            rel = b > 0 if (p.is_negative or strict) else b >= 0
            out.append((rel, f"the non-integer power {_show(b)}^{_show(p)} needs a non-negative base"))
        else:
            out.append((b > 0, f"the power {_show(b)}^({_show(p)}) has a variable exponent, which needs a "
                               "positive base"))
    elif isinstance(e, (sympy.asin, sympy.acos)):
        u = e.args[0]
        name = type(e).__name__
        if strict:
            out.append((_interval(u, -1, 1, False), f"the derivative of {name}({_show(u)}) needs "
                                                    "−1 < argument < 1"))
        else:
            out.append((_interval(u, -1, 1, True), f"{name}({_show(u)}) needs −1 ≤ argument ≤ 1"))
    elif isinstance(e, sympy.acosh):
        u = e.args[0]
        out.append(((u > 1) if strict else (u >= 1), f"acosh({_show(u)}) needs argument ≥ 1"
                    + (" (> 1 for the derivative)" if strict else "")))
    elif isinstance(e, sympy.atanh):
        u = e.args[0]
        out.append((_interval(u, -1, 1, False), f"atanh({_show(u)}) needs −1 < argument < 1"))
    elif isinstance(e, sympy.acoth):
        u = e.args[0]
        out.append((_outside(u, 1, False), f"acoth({_show(u)}) needs |argument| > 1"))
    elif isinstance(e, (sympy.asec, sympy.acsc)):
        u = e.args[0]
        out.append((_outside(u, 1, not strict), f"{type(e).__name__}({_show(u)}) needs |argument| ≥ 1"
                    + (" (> 1 for the derivative)" if strict else "")))
    elif isinstance(e, (sympy.tan, sympy.sec)):
        u = e.args[0]
        out.append((sympy.Ne(sympy.cos(u), 0), f"{type(e).__name__}({_show(u)}) is undefined where "
                                               f"cos({_show(u)}) = 0"))
    elif isinstance(e, (sympy.cot, sympy.csc)):
        u = e.args[0]
        out.append((sympy.Ne(sympy.sin(u), 0), f"{type(e).__name__}({_show(u)}) is undefined where "
                                               f"sin({_show(u)}) = 0"))
    elif isinstance(e, (sympy.coth, sympy.csch)):
        u = e.args[0]
        out.append((sympy.Ne(u, 0), f"{type(e).__name__}({_show(u)}) is undefined where {_show(u)} = 0"))
    elif isinstance(e, sympy.atan2):
        yy, xx = e.args
        out.append((sympy.Or(sympy.Ne(xx, 0), sympy.Ne(yy, 0)),
                    f"atan2({_show(yy)}, {_show(xx)}) is undefined where both arguments are 0"))
    return out


def _kink_conditions(e: sympy.Basic) -> list[tuple[sympy.Basic, str]]:
    """Where f is defined but not differentiable."""
    if isinstance(e, sympy.Abs):
        u = e.args[0]
        return [(sympy.Ne(u, 0), f"|{_show(u)}| is not differentiable where {_show(u)} = 0")]
    if isinstance(e, (sympy.Max, sympy.Min)):
        name = type(e).__name__.lower()
        args = e.args
        out = []
        for i in range(len(args)):
            for j in range(i + 1, len(args)):
                a, b = args[i], args[j]
                if a == 0:  # max(0, u): say u ≠ 0, not 0 ≠ u
                    a, b = b, a
                what = f"{name}({_show(args[i])}, {_show(args[j])})"
                if name == "max" and b == 0:
                    what += " (relu)"
                out.append((sympy.Ne(a, b), f"{what} is not differentiable where "
                                            f"{_show(a)} = {_show(b)}"))
        return out
    if isinstance(e, (sympy.Heaviside, sympy.sign)):
        u = e.args[0]
        return [(sympy.Ne(u, 0), f"{type(e).__name__}({_show(u)}) jumps where {_show(u)} = 0")]
    return []


def _walk(expr: sympy.Basic, seen: set) -> Iterable[sympy.Basic]:
    """Each distinct node of ``expr`` not in ``seen`` once (a DAG walk, not a tree walk)."""
    stack = [expr]
    while stack:
        e = stack.pop()
        if e in seen or not e.args:
            continue
        seen.add(e)
        if isinstance(e, (sympy.Sum, AppliedUndef)):
            continue  # conditions on data inside sums are the data's business
        yield e
        stack.extend(e.args)


def _collect(expr, strict: bool, kinks: bool, applies_to: str, out: list[Condition],
             seen: set, visited: set | None = None) -> None:
    for e in _walk(expr, set() if visited is None else visited):
        found = _kink_conditions(e) if kinks else _node_conditions(e, strict)
        for rel, reason in found:
            if rel is sympy.true or rel in seen:
                continue
            seen.add(rel)
            out.append(Condition(rel, reason, applies_to))


def _implied(rel: sympy.Basic, known: set) -> bool:
    """``rel`` (u ≠ 0 or u ≥ 0) follows from a condition u > 0 already known."""
    if isinstance(rel, (sympy.Ne, sympy.GreaterThan)) and rel.rhs == 0:
        return sympy.StrictGreaterThan(rel.lhs, 0) in known
    return False


def domain_conditions(expr: sympy.Expr, partials: Sequence[sympy.Expr]) -> list[Condition]:
    """Conditions for ``expr`` itself, then the extra ones its partials need."""
    out: list[Condition] = []
    seen: set = set()
    _collect(expr, False, False, FUNCTION, out, seen)
    known = set(seen)
    extra: list[Condition] = []
    _collect(expr, True, True, PARTIALS, extra, seen)
    visited: set = set()  # partials share subexpressions: visit each once
    for p in partials:
        _collect(p, True, False, PARTIALS, extra, seen, visited)
    out.extend(c for c in extra if not _implied(c.expr, known))
    return out


def _holds(rel: sympy.Basic, subs: Mapping) -> bool | None:
    """Truth of ``rel`` at the point (None: cannot decide, e.g. a parameter without a value)."""
    value = rel.xreplace(dict(subs))
    if value in (sympy.true, sympy.false):
        return bool(value)
    if isinstance(value, sympy.And):
        parts = [_holds(a, {}) for a in value.args]
        return False if False in parts else (None if None in parts else True)
    if isinstance(value, sympy.Or):
        parts = [_holds(a, {}) for a in value.args]
        return True if True in parts else (None if None in parts else False)
    if isinstance(value, sympy.core.relational.Relational):
        diff = (value.lhs - value.rhs).evalf(30)
        if not diff.is_number or not diff.is_real:
            return None
        op = value.rel_op
        return {"==": diff == 0, "!=": diff != 0, ">": diff > 0, ">=": diff >= 0,
                "<": diff < 0, "<=": diff <= 0}[op]
    return None


_OPS = {"==": "=", "!=": "≠", ">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def describe(rel: sympy.Basic) -> str:
    """A condition as a person reads it: ``x·y ≥ -1 and x·y ≤ 1``, ``x ≠ 0``."""
    from nablab.render.text import to_echo

    if isinstance(rel, sympy.And):
        return " and ".join(describe(a) for a in rel.args)
    if isinstance(rel, sympy.Or):
        return " or ".join(describe(a) for a in rel.args)
    if isinstance(rel, sympy.core.relational.Relational):
        return f"{to_echo(rel.lhs)} {_OPS[rel.rel_op]} {to_echo(rel.rhs)}"
    return to_echo(rel)


def check_point(conditions: Sequence[Condition], subs: Mapping, point_text: str,
                applies_to: str | None = None) -> None:
    """Raise :class:`DomainError` naming the first condition the point violates."""
    for c in conditions:
        if applies_to is not None and c.applies_to != applies_to:
            continue
        if _holds(c.expr, subs) is False:
            shown = describe(c.expr)
            what = "f" if c.applies_to == FUNCTION else "the partial derivatives"
            raise DomainError(
                f"{point_text} is outside the domain of {what}: {shown} does not hold",
                hint=c.reason,
            )
