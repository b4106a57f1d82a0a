"""Every partial of 100+ functions against mpmath's numerical differentiation (an independent
oracle: it only ever evaluates f), at random points inside each function's domain."""

import random

import mpmath
import pytest
import sympy
from corpus import CORPUS, PARAMS

from nablab.api import gradient
from nablab.parse import parse

VARS = ("w", "x", "y", "z")


def _case(text: str):
    names = sorted({s.name for s in parse(text).expr.free_symbols} & set(VARS))
    return gradient(text, names, form="simplified")


@pytest.mark.parametrize(("text", "box"), CORPUS, ids=[t for t, _ in CORPUS])
def test_partials_match_mpmath(text, box):
    result = _case(text)
    expr = result.expression.expr
    syms = sorted(expr.free_symbols, key=lambda s: s.name)
    f = sympy.lambdify(syms, expr, modules="mpmath")
    rng = random.Random(text)
    mpmath.mp.dps = 30
    try:
        for _ in range(3):
            point = {s.name: PARAMS[s.name] if s.name in PARAMS
                     else rng.uniform(*box.get(s.name, (-2.0, 2.0))) for s in syms}
            args = [mpmath.mpf(point[s.name]) for s in syms]
            subs = {s: sympy.Float(point[s.name], 30) for s in syms}
            for var, partial, derived in zip(result.variables, result.partials,
                                             result.derived, strict=True):
                k = syms.index(var)

                def along(t, k=k, args=args):
                    a = list(args)
                    a[k] = t
                    return f(*a)

                expected = mpmath.diff(along, args[k])
                assert abs(mpmath.im(expected)) < mpmath.mpf(10) ** -20, "oracle left the reals"
                for got_expr in (partial, derived):
                    got = complex(got_expr.evalf(30, subs=subs))
                    assert abs(got.imag) < 1e-12
                    assert got.real == pytest.approx(float(mpmath.re(expected)), rel=1e-9,
                                                     abs=1e-9), (text, var, point)
    finally:
        mpmath.mp.dps = 15


def test_corpus_is_big_and_varied():
    assert len(CORPUS) >= 100
    texts = " ".join(t for t, _ in CORPUS)
    for needle in ("asin", "sinh", "ln", "sqrt", "x^y", "|x|", "max", "relu", "sigmoid",
                   "softplus", "z", "a "):
        assert needle in texts
