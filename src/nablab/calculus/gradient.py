"""``gradient(...)``: every partial, ∇f as a column, the Hessian on request, the domain, and at a
point the values and the finite-difference check — one result object, one JSON schema."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sympy

from nablab.calculus.dag import has_type, tree_size
from nablab.calculus.domain import Condition, domain_conditions
from nablab.calculus.forms import FORMS, FormResult, to_form
from nablab.calculus.hessian import hessian_matrix
from nablab.calculus.partials import partials as derive
from nablab.calculus.point import PointResult, evaluate_at
from nablab.calculus.sums import has_data
from nablab.errors import ComputeLimitError, DomainError, NablabError
from nablab.expression import Expression, from_real

#: total seconds all output forms of one call may spend simplifying
TOTAL_FORM_BUDGET_S = 4.0
#: a partial larger than this (as a tree) cannot be printed in any reasonable time or space
#: (writing one takes ~40 µs per node in each of text, echo and LaTeX: 20 000 nodes ≈ 1 s each)
MAX_PRINT_NODES = 20_000
_UNDEFINED = (type(sympy.zoo), type(sympy.nan), type(sympy.oo), type(-sympy.oo))


@dataclass
class GradientResult:
    """The answer to "what is ∇f?" (expressions over the parsed, plain symbols)."""

    expression: Expression
    variables: tuple[sympy.Symbol, ...]
    parameters: tuple[sympy.Symbol, ...]
    form: str
    partials: list[sympy.Expr]
    derived: list[sympy.Expr]
    notes: list[str | None]
    domain: list[Condition]
    hessian: list[list[sympy.Expr]] | None = None
    at: PointResult | None = None
    back: dict = field(default_factory=dict, repr=False)
    steps: dict | None = None

    @property
    def gradient(self) -> sympy.Matrix:
        """∇f as a column vector."""
        return sympy.Matrix(self.partials)

    def to_dict(self) -> dict:
        from nablab.render.json import expression_dict
        from nablab.render.latex import to_latex
        from nablab.render.text import to_echo, to_text

        out = expression_dict(self.expression)
        out["variables"] = [v.name for v in self.variables]
        out["parameters"] = [p.name for p in self.parameters]
        out["form"] = self.form
        out["partials"] = [
            {"variable": v.name, "text": to_text(p), "latex": to_latex(p), "echo": to_echo(p),
             "note": note}
            for v, p, note in zip(self.variables, self.partials, self.notes, strict=True)
        ]
        out["gradient"] = {"text": _matrix_text([[p] for p in self.partials]),
                           "latex": to_latex(self.gradient)}
        if self.hessian is not None:
            out["hessian"] = {"text": _matrix_text(self.hessian),
                              "latex": to_latex(sympy.Matrix(self.hessian))}
        out["domain"] = [c.to_dict(self.back) for c in self.domain]
        out["at"] = None if self.at is None else self.at.to_dict(self.back)
        if self.steps is not None:
            out["steps"] = {name: node.to_dict() for name, node in self.steps.items()}
            assembly = getattr(self.steps, "assembly", None)
            if assembly is not None:  # ∇f assembled from the partials (and evaluated at a point)
                out["gradient_steps"] = assembly.to_dict()
        return out


def _matrix_text(rows: list[list[sympy.Expr]]) -> str:
    """``Matrix([[a], [b]])`` on one line (SymPy syntax, read back by sympify)."""
    from nablab.render.text import to_text

    inner = ", ".join("[" + ", ".join(to_text(x) for x in row) + "]" for row in rows)
    return f"Matrix([{inner}])"


def _read(text_or_expression: Any, variables: Any) -> Expression:
    if isinstance(text_or_expression, Expression):
        e = text_or_expression
        if variables is None:
            return e
        from nablab.parse.reader import declared_names

        names = declared_names(variables) or [v.name for v in e.variables]
        syms = tuple(sympy.Symbol(n) for n in names)
        free = {s for s in e.expr.free_symbols if isinstance(s, sympy.Symbol)}
        params = tuple(s for s in (*e.variables, *e.parameters) if s in free and s not in syms)
        return Expression(e.source, e.expr, syms, params, e.warnings, e.latex_input)
    if isinstance(text_or_expression, str):
        from nablab.parse import parse

        return parse(text_or_expression, variables)
    raise NablabError(f"expected the function as text, got {type(text_or_expression).__name__}")


def gradient(
    text_or_expression: Any,
    variables: Any = None,
    *,
    at: Any = None,
    form: str = "simplified",
    hessian: bool = False,
    direction: Any = None,
    budget_s: float = TOTAL_FORM_BUDGET_S,
) -> GradientResult:
    """Given a function (text or a parsed :class:`Expression`) return ∂f/∂xₖ for each
    variable in ``form``, ∇f, the domain, optionally the Hessian, and with ``at`` the values at
    that point with a finite-difference check (``direction`` adds a directional derivative)."""
    if form not in FORMS:
        raise NablabError(f"unknown output form {form!r}", hint="use one of " + ", ".join(FORMS))
    e = _read(text_or_expression, variables)
    if not e.variables:
        raise NablabError("the function has no variables to differentiate by",
                          hint="declare them, e.g. --vars x,y")
    real_expr, rvars, rparams, back = e.expr, e.variables, e.parameters, {}
    derived, shaped, hess, conditions = _symbolic(real_expr, rvars, form, hessian, budget_s)
    point = None
    if at is not None and at != {} and at != "":
        if has_data(real_expr):
            raise NablabError("this function sums over data, so it has no value at a point "
                              "without the data", hint="use nablab regress with a data file")
        point = evaluate_at(real_expr, derived, rvars, rparams, conditions, at,
                            direction=direction, hessian=hess, back=back)
    elif direction is not None:
        raise NablabError("a direction needs a point", hint="add --at x=1,y=2")

    def plain(x: sympy.Expr) -> sympy.Expr:
        return from_real(x, back) if back else x  # xreplace walks the whole tree

    return GradientResult(
        expression=e,
        variables=e.variables,
        parameters=e.parameters,
        form=form,
        partials=[plain(s.expr) for s in shaped],
        derived=[plain(d) for d in derived],
        notes=[s.note for s in shaped],
        domain=conditions,
        hessian=None if hess is None else [[plain(h) for h in row] for row in hess],
        at=point,
        back=back,
    )


#: symbolic answers kept per process: the page and the HTTP API ask for the same function at
#: many points (every click), and only the evaluation at the point depends on the point
_SYMBOLIC_CACHE: OrderedDict[tuple, tuple] = OrderedDict()
_SYMBOLIC_CACHE_SIZE = 256


def _symbolic(
    real_expr: sympy.Expr,
    rvars: tuple[sympy.Symbol, ...],
    form: str,
    hessian: bool,
    budget_s: float,
) -> tuple[list[sympy.Expr], list[FormResult], list[list[sympy.Expr]] | None, list[Condition]]:
    """The point-independent part of :func:`gradient` (partials in ``form``, Hessian, domain),
    memoised; an answer that ran out of its time budget is not kept, so it is tried again."""
    key = (real_expr, rvars, form, hessian, budget_s)
    hit = _SYMBOLIC_CACHE.get(key)
    if hit is not None:
        _SYMBOLIC_CACHE.move_to_end(key)
        return hit
    # SymEngine has no assumptions and SymPy's fallback makes symbols real per term
    # (partials._sympy_diff), so the whole expression never needs rebuilding over real symbols
    derived = derive(real_expr, rvars)
    for v, d in zip(rvars, derived, strict=True):
        if has_type(d, sympy.Derivative):
            raise NablabError(f"cannot differentiate with respect to {v.name} here",
                              hint=f"{v.name} is a summation limit or appears inside data; "
                                   "choose other variables")
    for v, d in zip(rvars, derived, strict=True):
        if has_type(d, *_UNDEFINED):  # e.g. 0^x: 0^x·log(0) (has_type walks the DAG)
            from nablab.render.text import to_echo

            raise DomainError(f"∂f/∂{v.name} is not defined anywhere as written: it contains "
                              f"{to_echo(d)}", hint="a constant base of 0 or a division by 0 "
                              "in the function; rewrite it without that part")
    for v, d in zip(rvars, derived, strict=True):
        size = tree_size(d)
        if size > MAX_PRINT_NODES:
            raise ComputeLimitError(
                f"∂f/∂{v.name} is too large to write out ({size:.3g} nodes as a formula)",
                hint="the function shares subexpressions that its derivative repeats; use "
                     "nablab.calculus.partials.partials() and evaluate numerically instead")
    deadline = time.perf_counter() + budget_s
    shaped: list[FormResult] = []
    for d in derived:
        left = deadline - time.perf_counter()
        if form != "derived" and left <= 0:
            shaped.append(FormResult(d, f"not {form}: the time budget of {budget_s:g} s for "
                                        "this gradient is used up; shown as derived"))
        else:
            shaped.append(to_form(d, form, budget_s=max(left, 0.01)))
    hess = hessian_matrix(derived, rvars) if hessian else None
    if hess is not None:
        size = max(tree_size(h) for row in hess for h in row)
        if size > MAX_PRINT_NODES:
            raise ComputeLimitError(
                f"the Hessian is too large to write out ({size:.3g} nodes in one entry)",
                hint="leave out the Hessian, or evaluate it numerically with "
                     "nablab.calculus.hessian.hessian_matrix")
    conditions = domain_conditions(real_expr, derived)
    out = (derived, shaped, hess, conditions)
    # a time-out depends on the machine's load at that moment: such an answer is not kept
    if not any(r.note and ("time budget" in r.note or "took longer" in r.note) for r in shaped):
        _SYMBOLIC_CACHE[key] = out
        if len(_SYMBOLIC_CACHE) > _SYMBOLIC_CACHE_SIZE:
            _SYMBOLIC_CACHE.popitem(last=False)
    return out
