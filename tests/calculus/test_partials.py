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
