"""The dispatch: given an expression and a variable, choose the rule and build its node.

Shapes are recognised before generic rules: ``1/(1 + exp(-u))`` is the sigmoid,
``log(1 + exp(u))`` softplus, ``Max(0, u)`` relu, ``log(u)/log(b)`` log base b. A function of
something other than the variable itself goes through the chain rule with an explicit
"let u = …"; the same inner expression always gets the same letter. A sub-derivation that
was already shown (same expression, same variable, more than one step) becomes a
:class:`~nablab.steps.rules.RepeatRule` pointing at the first one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy
from sympy.core.function import AppliedUndef

from nablab.errors import NablabError
from nablab.steps import rules as R

#: letters offered for substitutions, in order (then u1, u2, …)
_LETTERS = ("u", "v", "w", "z", "s", "r", "q", "p")

_UNARY: dict[type, type[R.StepNode]] = {
    sympy.exp: R.ExpRule,
    sympy.log: R.LogRule,
    sympy.sin: R.SinRule,
    sympy.cos: R.CosRule,
    sympy.tan: R.TanRule,
    sympy.sec: R.SecRule,
    sympy.csc: R.CscRule,
    sympy.cot: R.CotRule,
    sympy.asin: R.AsinRule,
    sympy.acos: R.AcosRule,
    sympy.atan: R.AtanRule,
    sympy.acot: R.AcotRule,
    sympy.sinh: R.SinhRule,
    sympy.cosh: R.CoshRule,
    sympy.tanh: R.TanhRule,
    sympy.Abs: R.AbsRule,
    sympy.sign: R.SignRule,
}


@dataclass
class _Context:
    """Per-partial state: substitution letters and derivations already shown."""

    taken: set[str]
    letters: dict[sympy.Expr, sympy.Symbol] = field(default_factory=dict)
    shown: dict[tuple[sympy.Expr, sympy.Symbol], R.StepNode] = field(default_factory=dict)
    memo: dict[tuple[sympy.Basic, sympy.Symbol], bool] = field(default_factory=dict)

    def depends(self, e: sympy.Basic, x: sympy.Symbol) -> bool:
        """Does ``e`` contain ``x``? Memoised over the expression DAG (``has`` walks the tree,
        which for nested input is exponentially larger)."""
        key = (e, x)
        got = self.memo.get(key)
        if got is None:
            if isinstance(e, sympy.Symbol):
                got = e == x
            elif not e.args:
                got = False
            elif isinstance(e, sympy.Sum):
                got = e.has(x)
            else:
                got = any(self.depends(a, x) for a in e.args)
            self.memo[key] = got
        return got

    def letter_for(self, inner: sympy.Expr) -> sympy.Symbol:
        if inner in self.letters:
            return self.letters[inner]
        names = [*_LETTERS, *(f"u{i}" for i in range(1, 1000))]
        name = next(n for n in names if n not in self.taken)
        self.taken.add(name)
        sym = sympy.Symbol(name, real=True)
        self.letters[inner] = sym
        return sym


def derive(expr: sympy.Expr, variable: sympy.Symbol, taken: set[str] | None = None) -> R.StepNode:
    """Given ``expr`` (real symbols) and ``variable``, return the step tree of d expr/d variable.

    ``taken`` are names the substitution letters must avoid (the function's own symbols).
    """
    expr = expr if isinstance(expr, sympy.Basic) else sympy.Number(expr)  # never sympify text
    names = {s.name for s in expr.free_symbols} | set(taken or ())
    return _derive(expr, variable, _Context(taken=names))


def _derive(expr: sympy.Expr, x: sympy.Symbol, ctx: _Context) -> R.StepNode:
    if not ctx.depends(expr, x):
        if isinstance(expr, sympy.Symbol):
            return R.OtherSymbolRule(expr, x)
        return R.ConstantRule(expr, x)
    if expr == x:
        return R.VariableRule(expr, x)
    key = (expr, x)
    if key in ctx.shown:
        return R.RepeatRule(expr, x, ctx.shown[key])
    node = _dispatch(expr, x, ctx)
    if node.substeps:
        ctx.shown.setdefault(key, node)
    return node


def _dispatch(expr: sympy.Expr, x: sympy.Symbol, ctx: _Context) -> R.StepNode:
    if isinstance(expr, sympy.Add):
        # terms free of x are shown together as one constant (x_1 + … + x_1000 stays readable)
        # in the order the expression is printed, so the sub-steps read left to right
        dep = [t for t in expr.as_ordered_terms() if ctx.depends(t, x)]
        const = sympy.Add(*(t for t in expr.args if not ctx.depends(t, x)))
        terms = [_derive(t, x, ctx) for t in dep]
        if const != 0:
            terms.append(_derive(const, x, ctx))
        return R.SumRule(expr, x, tuple(terms))
    if isinstance(expr, sympy.Mul):
        return _mul(expr, x, ctx)
    if isinstance(expr, sympy.Pow):
        return _pow(expr, x, ctx)
    if isinstance(expr, sympy.Sum):
        if any(ctx.depends(bound, x) for lim in expr.limits for bound in lim[1:]):
            raise NablabError(f"cannot differentiate with respect to {x.name} here",
                              hint=f"{x.name} is a summation limit; choose other variables")
        return R.SumOverDataRule(expr, x, _derive(expr.function, x, ctx))
    if isinstance(expr, sympy.log) and len(expr.args) == 1:
        arg = expr.args[0]
        exp_arg = _one_plus_exp(arg)
        if exp_arg is not None:  # log(1 + exp(u)) is softplus
            return _unary(expr, x, ctx, exp_arg, R.SoftplusRule,
                          lambda u: sympy.log(1 + sympy.exp(u)))
    if isinstance(expr, (sympy.Max, sympy.Min)):
        args = expr.args
        if isinstance(expr, sympy.Max) and len(args) == 2 and sympy.S.Zero in args:
            u = args[1] if args[0] == 0 else args[0]
            return _unary(expr, x, ctx, u, R.ReluRule, lambda v: sympy.Max(0, v))
        return R.MaxMinRule(expr, x, tuple(_derive(a, x, ctx) for a in args))
    if isinstance(expr, sympy.atan2):
        a, b = expr.args
        return R.Atan2Rule(expr, x, _derive(a, x, ctx), _derive(b, x, ctx))
    rule = _UNARY.get(type(expr))
    if rule is not None and len(expr.args) == 1:
        return _unary(expr, x, ctx, expr.args[0], rule, expr.func)
    if isinstance(expr, sympy.Function) and not isinstance(expr, AppliedUndef) \
            and len(expr.args) == 1:
        return _unary(expr, x, ctx, expr.args[0], R.TableRule, expr.func)
    return R.TableRule(expr, x)


def _unary(
    expr: sympy.Expr,
    x: sympy.Symbol,
    ctx: _Context,
    arg: sympy.Expr,
    rule: type[R.StepNode],
    build: Callable[[sympy.Expr], sympy.Expr],
    **fields,
) -> R.StepNode:
    """``rule`` applied to f(arg): directly when arg is the variable, else via the chain rule
    with ``build(u)`` as the outer function f(u)."""
    if arg == x:
        return rule(expr, x, **fields)
    u = ctx.letter_for(arg)
    outer = rule(build(u), u, **fields)
    return R.ChainRule(expr, x, u, arg, outer, _derive(arg, x, ctx))


def _mul(expr: sympy.Mul, x: sympy.Symbol, ctx: _Context) -> R.StepNode:
    const = sympy.Mul(*(f for f in expr.args if not ctx.depends(f, x)))
    dep = sympy.Mul(*(f for f in expr.args if ctx.depends(f, x)))
    base = _log_base(const, dep)
    if base is not None:
        arg = dep.args[0]
        rest = const * sympy.log(base)
        node = _unary(sympy.log(arg) / sympy.log(base), x, ctx, arg, R.LogBaseRule,
                      lambda u: sympy.log(u) / sympy.log(base), base=base)
        if rest != 1:
            return R.ConstantMultipleRule(expr, x, rest, node)
        return node
    if const != 1:
        return R.ConstantMultipleRule(expr, x, const, _derive(dep, x, ctx))
    factors = list(dep.args)
    den = [f for f in factors if isinstance(f, sympy.Pow) and f.exp.is_number
           and f.exp.is_negative]
    num = [f for f in factors if f not in den]
    if den and num:
        numerator, denominator = sympy.Mul(*num), sympy.Mul(*(1 / f for f in den))
        return R.QuotientRule(expr, x, numerator, denominator, _derive(numerator, x, ctx),
                              _derive(denominator, x, ctx))
    return R.ProductRule(expr, x, tuple(factors), tuple(_derive(f, x, ctx) for f in factors))


def _log_base(const: sympy.Expr, dep: sympy.Expr) -> sympy.Expr | None:
    """b when ``const·dep`` is c·log(u)/log(b) with b constant (how log(u, b) is parsed)."""
    if not isinstance(dep, sympy.log):
        return None
    for f in sympy.Mul.make_args(const):
        if isinstance(f, sympy.Pow) and f.exp == -1 and isinstance(f.base, sympy.log):
            return f.base.args[0]
    return None


def _one_plus_exp(expr: sympy.Expr) -> sympy.Expr | None:
    """w when ``expr`` is 1 + exp(w)."""
    if isinstance(expr, sympy.Add) and len(expr.args) == 2 and sympy.S.One in expr.args:
        other = expr.args[1] if expr.args[0] == 1 else expr.args[0]
        if isinstance(other, sympy.exp):
            return other.args[0]
    return None


def _pow(expr: sympy.Pow, x: sympy.Symbol, ctx: _Context) -> R.StepNode:
    base, exponent = expr.args
    if ctx.depends(base, x) and ctx.depends(exponent, x):
        log_step = _derive(exponent * sympy.log(base), x, ctx)
        return R.LogDiffRule(expr, x, base, exponent, log_step)
    if ctx.depends(exponent, x):
        return _unary(expr, x, ctx, exponent, R.ExponentialRule, lambda u: base**u, base=base)
    if exponent == -1:
        w = _one_plus_exp(base)
        if w is not None:  # 1/(1 + exp(-u)) is the sigmoid of u
            return _unary(expr, x, ctx, -w, R.SigmoidRule, R.sigmoid)
    return _unary(expr, x, ctx, base, R.PowerRule, lambda u: u**exponent, exponent=exponent)
