"""The public entry points: the derivation of one partial, and of the whole gradient.

A partial is a :class:`~nablab.steps.rules.PartialRule` whose two sub-steps are the rule tree
("treat the other variables and parameters as constants", then the rules) and a final
``simplify`` step to *the gradient core's answer* in the chosen form — so the steps and the
answer cannot disagree: the steps end exactly where the core ends, and the tests check that
every node's result is the true derivative of its expression.

:func:`derive_gradient` returns a :class:`GradientSteps`: a ``dict`` from variable name to its
partial's tree, plus ``.assembly``, a ``gradient`` node collecting the partials into the column
∇f (its sub-steps refer to the partials, and with a point end in an ``evaluate`` step).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from nablab.calculus.forms import FORMS, to_form
from nablab.calculus.partials import partial
from nablab.dag import has_data, nodes, tree_size
from nablab.display import RichDisplay
from nablab.errors import ComputeLimitError, DomainError, NablabError
from nablab.expression import Expression, to_real
from nablab.parse.values import exact_number
from nablab.steps import rules as R
from nablab.steps.engine import derive


class GradientSteps(RichDisplay, dict):
    """Variable name -> the :class:`PartialRule` tree of that partial, in variable order;
    ``assembly`` is the ``gradient`` node (∇f as a column, and the evaluation at a point)."""

    def __init__(self, partials: Mapping[str, R.StepNode], assembly: R.GradientRule):
        super().__init__(partials)
        self.assembly = assembly


def _as_expression(expression: Expression) -> Expression:
    if isinstance(expression, Expression):
        return expression
    raise TypeError(f"expected a parsed Expression (nablab.parse or nablab.api.expression), "
                    f"got {type(expression).__name__}")


def _symbol(expression: Expression, name: str) -> sympy.Symbol:
    known = [*expression.variables, *expression.parameters]
    # theta_1 and theta1 are the same name to the parser (a subscript typed either way)
    for s in known:
        if s.name == name or s.name.replace("_", "") == name.replace("_", ""):
            return sympy.Symbol(s.name, real=True)
    names = ", ".join(s.name for s in known) or "none"
    raise NablabError(
        f"cannot differentiate by {name!r}: it is not a variable or parameter of this function",
        hint=f"the function's symbols are: {names}",
    )


def core_answer(expr: sympy.Expr, variable: sympy.Symbol, form: str) -> tuple[sympy.Expr, str | None]:
    """The gradient core's ∂expr/∂variable in ``form`` (real symbols in and out), with its note."""
    formed = to_form(partial(expr, variable), form)
    return formed.expr, formed.note


def _as_printed(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` (real symbols) the way ``nablab grad`` shows it: through plain symbols and
    back, which re-evaluates every node (an unevaluated ``2*(a + b)`` becomes ``2*a + 2*b``,
    as ``sympify`` of its text would), so the last step's text is the answer's text."""
    plain = expr.xreplace({s: sympy.Symbol(s.name) for s in expr.free_symbols
                           if isinstance(s, sympy.Symbol)})
    return to_real(plain)[0]


#: the largest function (tree size) shown step by step: beyond it the steps would print
#: megabytes (nested input grows exponentially when written out)
MAX_STEPS_SIZE = 5000


def _data(f: sympy.Expr) -> set[sympy.Basic]:
    """Data such as y(n) in f (a walk over the DAG, each subexpression once)."""
    return {e for e in nodes(f) if isinstance(e, AppliedUndef)}


def _guard_size(f: sympy.Expr) -> None:
    size = tree_size(f)
    if size > MAX_STEPS_SIZE:
        raise ComputeLimitError(
            f"this function is too large to show step by step ({size} nodes written out; "
            f"the limit is {MAX_STEPS_SIZE})",
            hint="ask for the partial derivatives without steps")


def derive_partial(
    expression: Expression,
    variable: str,
    form: str = "simplified",
    *,
    answer: sympy.Expr | None = None,
    note: str | None = None,
) -> R.PartialRule:
    """Given a parsed function and a variable name, return the step tree of ∂f/∂variable,
    ending in a ``simplify`` step to the core's answer in ``form``.

    A caller that already has the core's answer (``nablab.calculus.gradient``, real symbols)
    passes it as ``answer`` (and its form note as ``note``): the steps then end exactly on it
    and nothing is simplified twice.
    """
    expression = _as_expression(expression)
    x = _symbol(expression, variable)
    _guard_size(expression.expr)
    f, _back = to_real(expression.expr)
    if form not in FORMS:
        raise NablabError(f"unknown form {form!r}", hint="choose one of: " + ", ".join(FORMS))
    if answer is None:
        answer, note = core_answer(f, x, form)
    answer = _as_printed(answer)
    derivation = derive(f, x)
    final = R.SimplifyRule(derivation.result, x, answer, form, note)
    data = sorted(_data(f), key=sympy.default_sort_key)
    constants = tuple(
        sympy.Symbol(s.name, real=True)
        for s in (*expression.variables, *expression.parameters)
        if s.name != x.name
    ) + tuple(data)
    return R.PartialRule(f, x, constants, derivation, final)


def derive_gradient(
    expression: Expression,
    form: str = "simplified",
    at: Mapping[str, Any] | None = None,
    *,
    answers: Mapping[str, sympy.Expr] | None = None,
    notes: Mapping[str, str | None] | None = None,
) -> GradientSteps:
    """Given a parsed function, return every partial's steps and the assembly of ∇f (with
    ``at``, a mapping from every variable name to an already-read number, also its
    evaluation there).
    ``answers`` (variable name -> the core's partial in ``form``) and their ``notes`` as in
    :func:`derive_partial`."""
    expression = _as_expression(expression)
    names = expression.variable_names
    answers, notes = answers or {}, notes or {}
    if at is not None and has_data(expression.expr):
        raise NablabError("this function sums over data, so it has no value at a point "
                          "without the data", hint="leave out the point")
    partials = {name: derive_partial(expression, name, form, answer=answers.get(name),
                                     note=notes.get(name))
                for name in names}
    f, _back = to_real(expression.expr)
    xs = tuple(sympy.Symbol(n, real=True) for n in names)
    column = sympy.Matrix([p.result for p in partials.values()])
    evaluation = None
    if at is not None:
        point = _point(at, names)
        evaluation = R.EvaluateRule(column, None, point)
        _check_defined(evaluation.result, names)
    assembly = R.GradientRule(f, None, xs, tuple(partials.values()), evaluation)
    return GradientSteps(partials, assembly)


def _point(at: Mapping[str, Any], names: list[str]) -> tuple[tuple[sympy.Symbol, sympy.Expr], ...]:
    missing = [n for n in names if n not in at]
    if missing:
        raise NablabError(f"the point gives no value for {', '.join(missing)}",
                          hint="give a value for every variable, e.g. x=1,y=2")
    return tuple((sympy.Symbol(name, real=True), exact_number(name, at[name])) for name in names)


def _finite_real(value: sympy.Expr) -> bool:
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return False
    v = sympy.N(value, 20)
    re, im = v.as_real_imag()
    return bool(re.is_finite) and abs(im) <= 1e-15 * (1 + abs(re))


def _check_defined(values: sympy.Matrix, names: list[str]) -> None:
    for name, value in zip(names, values, strict=True):
        if not _finite_real(value):
            raise DomainError(f"∂f/∂{name} is not defined (as a real number) at this point",
                              hint="choose a point inside the domain of f and its partials")
