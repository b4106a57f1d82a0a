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

    def chapter_text(self, k: int) -> str:
        """∂J/∂θₖ as SymPy text in the chapter's arrangement (sympify reads it back)."""
        from nablab.render.text import to_text

        w = self.weights[k]
        body = f"{to_text(self.target)} - ({to_text(self.yhat)})"
        body = f"{to_text(w)}*({body})" if w != 1 else body
        return f"-2*Sum({body}, (n, 1, {to_text(N)}))/{to_text(N)}"

    def chapter_latex(self, k: int, hat: bool = False) -> str:
        """∂J/∂θₖ in LaTeX as the chapter writes it; ``hat`` keeps ŷₙ instead of expanding it."""
        from nablab.render.latex import to_latex

        w = self.weights[k]
        yhat = r"\hat{y}_{n}" if hat else rf"\left({to_latex(self.yhat)}\right)"
        body = rf"{to_latex(self.target)} - {yhat}"
        wl = "" if w == 1 else to_latex(w) + " "
        return rf"-\frac{{2}}{{N}} \sum_{{n=1}}^{{N}} {wl}\left({body}\right)"

    def chapter_echo(self, k: int) -> str:
        """The human reading: ``−(2/N) Σₙ x_n·(y_n − ŷ_n)``."""
        from nablab.render.text import to_echo

        w = self.weights[k]
        lead = "" if w == 1 else to_echo(w) + "·"
        return f"−(2/N) Σₙ {lead}({to_echo(self.target)} − ŷ_n)"

    def chapter_expr(self, k: int) -> sympy.Expr:
        return -2 / N * sympy.Sum(self.weights[k] * (self.target - self.yhat), (n, 1, N))

    def yhat_echo(self) -> str:
        from nablab.render.text import to_echo

        return f"ŷ_n = {to_echo(self.yhat)}"

    def model_dict(self) -> dict:
        """ŷ as text, LaTeX and the human reading, and which data name is which."""
        from nablab.render.latex import to_latex
        from nablab.render.text import to_text

        return {"yhat": to_text(self.yhat), "yhat_latex": to_latex(self.yhat),
                "echo": self.yhat_echo(),
                "J": to_text(self.J), "J_latex": to_latex(self.J)}

    def to_dict(self) -> list[dict]:
        return [dict(p) for p in _partials_dict(self)]

    def _to_dict(self) -> list[dict]:
        from nablab.render.latex import to_latex
        from nablab.render.text import to_text

        return [
            {
                "variable": t.name,
                "text": self.chapter_text(k),
                "latex": self.chapter_latex(k),
                "latex_chapter": self.chapter_latex(k, hat=True),
                "echo": self.chapter_echo(k),
                "derived": to_text(self.partials[k]),
                "derived_latex": to_latex(self.partials[k]),
            }
            for k, t in enumerate(self.thetas)
        ]


@lru_cache(maxsize=32)
def _partials_dict(m: MSE) -> tuple[dict, ...]:
    return tuple(m._to_dict())


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
