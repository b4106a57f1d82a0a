"""Shared helpers for the step-engine tests: build Expressions from SymPy, and an independent
numerical oracle (mpmath) for derivatives."""

from __future__ import annotations

import random

import mpmath
import sympy
from sympy.core.function import AppliedUndef

from nablab.expression import Expression


def make(expr: sympy.Expr, variables: str, parameters: str = "", source: str = "") -> Expression:
    """An Expression with plain symbols, the way the parser builds it."""
    vs = tuple(sympy.Symbol(n) for n in variables.split())
    ps = tuple(sympy.Symbol(n) for n in parameters.split())
    return Expression(source or str(expr), expr, vs, ps)


def real(name: str) -> sympy.Symbol:
    return sympy.Symbol(name, real=True)


def _heaviside(t, h0=0.5):
    return mpmath.mpf(1) if t > 0 else (mpmath.mpf(0) if t < 0 else mpmath.mpf(h0))


def _dirac(t):
    if t == 0:
        raise ValueError("δ(0) has no value")
    return mpmath.mpf(0)


_MODULES = [{"Heaviside": _heaviside, "DiracDelta": _dirac, "sign": mpmath.sign, "Max": max, "Min": min,
             "Abs": abs}, "mpmath"]


def instantiate(expr: sympy.Expr, rng: random.Random) -> sympy.Expr:
    """Replace sums over data by explicit sums (upper limits 3) and data by random numbers."""
    sums = expr.atoms(sympy.Sum)
    if sums:
        bounds = {s for sm in sums for lim in sm.limits for s in lim[2].free_symbols}
        expr = expr.xreplace({b: 3 for b in bounds}).doit()
    data = sorted(expr.atoms(AppliedUndef), key=sympy.default_sort_key)
    return expr.xreplace({d: sympy.Rational(rng.randint(-300, 300), 100) for d in data})


def numeric_derivative_agrees(expr: sympy.Expr, var: sympy.Symbol, result: sympy.Expr,
                              points: int = 2, seed: int = 1) -> int:
    """Compare ``result`` with mpmath's numerical derivative of ``expr`` by ``var`` at random
    points where both are finite reals; returns how many points were compared (asserts)."""
    rng = random.Random(seed)
    checked = 0
    for _attempt in range(60):
        if checked >= points:
            break
        e, r = instantiate(sympy.Tuple(expr, result), random.Random(rng.random())).args
        if e.has(sympy.Sum) or r.has(sympy.Sum):
            raise AssertionError("sum not instantiated")
        syms = sorted(e.free_symbols | r.free_symbols | {var}, key=sympy.default_sort_key)
        values = {s: mpmath.mpf(rng.choice((1, -1)) * rng.uniform(0.15, 2.2)) for s in syms}
        f = sympy.lambdify(syms, e, modules=_MODULES)
        g = sympy.lambdify(syms, r, modules=_MODULES)
        args = [values[s] for s in syms]
        k = syms.index(var)
        with mpmath.workdps(30):
            try:
                got = g(*args)
                def along(t, args=args, k=k, f=f):
                    a = list(args)
                    a[k] = t
                    return f(*a)
                base = along(args[k])
                want = mpmath.diff(along, args[k])
            except (ZeroDivisionError, ValueError, TypeError):
                continue
            if any(isinstance(v, mpmath.mpc) and abs(v.imag) > 1e-20 for v in (got, want, base)):
                continue
            got, want = mpmath.re(got), mpmath.re(want)
            if not (mpmath.isfinite(got) and mpmath.isfinite(want)):
                continue
            assert abs(got - want) <= 1e-8 * max(1, abs(want)), (expr, var, result, values,
                                                                 got, want)
            checked += 1
    return checked


# --- checking a whole step tree ------------------------------------------------------------

#: heads with a rule of their own: these must never fall back to the table rule
RULED_HEADS = (sympy.Add, sympy.Mul, sympy.Pow, sympy.Sum, sympy.Max, sympy.Min, sympy.atan2,
               sympy.exp, sympy.log, sympy.sin, sympy.cos, sympy.tan, sympy.sec, sympy.csc,
               sympy.cot, sympy.asin, sympy.acos, sympy.atan, sympy.acot, sympy.sinh,
               sympy.cosh, sympy.tanh, sympy.Abs, sympy.sign)


def numerically_zero(d: sympy.Expr, seed: int = 0) -> bool:
    """``d`` evaluates to 0 (30 digits) at every random point where it is a finite real;
    False when no such point was found."""
    rng = random.Random(seed)
    seen = 0
    for _ in range(40):
        e = instantiate(d, random.Random(rng.random()))
        vals = {s: sympy.Rational(rng.choice((1, -1)) * rng.randint(15, 220), 100)
                for s in e.free_symbols}
        v = sympy.N(e.xreplace(vals), 30)
        if not v.is_number or v.has(sympy.nan, sympy.zoo) or not v.is_finite:
            continue
        re, im = v.as_real_imag()
        if abs(im) > 1e-20 * (1 + abs(re)):
            continue
        assert abs(re) < 1e-20 * (1 + abs(re)), (d, vals, v)
        seen += 1
        if seen >= 3:
            return True
    return seen > 0


def same_value(a: sympy.Expr, b: sympy.Expr, seed: int = 0) -> bool:
    d = a - b
    if d == 0 or sympy.expand(d) == 0:
        return True
    return numerically_zero(d, seed)


def assert_tree_correct(root, f: sympy.Expr, x: sympy.Symbol) -> None:
    """Every node's result is SymPy's derivative of its expression (exactly, or to 30 digits)
    and mpmath's numerical derivative at random points; no "don't know"; the derivation ends
    where the core's partial does."""
    from nablab.calculus.partials import partial as core_partial
    from nablab.steps import rules as R

    assert isinstance(root, R.PartialRule)
    nodes = list(root.walk())
    for node in nodes:
        assert node.rule in R.RULES, node
        if isinstance(node, R.TableRule):
            assert not isinstance(node.expr, RULED_HEADS), f"table used for {node.expr}"
            assert isinstance(node.expr, sympy.Function), node.expr
        if isinstance(node, (R.PartialRule, R.SimplifyRule, R.RewriteRule)):
            continue
        want = sympy.diff(node.expr, node.variable)
        assert same_value(node.result, want), (node.rule, node.expr, node.result, want)
    derivatives = [n for n in nodes
                   if not isinstance(n, (R.PartialRule, R.SimplifyRule, R.RewriteRule))]
    for node in derivatives:  # composite nodes at 2 points, leaves at 1
        points = 2 if node.substeps else 1
        assert numeric_derivative_agrees(node.expr, node.variable, node.result,
                                         points=points) >= 1, node.expr
    assert root.final.rule == "simplify"
    assert root.final.expr == root.derivation.result
    assert same_value(root.final.expr, root.final.result)
    assert same_value(root.result, core_partial(f, x))
