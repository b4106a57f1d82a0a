"""The catalogue: how each rule is named, explained and written as a general formula.

Data only: one entry per rule name in :data:`nablab.steps.rules.RULES` (a test keeps the two
in step). Formulas are LaTeX, written with x for the variable and u, v for functions of it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Wording:
    title: str
    explanation: str
    formula: str


D = r"\frac{d}{dx}"

CATALOGUE: dict[str, Wording] = {
    "constant": Wording(
        "constant rule",
        "The expression does not depend on the variable, so its derivative is 0.",
        rf"{D}\, c = 0"),
    "other_symbol": Wording(
        "another variable or parameter",
        "Every other variable and parameter is held constant, so its derivative is 0.",
        r"\frac{\partial}{\partial x}\, y = 0"),
    "variable": Wording(
        "the variable itself",
        "The derivative of the variable with respect to itself is 1.",
        rf"{D}\, x = 1"),
    "constant_multiple": Wording(
        "constant multiple rule",
        "A constant factor stays in front of the derivative.",
        rf"{D}\left(c\,u\right) = c\,{D} u"),
    "sum": Wording(
        "sum rule",
        "The derivative of a sum (or difference) is the sum of the derivatives of its terms.",
        rf"{D}\left(u + v\right) = {D} u + {D} v"),
    "product": Wording(
        "product rule",
        "Differentiate one factor at a time, keep the others, and add the results.",
        rf"{D}\left(u\,v\right) = u'\,v + u\,v'"),
    "quotient": Wording(
        "quotient rule",
        "Numerator's derivative times the denominator, minus numerator times the "
        "denominator's derivative, all over the denominator squared.",
        rf"{D}\,\frac{{u}}{{v}} = \frac{{u'\,v - u\,v'}}{{v^{{2}}}}"),
    "chain": Wording(
        "chain rule",
        "Differentiate the outer function at the inner expression u, then multiply by the "
        "derivative of u.",
        rf"{D}\, f(u(x)) = f'(u)\,u'(x)"),
    "repeat": Wording(
        "as derived above",
        "This derivative was already worked out above; its result is reused.",
        rf"{D}\, u = u' \text{{ (see above)}}"),
    "power": Wording(
        "power rule",
        "Bring the exponent down and lower it by one (works for roots, reciprocals, negative "
        "and fractional exponents).",
        rf"{D}\, x^{{n}} = n\,x^{{n-1}}"),
    "exp": Wording(
        "exponential rule",
        "The exponential function is its own derivative.",
        rf"{D}\, e^{{x}} = e^{{x}}"),
    "exponential": Wording(
        "exponential rule (base a)",
        "A constant base raised to the variable: the same power times the natural log of the "
        "base.",
        rf"{D}\, a^{{x}} = a^{{x}} \ln a"),
    "log": Wording(
        "natural logarithm rule",
        "The derivative of ln x is 1/x (for x > 0).",
        rf"{D}\, \ln x = \frac{{1}}{{x}}"),
    "log_base": Wording(
        "logarithm rule (base b)",
        "log_b x = ln x / ln b, so its derivative is 1/(x ln b).",
        rf"{D}\, \log_{{b}} x = \frac{{1}}{{x \ln b}}"),
    "log_diff": Wording(
        "logarithmic differentiation",
        "Both base and exponent vary: take logs, ln y = v ln u, differentiate, and multiply "
        "back by y = u^v.",
        rf"{D}\, u^{{v}} = u^{{v}}\left(v' \ln u + \frac{{v\,u'}}{{u}}\right)"),
    "sin": Wording("derivative of sine", "The derivative of sin x is cos x.",
                   rf"{D}\, \sin x = \cos x"),
    "cos": Wording("derivative of cosine", "The derivative of cos x is −sin x.",
                   rf"{D}\, \cos x = -\sin x"),
    "tan": Wording("derivative of tangent", "The derivative of tan x is sec² x = 1 + tan² x.",
                   rf"{D}\, \tan x = \sec^{{2}} x = 1 + \tan^{{2}} x"),
    "sec": Wording("derivative of secant", "The derivative of sec x is sec x tan x.",
                   rf"{D}\, \sec x = \sec x \tan x"),
    "csc": Wording("derivative of cosecant", "The derivative of csc x is −csc x cot x.",
                   rf"{D}\, \csc x = -\csc x \cot x"),
    "cot": Wording("derivative of cotangent", "The derivative of cot x is −csc² x = −(1 + cot² x).",
                   rf"{D}\, \cot x = -\csc^{{2}} x = -\left(1 + \cot^{{2}} x\right)"),
    "asin": Wording("derivative of arcsine", "The derivative of asin x is 1/√(1 − x²), for |x| < 1.",
                    rf"{D}\, \operatorname{{asin}} x = \frac{{1}}{{\sqrt{{1 - x^{{2}}}}}}"),
    "acos": Wording("derivative of arccosine",
                    "The derivative of acos x is −1/√(1 − x²), for |x| < 1.",
                    rf"{D}\, \operatorname{{acos}} x = -\frac{{1}}{{\sqrt{{1 - x^{{2}}}}}}"),
    "atan": Wording("derivative of arctangent", "The derivative of atan x is 1/(1 + x²).",
                    rf"{D}\, \operatorname{{atan}} x = \frac{{1}}{{1 + x^{{2}}}}"),
    "acot": Wording("derivative of arccotangent", "The derivative of acot x is −1/(1 + x²).",
                    rf"{D}\, \operatorname{{acot}} x = -\frac{{1}}{{1 + x^{{2}}}}"),
    "atan2": Wording(
        "derivative of atan2",
        "atan2(a, b) is the angle of the point (b, a); its derivative combines both arguments' "
        "derivatives.",
        rf"{D}\, \operatorname{{atan2}}(a, b) = \frac{{b\,a' - a\,b'}}{{a^{{2}} + b^{{2}}}}"),
    "sinh": Wording("derivative of hyperbolic sine", "The derivative of sinh x is cosh x.",
                    rf"{D}\, \sinh x = \cosh x"),
    "cosh": Wording("derivative of hyperbolic cosine", "The derivative of cosh x is sinh x.",
                    rf"{D}\, \cosh x = \sinh x"),
    "tanh": Wording("derivative of tanh", "The derivative of tanh x is 1 − tanh² x.",
                    rf"{D}\, \tanh x = 1 - \tanh^{{2}} x"),
    "table": Wording(
        "table of derivatives",
        "This function's derivative is taken from the standard table of derivatives.",
        rf"{D}\, f(x) = f'(x)"),
    "abs": Wording(
        "derivative of absolute value",
        "The derivative of |x| is sign(x); |x| is not differentiable at x = 0.",
        rf"{D}\, |x| = \operatorname{{sign}}(x) \quad (x \neq 0)"),
    "sign": Wording(
        "derivative of sign",
        "sign(x) is flat (slope 0) away from 0 and jumps at x = 0, where it has no derivative; "
        "SymPy writes this as 2δ(x).",
        rf"{D}\, \operatorname{{sign}}(x) = 0 \quad (x \neq 0)"),
    "max_min": Wording(
        "derivative of max / min",
        "Piecewise: the derivative of whichever argument is the largest (smallest), written "
        "with the unit step H; there is a kink where the arguments are equal.",
        r"\frac{d}{dx} \max(u, v) = u'\,H(u - v) + v'\,H(v - u)"),
    "relu": Wording(
        "derivative of relu",
        "relu(x) = max(0, x) has slope 0 for x < 0 and 1 for x > 0: the unit step H(x); "
        "there is a kink at x = 0.",
        rf"{D}\, \max(0, x) = H(x)"),
    "sigmoid": Wording(
        "derivative of the sigmoid",
        "The logistic sigmoid σ(x) = 1/(1 + e^(−x)) has derivative σ(x)(1 − σ(x)).",
        rf"{D}\, \sigma(x) = \sigma(x)\left(1 - \sigma(x)\right)"),
    "softplus": Wording(
        "derivative of softplus",
        "softplus(x) = ln(1 + e^x) has the sigmoid as its derivative.",
        rf"{D}\, \ln\left(1 + e^{{x}}\right) = \sigma(x) = \frac{{1}}{{1 + e^{{-x}}}}"),
    "sum_over_data": Wording(
        "sum over the data (linearity)",
        "Differentiate each term of the sum; the data are constants and the sum's bounds do not "
        "depend on the variable.",
        r"\frac{\partial}{\partial \theta} \sum_{n} f_{n} = \sum_{n} "
        r"\frac{\partial f_{n}}{\partial \theta}"),
    "simplify": Wording(
        "simplify",
        "Write the result in the chosen output form; the value does not change.",
        r"f' = \text{the same value, simplified}"),
    "rewrite": Wording(
        "rewrite",
        "Write the expression another way before differentiating; the value does not change.",
        r"u = \tilde u"),
    "partial": Wording(
        "partial derivative",
        "Treat the other variables (and parameters) as constants and differentiate with respect "
        "to this one.",
        r"\frac{\partial f}{\partial x_k} = \lim_{h \to 0} "
        r"\frac{f(\dots, x_k + h, \dots) - f(\dots, x_k, \dots)}{h}"),
    "gradient": Wording(
        "gradient",
        "Collect the partial derivatives into a column vector.",
        r"\nabla f = \begin{bmatrix} \frac{\partial f}{\partial x_1} & \cdots & "
        r"\frac{\partial f}{\partial x_d} \end{bmatrix}^{\top}"),
    "evaluate": Wording(
        "evaluate at the point",
        "Substitute the point into every component of the gradient.",
        r"\nabla f(\mathbf{x}_0)"),
}


def wording(rule: str) -> Wording:
    """The catalogue entry for ``rule`` (KeyError for a rule without one — a test forbids it)."""
    return CATALOGUE[rule]
