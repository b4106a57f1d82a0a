"""The chapter's objective, J(θ) = (1/N) Σₙ (yₙ − ŷₙ)², and its partials in the chapter's form.

J is built as a SymPy sum over data (data are applied functions ``x(n)``, ``y(n)``, as the
parser represents them), differentiated by the calculus core, and each derived partial is
checked to equal the chapter's reading −(2/N) Σ wₙ (yₙ − ŷₙ) before it is shown that way.
The derived partials — not a hand-written formula — are what :mod:`nablab.optimize.kernels`
compiles.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy

from nablab.optimize.descent import partial

n, N = sympy.Symbol("n"), sympy.Symbol("N")


@dataclass(frozen=True)
class MSE:
    """J and its derived partials for a linear model with ``d`` features."""

    thetas: tuple[sympy.Symbol, ...]
    features: tuple[sympy.Expr, ...]  # x(n) or x1(n), …, xd(n)
    target: sympy.Expr  # y(n)
    yhat: sympy.Expr
    J: sympy.Expr
    partials: tuple[sympy.Expr, ...]

    @property
    def weights(self) -> tuple[sympy.Expr, ...]:
        """wₖ in ∂J/∂θₖ = −(2/N) Σ wₙ (yₙ − ŷₙ): 1 for the intercept, the feature otherwise."""
        return (sympy.Integer(1), *self.features)

    def chapter_expr(self, k: int) -> sympy.Expr:
        """∂J/∂θₖ as the chapter arranges it, −(2/N) Σ wₙ (yₙ − ŷₙ) (checked equal to the derived
        partial; :mod:`nablab.render.objective` writes it as text, LaTeX and the human reading)."""
        return -2 / N * sympy.Sum(self.weights[k] * (self.target - self.yhat), (n, 1, N))


def feature_functions(d: int) -> tuple[sympy.Expr, ...]:
    """x(n) for one feature (as in the chapter), x1(n) … xd(n) for several."""
    if d == 1:
        return (sympy.Function("x")(n),)
    return tuple(sympy.Function(f"x{j}")(n) for j in range(1, d + 1))


@lru_cache(maxsize=32)
def mse(d: int) -> MSE:
    """Build J for ``d`` features, differentiate it and check the chapter form of each partial."""
    thetas = tuple(sympy.Symbol(f"theta_{k}") for k in range(d + 1))
    features = feature_functions(d)
    target = sympy.Function("y")(n)
    yhat = thetas[0] + sum((t * x for t, x in zip(thetas[1:], features, strict=True)),
                           sympy.Integer(0))
    J = sympy.Sum((target - yhat) ** 2, (n, 1, N)) / N
    partials = tuple(partial(J, t) for t in thetas)
    out = MSE(thetas, features, target, yhat, J, partials)
    for k, p in enumerate(partials):
        diff = sympy.expand(_summand_form(p) - _summand_form(out.chapter_expr(k)))
        if diff != 0:  # pragma: no cover - would mean the calculus core changed its answer
            raise AssertionError(f"∂J/∂θ{k} is not the chapter's form: {p}")
    return out


def _summand_form(expr: sympy.Expr) -> sympy.Expr:
    """c·Sum(s) → c·s, to compare sums over the same range term by term."""
    sums = list(expr.atoms(sympy.Sum))
    if len(sums) != 1:
        raise ValueError(f"expected one sum in {expr}")
    s = sums[0]
    return expr.xreplace({s: s.function})


def data_names(m: MSE, x_names: list[str], y_name: str) -> dict[str, str]:
    """Which data function of J is which column: ``{"x": "sqft", "y": "price"}``."""
    return dict(zip([*(str(f.func) for f in m.features), "y"], [*x_names, y_name], strict=True))
