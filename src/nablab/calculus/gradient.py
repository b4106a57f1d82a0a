"""``gradient(...)``: every partial, ∇f as a column, the Hessian on request, the domain, and at a
point the values and the finite-difference check — one result object, one JSON schema."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import symengine as se
import sympy

from nablab import collector
from nablab.calculus.domain import Condition, domain_conditions
from nablab.calculus.forms import FORMS, FormResult, Shapes, to_form
from nablab.calculus.hessian import hessian_matrix
from nablab.calculus.partials import _Engine, derive
from nablab.calculus.point import PointResult, evaluate_at
from nablab.calculus.sums import sums_over_data
from nablab.dag import census, tree_size
from nablab.dag import nodes as dag_nodes
from nablab.display import RichDisplay
from nablab.errors import ComputeLimitError, DomainError, NablabError
from nablab.expression import Expression
from nablab.printing.text import to_echo

#: total seconds all output forms of one call may spend simplifying
TOTAL_FORM_BUDGET_S = 4.0
#: a partial larger than this (as a tree) cannot be printed in any reasonable time or space
#: (writing one takes ~40 µs per node in each of text, echo and LaTeX: 20 000 nodes ≈ 1 s each)
MAX_PRINT_NODES = 20_000
#: gradients with at least this many partials look for partials of one shape
_SHAPES_FROM = 8
_UNDEFINED = (type(sympy.zoo), type(sympy.nan), type(sympy.oo), type(-sympy.oo))


@dataclass
class GradientResult(RichDisplay):
    """The answer to "what is ∇f?" (expressions over the parsed, plain symbols). Plain data:
    :func:`nablab.render.json.to_json` writes its JSON."""

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
    #: the step-by-step derivation (:class:`nablab.steps.GradientSteps`), set by the facade
    steps: Mapping[str, Any] | None = None
    #: some partial is shown as derived because the form's time budget ran out
    timed_out: bool = False
    #: the SymEngine form of each derived partial (None where SymPy made it), for reuse
    native: list[se.Basic | None] = field(default_factory=list, repr=False, compare=False)

    @property
    def gradient(self) -> sympy.Matrix:
        """∇f as a column vector."""
        return sympy.Matrix(self.partials)


def gradient(
    expression: Expression,
    *,
    at: Mapping[str, sympy.Expr] | None = None,
    form: str = "simplified",
    hessian: bool = False,
    direction: Sequence[float] | None = None,
    budget_s: float = TOTAL_FORM_BUDGET_S,
    max_print_nodes: int | None = MAX_PRINT_NODES,
) -> GradientResult:
    """Given a parsed function, return ∂f/∂xₖ for each variable in ``form``, ∇f, the domain,
    optionally the Hessian, and with ``at`` (values already read, name → exact number) the
    values at that point with a finite-difference check (``direction``, an already-read
    vector, adds a directional derivative). Text is read by :mod:`nablab.api`, not here.
    ``max_print_nodes``: refuse partials larger than this as trees (they could not be printed);
    None for a caller who keeps them as the shared DAGs they are."""
    if form not in FORMS:
        raise NablabError(f"unknown output form {form!r}", hint="use one of " + ", ".join(FORMS))
    e = expression
    if not e.variables:
        raise NablabError("the function has no variables to differentiate by",
                          hint="declare them, e.g. --vars x,y")
    with collector.paused():  # many small acyclic objects (nablab.collector)
        sym = _symbolic(e, form, hessian, budget_s, max_print_nodes)
    point = None
    if at:
        if sym.native_f is None and sums_over_data(e.expr):
            raise NablabError("this function sums over data, so it has no value at a point "
                              "without the data", hint="use nablab regress with a data file")
        point = evaluate_at(e.expr, sym.derived, e.variables, e.parameters, sym.conditions, at,
                            direction=direction, hessian=sym.hessian,
                            # f's SymEngine form is reused; the partials are evaluated as the
                            # SymPy trees they are shown as (the SymEngine partial before SymPy
                            # distributed its numbers can differ in the last bit)
                            native=[sym.native_f, *[None] * len(sym.derived)],
                            engine=sym.engine)
    elif direction is not None:
        raise NablabError("a direction needs a point", hint="add --at x=1,y=2")
    return GradientResult(
        expression=e,
        variables=e.variables,
        parameters=e.parameters,
        form=form,
        partials=[s.expr for s in sym.shaped],
        derived=list(sym.derived),
        notes=[s.note for s in sym.shaped],
        domain=sym.conditions,
        hessian=sym.hessian,
        at=point,
        timed_out=any(s.timed_out for s in sym.shaped),
        native=list(sym.native),
    )


@dataclass
class _Symbolic:
    """The point-independent part of one answer (what the memo keeps)."""

    derived: list[sympy.Expr]
    native: list[se.Basic | None]
    native_f: se.Basic | None
    engine: _Engine
    shaped: list[FormResult]
    hessian: list[list[sympy.Expr]] | None
    conditions: list[Condition]


#: symbolic answers kept per process: the page and the HTTP API ask for the same function at
#: many points (every click), and only the evaluation at the point depends on the point
_SYMBOLIC_CACHE: OrderedDict[tuple[Any, ...], _Symbolic] = OrderedDict()
_SYMBOLIC_CACHE_SIZE = 256


def _symbolic(e: Expression, form: str, hessian: bool, budget_s: float,
              max_print_nodes: int | None = MAX_PRINT_NODES) -> _Symbolic:
    """The point-independent part of :func:`gradient` (partials in ``form``, Hessian, domain),
    memoised; an answer that ran out of its time budget is not kept, so it is tried again."""
    native_f = e.native
    rvars = e.variables
    key = (native_f if native_f is not None else e.expr, rvars, form, hessian, budget_s,
           max_print_nodes)
    hit = _SYMBOLIC_CACHE.get(key)
    if hit is not None:
        _SYMBOLIC_CACHE.move_to_end(key)
        return hit
    # SymEngine has no assumptions and SymPy's fallback makes symbols real per term
    # (partials._sympy_diff), so the whole expression never needs rebuilding over real symbols
    d_all = derive(e.expr if native_f is None else None, rvars, native_f, e.parameters,
                   e.origin if native_f is not None else None)
    derived = d_all.partials
    # one DAG walk per partial answers the three questions below (asked in this order)
    seen = [census(d, (sympy.Derivative,), _UNDEFINED) for d in derived]
    for v, (_, (unevaluated, _)) in zip(rvars, seen, strict=True):
        if unevaluated:
            raise NablabError(f"cannot differentiate with respect to {v.name} here",
                              hint=f"{v.name} is a summation limit or appears inside data; "
                                   "choose other variables")
    for v, d, (_, (_, undefined)) in zip(rvars, derived, seen, strict=True):
        if undefined:  # e.g. 0^x: 0^x·log(0)
            raise DomainError(f"∂f/∂{v.name} is not defined anywhere as written: it contains "
                              f"{to_echo(d)}", hint="a constant base of 0 or a division by 0 "
                              "in the function; rewrite it without that part")
    for v, (size, _) in zip(rvars, seen, strict=True):
        if max_print_nodes is not None and size > max_print_nodes:
            raise ComputeLimitError(
                f"∂f/∂{v.name} is too large to write out ({size:.3g} nodes as a formula)",
                hint="the function shares subexpressions that its derivative repeats; use "
                     "nablab.calculus.partials.partials() and evaluate numerically instead")
    deadline = time.perf_counter() + budget_s
    shaped: list[FormResult] = []
    # partials of one shape (Rosenbrock's) are simplified once; with few partials keying them
    # costs more than it can save
    shapes = Shapes() if len(derived) >= _SHAPES_FROM else None
    for d in derived:
        left = deadline - time.perf_counter()
        if form != "derived" and left <= 0:
            shaped.append(FormResult(d, f"not {form}: the time budget of {budget_s:g} s for "
                                        "this gradient is used up; shown as derived",
                                     timed_out=True))
        else:
            shaped.append(to_form(d, form, budget_s=max(left, 0.01), shapes=shapes))
    hess = (hessian_matrix(derived, rvars, d_all.native, d_all.engine) if hessian else None)
    if hess is not None:
        size = max(tree_size(h) for row in hess for h in row)
        if max_print_nodes is not None and size > max_print_nodes:
            raise ComputeLimitError(
                f"the Hessian is too large to write out ({size:.3g} nodes in one entry)",
                hint="leave out the Hessian, or evaluate it numerically with "
                     "nablab.calculus.hessian.hessian_matrix")
    conditions = [] if native_f is not None and _smooth_everywhere(native_f) else \
        domain_conditions(e.expr, derived)
    out = _Symbolic(derived, d_all.native, native_f, d_all.engine, shaped, hess, conditions)
    # a time-out depends on the machine's load at that moment: such an answer is not kept
    if not any(r.timed_out for r in shaped):
        _SYMBOLIC_CACHE[key] = out
        if len(_SYMBOLIC_CACHE) > _SYMBOLIC_CACHE_SIZE:
            _SYMBOLIC_CACHE.popitem(last=False)
    return out


#: SymEngine node types whose presence may restrict the domain (everything but sums, products,
#: positive integer powers, symbols, numbers and exp/sin/cos/… that are defined everywhere)
_SMOOTH_FUNCTIONS = frozenset({"exp", "sin", "cos", "sinh", "cosh", "tanh",
                               "Symbol", "Integer", "Add", "Mul", "Rational"})


def _smooth_everywhere(native: se.Basic) -> bool:
    """True when f (SymEngine form) is built only from operations defined on all of ℝⁿ with
    positive integer powers, so neither f nor its partials have a domain condition (the SymPy
    walk of :func:`domain_conditions` is skipped: for Rosenbrock n = 10 000 it would cost more
    than the derivative). Anything else, or a doubt, goes to the full walk."""
    for e in dag_nodes(native):  # SymEngine objects have args too
        kind = type(e).__name__
        if kind == "Pow":
            exp = e.args[1]
            if not (isinstance(exp, se.Integer) and int(exp) > 0):
                return False
        elif kind not in _SMOOTH_FUNCTIONS and not isinstance(e, se.Rational):
            # (SymEngine's 1, -1, 0 and ½ are classes of their own: One, NegativeOne, …)
            return False
    return True
