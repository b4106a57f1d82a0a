"""The differentiation rules, one small frozen dataclass each (SymPy ``manualintegrate`` style).

A rule instance *is* a step node: it holds the expression being differentiated, the variable
it is differentiated by, the sub-derivations it needs, and in :meth:`StepNode.compute` the math
of the rule. Finding the rule is :mod:`nablab.steps.engine`; wording it is
:mod:`nablab.steps.wording`; printing it is :mod:`nablab.steps.printers`. Each docstring is
the rule in one line of math. Expressions are over real symbols (so |u|' = sign(u)).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import sympy

from nablab.display import RichDisplay


@dataclass(frozen=True, eq=False)
class StepNode(RichDisplay):
    """One step: d/d(variable) of ``expr`` is :attr:`result`."""

    expr: sympy.Expr
    variable: sympy.Symbol | None

    rule: ClassVar[str] = "step"

    @property
    def substeps(self) -> tuple[StepNode, ...]:
        return ()

    @property
    def substitution(self) -> tuple[sympy.Symbol, sympy.Expr] | None:
        """``(u, inner)`` when the step says "let u = inner"."""
        return None

    def compute(self) -> sympy.Basic:  # pragma: no cover - every rule overrides it
        raise NotImplementedError

    @cached_property
    def result(self) -> sympy.Basic:
        """The derivative (or, for ``simplify``/``rewrite``/assembly nodes, the new value)."""
        return self.compute()

    def walk(self):
        """Every node of the tree, pre-order (a repeated sub-derivation once, as its reference)."""
        yield self
        for sub in self.substeps:
            yield from sub.walk()


# --- leaves ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ConstantRule(StepNode):
    """d/dx c = 0 (c does not depend on x)"""

    rule: ClassVar[str] = "constant"

    def compute(self):
        return sympy.S.Zero


@dataclass(frozen=True, eq=False)
class OtherSymbolRule(StepNode):
    """d/dx y = 0 (y another variable or a parameter, held constant)"""

    rule: ClassVar[str] = "other_symbol"

    def compute(self):
        return sympy.S.Zero


@dataclass(frozen=True, eq=False)
class VariableRule(StepNode):
    """d/dx x = 1"""

    rule: ClassVar[str] = "variable"

    def compute(self):
        return sympy.S.One


# --- linearity and algebra ---------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ConstantMultipleRule(StepNode):
    """d/dx (c·f) = c·f'"""

    constant: sympy.Expr
    inner: StepNode

    rule: ClassVar[str] = "constant_multiple"

    @property
    def substeps(self):
        return (self.inner,)

    def compute(self):
        return self.constant * self.inner.result


@dataclass(frozen=True, eq=False)
class SumRule(StepNode):
    """d/dx (f + g + …) = f' + g' + …"""

    terms: tuple[StepNode, ...]

    rule: ClassVar[str] = "sum"

    @property
    def substeps(self):
        return self.terms

    def compute(self):
        return sympy.Add(*(t.result for t in self.terms))


@dataclass(frozen=True, eq=False)
class ProductRule(StepNode):
    """d/dx (f₁f₂…fₙ) = Σᵢ fᵢ'·∏_{j≠i} fⱼ"""

    factors: tuple[sympy.Expr, ...]
    steps: tuple[StepNode, ...]

    rule: ClassVar[str] = "product"

    @property
    def substeps(self):
        return self.steps

    def compute(self):
        terms = []
        for i, step in enumerate(self.steps):
            others = [f for j, f in enumerate(self.factors) if j != i]
            terms.append(step.result * sympy.Mul(*others))
        return sympy.Add(*terms)


@dataclass(frozen=True, eq=False)
class QuotientRule(StepNode):
    """d/dx (f/g) = (f'g − fg')/g²"""

    numerator: sympy.Expr
    denominator: sympy.Expr
    numerator_step: StepNode
    denominator_step: StepNode

    rule: ClassVar[str] = "quotient"

    @property
    def substeps(self):
        return (self.numerator_step, self.denominator_step)

    def compute(self):
        f, g = self.numerator, self.denominator
        return (self.numerator_step.result * g - f * self.denominator_step.result) / g**2


@dataclass(frozen=True, eq=False)
class ChainRule(StepNode):
    """d/dx f(u(x)) = f'(u)·u'(x)"""

    u: sympy.Symbol
    inner: sympy.Expr
    outer_step: StepNode
    inner_step: StepNode

    rule: ClassVar[str] = "chain"

    @property
    def substeps(self):
        return (self.outer_step, self.inner_step)

    @property
    def substitution(self):
        return (self.u, self.inner)

    def compute(self):
        # multiply first, then put u back: keeps −2·xₙ·(yₙ − ŷₙ) instead of distributing
        return (self.outer_step.result * self.inner_step.result).xreplace({self.u: self.inner})


@dataclass(frozen=True, eq=False)
class RepeatRule(StepNode):
    """d/dx f = f' as derived above (a sub-derivation already shown)"""

    ref: StepNode

    rule: ClassVar[str] = "repeat"

    def compute(self):
        return self.ref.result


# --- powers, exponentials, logarithms ------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PowerRule(StepNode):
    """d/dx xⁿ = n·xⁿ⁻¹ (n constant: roots, reciprocals, negative and fractional powers)"""

    exponent: sympy.Expr

    rule: ClassVar[str] = "power"

    def compute(self):
        return self.exponent * self.variable ** (self.exponent - 1)


@dataclass(frozen=True, eq=False)
class ExpRule(StepNode):
    """d/dx eˣ = eˣ"""

    rule: ClassVar[str] = "exp"

    def compute(self):
        return sympy.exp(self.variable)


@dataclass(frozen=True, eq=False)
class ExponentialRule(StepNode):
    """d/dx aˣ = aˣ·ln a (a constant, a > 0)"""

    base: sympy.Expr

    rule: ClassVar[str] = "exponential"

    def compute(self):
        return self.base**self.variable * sympy.log(self.base)


@dataclass(frozen=True, eq=False)
class LogRule(StepNode):
    """d/dx ln x = 1/x"""

    rule: ClassVar[str] = "log"

    def compute(self):
        return 1 / self.variable


@dataclass(frozen=True, eq=False)
class LogBaseRule(StepNode):
    """d/dx log_b x = 1/(x·ln b)"""

    base: sympy.Expr

    rule: ClassVar[str] = "log_base"

    def compute(self):
        return 1 / (self.variable * sympy.log(self.base))


@dataclass(frozen=True, eq=False)
class LogDiffRule(StepNode):
    """d/dx uᵛ = uᵛ·(v'·ln u + v·u'/u)  (from ln y = v·ln u)"""

    base: sympy.Expr
    exponent: sympy.Expr
    log_step: StepNode

    rule: ClassVar[str] = "log_diff"

    @property
    def substeps(self):
        return (self.log_step,)

    def compute(self):
        return self.base**self.exponent * self.log_step.result


# --- trigonometric, inverse trigonometric, hyperbolic --------------------------------------


@dataclass(frozen=True, eq=False)
class SinRule(StepNode):
    """d/dx sin x = cos x"""

    rule: ClassVar[str] = "sin"

    def compute(self):
        return sympy.cos(self.variable)


@dataclass(frozen=True, eq=False)
class CosRule(StepNode):
    """d/dx cos x = −sin x"""

    rule: ClassVar[str] = "cos"

    def compute(self):
        return -sympy.sin(self.variable)


@dataclass(frozen=True, eq=False)
class TanRule(StepNode):
    """d/dx tan x = sec² x = 1 + tan² x"""

    rule: ClassVar[str] = "tan"

    def compute(self):
        return 1 + sympy.tan(self.variable) ** 2


@dataclass(frozen=True, eq=False)
class SecRule(StepNode):
    """d/dx sec x = sec x·tan x"""

    rule: ClassVar[str] = "sec"

    def compute(self):
        return sympy.sec(self.variable) * sympy.tan(self.variable)


@dataclass(frozen=True, eq=False)
class CscRule(StepNode):
    """d/dx csc x = −csc x·cot x"""

    rule: ClassVar[str] = "csc"

    def compute(self):
        return -sympy.csc(self.variable) * sympy.cot(self.variable)


@dataclass(frozen=True, eq=False)
class CotRule(StepNode):
    """d/dx cot x = −csc² x = −(1 + cot² x)"""

    rule: ClassVar[str] = "cot"

    def compute(self):
        return -1 - sympy.cot(self.variable) ** 2


@dataclass(frozen=True, eq=False)
class AsinRule(StepNode):
    """d/dx asin x = 1/√(1 − x²)"""

    rule: ClassVar[str] = "asin"

    def compute(self):
        return 1 / sympy.sqrt(1 - self.variable**2)


@dataclass(frozen=True, eq=False)
class AcosRule(StepNode):
    """d/dx acos x = −1/√(1 − x²)"""

    rule: ClassVar[str] = "acos"

    def compute(self):
        return -1 / sympy.sqrt(1 - self.variable**2)


@dataclass(frozen=True, eq=False)
class AtanRule(StepNode):
    """d/dx atan x = 1/(1 + x²)"""

    rule: ClassVar[str] = "atan"

    def compute(self):
        return 1 / (1 + self.variable**2)


@dataclass(frozen=True, eq=False)
class AcotRule(StepNode):
    """d/dx acot x = −1/(1 + x²)"""

    rule: ClassVar[str] = "acot"

    def compute(self):
        return -1 / (1 + self.variable**2)


@dataclass(frozen=True, eq=False)
class Atan2Rule(StepNode):
    """d/dx atan2(a, b) = (b·a' − a·b')/(a² + b²)"""

    y_step: StepNode
    x_step: StepNode

    rule: ClassVar[str] = "atan2"

    @property
    def substeps(self):
        return (self.y_step, self.x_step)

    def compute(self):
        a, b = self.expr.args
        return (b * self.y_step.result - a * self.x_step.result) / (a**2 + b**2)


@dataclass(frozen=True, eq=False)
class SinhRule(StepNode):
    """d/dx sinh x = cosh x"""

    rule: ClassVar[str] = "sinh"

    def compute(self):
        return sympy.cosh(self.variable)


@dataclass(frozen=True, eq=False)
class CoshRule(StepNode):
    """d/dx cosh x = sinh x"""

    rule: ClassVar[str] = "cosh"

    def compute(self):
        return sympy.sinh(self.variable)


@dataclass(frozen=True, eq=False)
class TanhRule(StepNode):
    """d/dx tanh x = 1 − tanh² x"""

    rule: ClassVar[str] = "tanh"

    def compute(self):
        return 1 - sympy.tanh(self.variable) ** 2


@dataclass(frozen=True, eq=False)
class TableRule(StepNode):
    """d/dx f(x) = f'(x) from the table of known derivatives (functions without a rule of
    their own: asinh, acosh, atanh, sech, coth, erf, …)"""

    rule: ClassVar[str] = "table"

    def compute(self):
        return sympy.diff(self.expr, self.variable)


# --- non-smooth and machine-learning functions ---------------------------------------------


@dataclass(frozen=True, eq=False)
class AbsRule(StepNode):
    """d/dx |x| = sign(x) (not differentiable at x = 0)"""

    rule: ClassVar[str] = "abs"

    def compute(self):
        return sympy.sign(self.variable)


@dataclass(frozen=True, eq=False)
class SignRule(StepNode):
    """d/dx sign(x) = 2·δ(x): 0 for x ≠ 0, a jump (no derivative) at x = 0"""

    rule: ClassVar[str] = "sign"

    def compute(self):
        return 2 * sympy.DiracDelta(self.variable)


@dataclass(frozen=True, eq=False)
class MaxMinRule(StepNode):
    """d/dx max(f, g) = f'·H(f − g) + g'·H(g − f) (min: the other way round; kink where f = g)"""

    steps: tuple[StepNode, ...]

    rule: ClassVar[str] = "max_min"

    @property
    def substeps(self):
        return self.steps

    def compute(self):
        args = self.expr.args
        is_max = isinstance(self.expr, sympy.Max)
        terms = []
        for i, step in enumerate(self.steps):
            rest = args[:i] + args[i + 1:]
            if is_max:
                terms.append(step.result * sympy.Heaviside(args[i] - sympy.Max(*rest)))
            else:
                terms.append(step.result * sympy.Heaviside(sympy.Min(*rest) - args[i]))
        return sympy.Add(*terms)


@dataclass(frozen=True, eq=False)
class ReluRule(StepNode):
    """d/dx relu(x) = d/dx max(0, x) = H(x), the step (kink at x = 0)"""

    rule: ClassVar[str] = "relu"

    def compute(self):
        return sympy.Heaviside(self.variable)


def sigmoid(u: sympy.Expr) -> sympy.Expr:
    """σ(u) = 1/(1 + e⁻ᵘ), written the way the parser writes sigmoid."""
    return 1 / (1 + sympy.exp(-u))


@dataclass(frozen=True, eq=False)
class SigmoidRule(StepNode):
    """d/dx σ(x) = σ(x)·(1 − σ(x)), σ(x) = 1/(1 + e⁻ˣ)"""

    rule: ClassVar[str] = "sigmoid"

    def compute(self):
        s = sigmoid(self.variable)
        return s * (1 - s)


@dataclass(frozen=True, eq=False)
class SoftplusRule(StepNode):
    """d/dx softplus(x) = d/dx ln(1 + eˣ) = σ(x)"""

    rule: ClassVar[str] = "softplus"

    def compute(self):
        return sigmoid(self.variable)


# --- sums over data ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SumOverDataRule(StepNode):
    """∂/∂θ Σₙ fₙ = Σₙ ∂fₙ/∂θ (linearity; the data xₙ, yₙ are constants)"""

    inner: StepNode

    rule: ClassVar[str] = "sum_over_data"

    @property
    def substeps(self):
        return (self.inner,)

    def compute(self):
        return sympy.Sum(self.inner.result, *self.expr.limits)


# --- framing: the partial, the final form, the gradient ------------------------------------


@dataclass(frozen=True, eq=False)
class SimplifyRule(StepNode):
    """f' = the same value in the chosen output form"""

    target: sympy.Expr
    form: str
    note: str | None = None

    rule: ClassVar[str] = "simplify"

    def compute(self):
        return self.target


@dataclass(frozen=True, eq=False)
class RewriteRule(StepNode):
    """f = g (the same value written another way, before a rule applies)"""

    target: sympy.Expr

    rule: ClassVar[str] = "rewrite"

    def compute(self):
        return self.target


@dataclass(frozen=True, eq=False)
class PartialRule(StepNode):
    """∂f/∂x: f'(x) with every other variable and parameter held constant"""

    variable: sympy.Symbol  # never None here (the field keeps its place in the base's order)
    constants: tuple[sympy.Basic, ...]
    derivation: StepNode
    final: SimplifyRule

    rule: ClassVar[str] = "partial"

    @property
    def substeps(self):
        return (self.derivation, self.final)

    def compute(self):
        return self.final.result


@dataclass(frozen=True, eq=False)
class GradientRule(StepNode):
    """∇f = (∂f/∂x₁, …, ∂f/∂x_d)ᵀ, a column"""

    variables: tuple[sympy.Symbol, ...]
    partials: tuple[StepNode, ...]
    evaluation: StepNode | None = None

    rule: ClassVar[str] = "gradient"

    @property
    def substeps(self):
        refs = tuple(RepeatRule(p.expr, p.variable, p) for p in self.partials)
        return refs + ((self.evaluation,) if self.evaluation is not None else ())

    def compute(self):
        return sympy.Matrix([p.result for p in self.partials])


@dataclass(frozen=True, eq=False)
class EvaluateRule(StepNode):
    """∇f(x₀): substitute the point into each component"""

    point: tuple[tuple[sympy.Symbol, sympy.Expr], ...]

    rule: ClassVar[str] = "evaluate"

    def compute(self):
        return self.expr.xreplace(dict(self.point))


#: every rule class, by its name (the catalogue in :mod:`nablab.steps.wording` must cover it)
RULES: dict[str, type[StepNode]] = {
    cls.rule: cls
    for cls in (
        ConstantRule, OtherSymbolRule, VariableRule, ConstantMultipleRule, SumRule, ProductRule,
        QuotientRule, ChainRule, RepeatRule, PowerRule, ExpRule, ExponentialRule, LogRule,
        LogBaseRule, LogDiffRule, SinRule, CosRule, TanRule, SecRule, CscRule, CotRule, AsinRule,
        AcosRule, AtanRule, AcotRule, Atan2Rule, SinhRule, CoshRule, TanhRule, TableRule,
        AbsRule, SignRule, MaxMinRule, ReluRule, SigmoidRule, SoftplusRule, SumOverDataRule, SimplifyRule,
        RewriteRule, PartialRule, GradientRule, EvaluateRule,
    )
}
