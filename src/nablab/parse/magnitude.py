"""Bottom-up size estimates of numeric subexpressions, so huge numbers are refused before
SymPy computes them (``9^9^9^9``, ``((9^9)^9999)^9999``, ``10^10^10``, ``exp(10^6 log 2)``).

``log10_bounds(e)`` gives (hi, lo) with lo <= log10|e| <= hi for a numeric SymPy expression
(lo = -inf when the value may be zero). Only exact powers are expensive for SymPy, so the
grammar asks ``power_size`` before building any power of numbers and ``exp_size`` before exp.
"""

from __future__ import annotations

import math

import sympy
from sympy.core.function import AppliedUndef

from nablab.parse import limits

_LOG10_2 = math.log10(2)
_INF = math.inf
_BOUNDED = (sympy.sin, sympy.cos, sympy.tanh, sympy.atan, sympy.acot, sympy.sign, sympy.asin,
            sympy.acos)


def number_log10(v: sympy.Number) -> tuple[float, float]:
    """(hi, lo) of log10|v| for a SymPy number, exact to a bit."""
    if v.is_zero:
        return -_INF, -_INF
    if isinstance(v, sympy.Float):
        man, exp = v._mpf_[1], v._mpf_[2]
        value = math.log10(man) + exp * _LOG10_2
        return value, value
    if isinstance(v, sympy.Rational):
        value = math.log10(abs(int(v.p))) - math.log10(int(v.q))
        return value, value
    return 1.0, -_INF  # I, oo… (caught elsewhere)


def log10_bounds(e: sympy.Expr) -> tuple[float, float]:
    """(hi, lo) bounds on log10|e| for a numeric expression (conservative)."""
    if e.is_Number:
        return number_log10(e)
    if e.is_NumberSymbol or e is sympy.S.ImaginaryUnit:
        return 0.5, 0.0  # pi, E, I and friends
    if e.is_Add:
        his = [log10_bounds(a)[0] for a in e.args]
        return max(his) + math.log10(len(his)), -_INF
    if e.is_Mul:
        hi = lo = 0.0
        for a in e.args:
            h, low = log10_bounds(a)
            hi += h
            lo += low
        return hi, lo
    if e.is_Pow or isinstance(e, sympy.exp):
        base, ex = (e.args if e.is_Pow else (sympy.E, e.args[0]))
        size = power_size(base, ex)
        return size, -size
    if isinstance(e, _BOUNDED):
        return 0.5, -_INF
    if isinstance(e, sympy.log):
        h, low = log10_bounds(e.args[0])
        big = max(abs(h), abs(low) if low != -_INF else 0.0, 1.0)
        return math.log10(big * 2.31) + 0.1, -_INF
    if isinstance(e, (AppliedUndef, sympy.Sum)):
        return 0.0, -_INF
    his = [log10_bounds(a)[0] for a in e.args if isinstance(a, sympy.Expr)]
    return (max([*his, 0.0]) + 1.0), -_INF


def power_size(base: sympy.Expr, ex: sympy.Expr) -> float:
    """Upper bound on |log10| of base**ex (both numeric)."""
    bhi, blo = log10_bounds(base)
    ehi, _ = log10_bounds(ex)
    if bhi == -_INF or ehi == -_INF:  # 0**e or b**0
        return 0.0
    spread = max(abs(bhi), abs(blo) if blo != -_INF else abs(bhi))
    if spread == 0.0:
        return 0.0
    if ehi > 300:
        return _INF
    return spread * 10.0 ** ehi


def exp_size(arg: sympy.Expr) -> float:
    """Upper bound on |log10 exp(arg)| for numeric arg."""
    hi, _ = log10_bounds(arg)
    if hi > 300:
        return _INF
    return 0.4343 * 10.0 ** hi


def too_large(size: float) -> bool:
    return size > limits.MAX_LOG10_MAGNITUDE
