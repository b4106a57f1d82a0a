"""The derivative itself: the contract the step engine relies on, and the engine split."""

import sympy

from nablab.calculus.partials import partial, partials, symengine_partials
from nablab.calculus.sums import tidy_sums

xr, yr = sympy.symbols("x y", real=True)
x, y = sympy.symbols("x y")


def test_real_symbols_in_real_symbols_out():
    d = partial(xr**2 * yr + sympy.sin(xr * yr) + sympy.Abs(xr), xr)
    assert d == 2 * xr * yr + yr * sympy.cos(xr * yr) + sympy.sign(xr)
    assert all(s.is_real for s in d.free_symbols)


def test_plain_symbols_get_real_semantics_and_stay_plain():
    d = partial(sympy.Abs(x) * sympy.sin(y) + sympy.Max(0, x - y), x)
    assert d == sympy.sign(x) * sympy.sin(y) + sympy.Heaviside(x - y)
    assert not any(s.is_real for s in d.free_symbols)


def test_symengine_path_equals_sympy_diff():
    f = (sympy.exp(xr * yr) * sympy.atan(xr) / (1 + yr**2) + xr**yr
         + sympy.acot(xr - yr) * sympy.sinh(yr) + sympy.atan2(yr, xr))
    for v in (xr, yr):
        assert sympy.simplify(partial(f, v) - sympy.diff(f, v)) == 0


def test_terms_without_the_variable_vanish():
    assert partial(yr**3 + sympy.sin(yr), xr) == 0
    assert partials(xr + yr, [xr, yr]) == [1, 1]


def test_symengine_partials_for_numeric_work():
    out = symengine_partials(xr**2 * yr, [xr, yr])
    assert [str(o) for o in out] == ["2*x*y", "x**2"]
    assert symengine_partials(sympy.Abs(xr), [xr]) is None  # needs SymPy's real |x|


def test_sum_tidy_gives_the_chapter_form():
    n, N, t0, t1 = sympy.symbols("n N t0 t1")
    Y, X = sympy.Function("y"), sympy.Function("x")
    J = sympy.Sum((Y(n) - (t0 + t1 * X(n))) ** 2, (n, 1, N)) / N
    d0, d1 = partial(J, t0), partial(J, t1)
    residual = Y(n) - t0 - t1 * X(n)
    assert d0 == -2 * sympy.Sum(residual, (n, 1, N)) / N
    assert d1 == -2 * sympy.Sum(X(n) * residual, (n, 1, N)) / N
    # tidying is idempotent and index-free sums are left alone
    assert tidy_sums(d1) == d1
    assert tidy_sums(sympy.Sum(t0, (n, 1, N))) == sympy.Sum(t0, (n, 1, N))


def _both_paths(expr, variables):
    from nablab.calculus.partials import _Engine

    out = []
    for direct in (True, False):
        engine = _Engine(variables)
        engine.direct = direct  # False: every node through SymPy's evaluating constructors
        index = engine.terms_by_symbol(expr)
        out.append([engine.diff(expr, v, index) for v in variables])
    return out


def test_direct_assembly_equals_sympys_evaluated_constructors_over_the_corpus():
    from corpus import CORPUS

    import nablab

    tricky = ["sqrt(8) x y + 2 (x + 1) y", "exp(x)^2 y + (x^2)^(1/2) y", "-(x + y)(x - y)",
              "(2x + 2)^3 / (x y + 1)", "x^-3 y^(2/3) + 3^x + 2^(x y)", "(x + 1)^-1 + 1/(2(x + y))"]
    exprs = [nablab.parse(t) for t, _ in CORPUS] + [nablab.parse(t) for t in tricky]
    checked = 0
    for e in exprs:
        real = [sympy.Symbol(v.name, real=True) for v in e.variables]
        for expr, vs in ((e.expr, list(e.variables)),
                         (e.expr.xreplace(dict(zip(e.variables, real, strict=True))), real)):
            direct, evaluated = _both_paths(expr, vs)
            for a, b in zip(direct, evaluated, strict=True):
                assert sympy.srepr(a) == sympy.srepr(b), (expr, a, b)
                checked += 1
    assert checked > 400


def test_direct_assembly_on_rosenbrock_matches_and_differs_from_symengine_shape():
    xs = sympy.symbols("x1:31")
    f = sympy.Add(*[100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(29)])
    direct, evaluated = _both_paths(f, list(xs))
    assert direct == evaluated
    assert direct[5] == -200 * xs[4] ** 2 - 400 * xs[5] * (xs[6] - xs[5] ** 2) + 202 * xs[5] - 2
