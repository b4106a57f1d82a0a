"""A corpus of functions (≥ 100) covering every rule, written the way the parser builds them:
plain symbols; sigmoid as 1/(1 + exp(-u)), softplus as log(1 + exp(u)), relu as Max(0, u),
log(u, b) as log(u)/log(b), cbrt(u) as u**(1/3), data inside sums as y(n)."""

from __future__ import annotations

import sympy
from sympy import (
    Abs,
    Max,
    Min,
    Rational,
    Sum,
    acos,
    acot,
    asin,
    atan,
    atan2,
    cos,
    cosh,
    cot,
    csc,
    exp,
    log,
    sec,
    sin,
    sinh,
    sqrt,
    tan,
    tanh,
)

x, y, z, w, a, b, c, N, n = sympy.symbols("x y z w a b c N n")
t0, t1, t2 = sympy.symbols("theta_0 theta_1 theta_2")
Y, X = sympy.Function("y"), sympy.Function("x")


def sigmoid(u):
    return 1 / (1 + exp(-u))


def softplus(u):
    return log(1 + exp(u))


def relu(u):
    return Max(0, u)


#: (expression, variables, parameters)
CORPUS: list[tuple[sympy.Expr, str, str]] = [
    # the chapter
    (x**2 * y + sin(x * y), "x y", ""),
    (Sum((Y(n) - (t0 + t1 * X(n))) ** 2, (n, 1, N)) / N, "theta_0 theta_1", "N"),
    # polynomials and constants
    (sympy.Integer(7), "x", ""),
    (x, "x", ""),
    (y, "x y", ""),
    (3 * x, "x", ""),
    (x**3 - 2 * x + 1, "x", ""),
    (x**2 + y**2, "x y", ""),
    (x * y * z, "x y z", ""),
    (x**2 * y**3 * z**4, "x y z", ""),
    ((x + y) ** 5, "x y", ""),
    ((x - 2 * y + 1) ** 3 * (x + y), "x y", ""),
    (a * x**2 + b * x + c, "x", "a b c"),
    (x**4 * y - 3 * x * y**2 + 7, "x y", ""),
    ((x**2 + 1) * (y**2 - 1) * (x + y), "x y", ""),
    (x * y + y * z + z * x, "x y z", ""),
    (x * y * z * w, "x y z w", ""),
    (100 * (y - x**2) ** 2 + (1 - x) ** 2, "x y", ""),
    # powers: roots, reciprocals, negative and fractional exponents
    (sqrt(x), "x", ""),
    (sqrt(x**2 + y**2), "x y", ""),
    (x ** Rational(1, 3), "x", ""),
    ((x**2 + 1) ** Rational(1, 3), "x", ""),
    (1 / x, "x", ""),
    (x**-3, "x", ""),
    (1 / (x**2 + y**2), "x y", ""),
    (x ** Rational(3, 2) * y, "x y", ""),
    (x**a, "x", "a"),
    (1 / sqrt(1 + x**2), "x", ""),
    (sqrt(x * y + 1), "x y", ""),
    # quotients
    (x / (x + 1), "x", ""),
    (x / y, "x y", ""),
    ((x**2 - y) / (x + y**2), "x y", ""),
    (sin(x) / x, "x", ""),
    (exp(x) / (1 + x**2), "x", ""),
    (x * y / (x**2 + y**2 + 1), "x y", ""),
    ((x + 1) / (x - 1) ** 2, "x", ""),
    (3 / (x + y), "x y", ""),
    # exponentials and logarithms
    (exp(x), "x", ""),
    (exp(x * y), "x y", ""),
    (exp(-(x**2) - y**2), "x y", ""),
    (2**x, "x", ""),
    (a ** (x * y), "x y", "a"),
    (log(x), "x", ""),
    (log(x**2 + y**2), "x y", ""),
    (log(x) / log(2), "x", ""),
    (log(x * y + 2) / log(10), "x y", ""),
    (x * log(x), "x", ""),
    (exp(x) * log(y), "x y", ""),
    (log(1 + x**2) * exp(-y), "x y", ""),
    (3 * log(x) / log(5), "x", ""),
    # u**v by logarithmic differentiation
    (x**x, "x", ""),
    (x**y, "x y", ""),
    ((x**2 + 1) ** sin(x), "x", ""),
    ((1 + x) ** (1 / x), "x", ""),
    (y**x * x**y, "x y", ""),
    # trigonometric
    (sin(x), "x", ""),
    (cos(x), "x", ""),
    (tan(x), "x", ""),
    (sec(x), "x", ""),
    (csc(x), "x", ""),
    (cot(x), "x", ""),
    (sin(x) * cos(y), "x y", ""),
    (sin(x * y) * cos(x * y), "x y", ""),
    (tan(x**2 + y), "x y", ""),
    (sec(2 * x) + csc(y), "x y", ""),
    (cot(x * y), "x y", ""),
    (sin(cos(tan(x))), "x", ""),
    (sin(x) ** 2 + cos(x) ** 2, "x", ""),
    (x * sin(1 / x), "x", ""),
    (cos(x + y + z) * z, "x y z", ""),
    # inverse trigonometric
    (asin(x), "x", ""),
    (acos(x), "x", ""),
    (atan(x), "x", ""),
    (acot(x), "x", ""),
    (atan2(y, x), "x y", ""),
    (asin(x / 2) + acos(y / 3), "x y", ""),
    (atan(x * y), "x y", ""),
    (acot(x**2 + 1), "x", ""),
    (atan2(x**2 + 1, y), "x y", ""),
    (x * atan(y / x), "x y", ""),
    # hyperbolic
    (sinh(x), "x", ""),
    (cosh(x), "x", ""),
    (tanh(x), "x", ""),
    (sinh(x * y) + cosh(x - y), "x y", ""),
    (tanh(a * x + b), "x", "a b"),
    (tanh(x) ** 2, "x", ""),
    # table functions without a rule of their own
    (sympy.asinh(x), "x", ""),
    (sympy.atanh(x / 2), "x", ""),
    (sympy.coth(x + 3), "x", ""),
    (sympy.erf(x * y), "x y", ""),
    # non-smooth
    (Abs(x), "x", ""),
    (Abs(x - y), "x y", ""),
    (Abs(sin(x)) * y, "x y", ""),
    (sympy.sign(x - y) * y, "x y", ""),
    (Max(x, y), "x y", ""),
    (Min(x, y), "x y", ""),
    (Max(x, y, z), "x y z", ""),
    (Min(x**2, y + 1), "x y", ""),
    (relu(x), "x", ""),
    (relu(x * y - 1), "x y", ""),
    (relu(a * x + b) ** 2, "x", "a b"),
    # machine learning
    (sigmoid(x), "x", ""),
    (sigmoid(a * x + b), "x", "a b"),
    (softplus(x), "x", ""),
    (softplus(x * y), "x y", ""),
    (log(sigmoid(x)), "x", ""),
    (tanh(t0 + t1 * x), "theta_0 theta_1", "x"),
    (-(y * log(sigmoid(t0 + t1 * x)) + (1 - y) * log(1 - sigmoid(t0 + t1 * x))),
     "theta_0 theta_1", "x y"),
    ((y - t0 - t1 * x - t2 * x**2) ** 2, "theta_0 theta_1 theta_2", "x y"),
    (exp(x) / (exp(x) + exp(y)), "x y", ""),
    (log(exp(x) + exp(y)), "x y", ""),
    # sums over data
    (Sum((Y(n) - t0 * X(n)) ** 2, (n, 1, N)), "theta_0", "N"),
    (Sum(log(1 + exp(-Y(n) * t1 * X(n))), (n, 1, N)) / N, "theta_1", "N"),
    (Sum(Abs(Y(n) - t0 - t1 * X(n)), (n, 1, N)) / N, "theta_0 theta_1", "N"),
    (Sum((Y(n) - sigmoid(t0 + t1 * X(n))) ** 2, (n, 1, N)), "theta_0 theta_1", "N"),
    (Sum((Y(n) - t0) ** 2, (n, 1, N)) / (2 * N) + a * t0**2, "theta_0", "N a"),
    # mixtures and repeats
    (exp(sin(x * y)) * sin(x * y), "x y", ""),
    (sqrt(x**2 + y**2) * log(x**2 + y**2), "x y", ""),
    (x * exp(-x) * cos(y), "x y", ""),
    ((sin(x) + cos(y)) ** 2 / (1 + x**2), "x y", ""),
    (log(Abs(x) + 1) * atan(y), "x y", ""),
    (exp(x * y * z) + x / (y + z + 3), "x y z", ""),
    (sqrt(1 + exp(x)) * tanh(y), "x y", ""),
]
