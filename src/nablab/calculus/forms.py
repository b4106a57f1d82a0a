"""Output forms of a derivative: derived, simplified, factored, expanded.

Simplification can take forever on legal inputs (``(x+y+1)^40 (x-y+2)^40``), so every form other
than ``derived`` runs under a time budget (:mod:`nablab.calculus.budget`) and a size bound, and
falls back to the derived form with a note saying why. ``simplified`` is deliberately modest:
it tries a few cheap rewrites (and SymPy's full ``simplify`` on small quotients and roots) and
keeps a rewrite only when it saves at least two operations or a tenth of them and brings in no
function the derived form does not have — so the chapter's ``2xy + y cos(xy)`` stays as the
chapter writes it, and the sigmoid's derivative stays in exponentials (not ``1/(4 cosh²(x/2))``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from nablab.calculus.budget import DEFAULT_BUDGET_S, estimate_work, run_with_budget
from nablab.calculus.sums import tidy_sums
from nablab.dag import has_type, tree_size
from nablab.errors import NablabError

FORMS = ("derived", "simplified", "factored", "expanded")
#: tree size above which no simplification is attempted at all
MAX_SIMPLIFY_SIZE = 3000
#: tree size up to which SymPy's full ``simplify`` is tried
FULL_SIMPLIFY_SIZE = 60


@dataclass(frozen=True)
class FormResult:
    """An expression in the asked-for form; ``note`` says when and why it is not."""

    expr: sympy.Expr
    note: str | None = None
    #: the form ran out of time (``note`` says so): not worth remembering
    timed_out: bool = False


def _ops(expr: sympy.Expr) -> int:
    return sympy.count_ops(expr)


def _worth_it(candidate: sympy.Expr, best: sympy.Expr) -> bool:
    b, c = _ops(best), _ops(candidate)
    return c <= b - max(2, b // 10)


def _has_quotient_or_root(expr: sympy.Expr) -> bool:
    return any(
        p.exp.is_Rational and (p.exp.is_negative or not p.exp.is_integer)
        for p in expr.atoms(sympy.Pow)
    )


def _functions(expr: sympy.Expr) -> set[type]:
    return {type(f) for f in expr.atoms(sympy.Function)}


def _monomial(expr: sympy.Expr) -> bool:
    return all(f.is_Number or f.is_Symbol or (f.is_Pow and f.base.is_Symbol and f.exp.is_Integer)
               for f in sympy.Mul.make_args(expr))


def in_lowest_terms(expr: sympy.Expr) -> bool:
    """True for ``c·m / (p₁^a₁ ⋯)`` with m a monomial and each p an irreducible polynomial raised
    to a rational power — ∂ log(q) = q'/q and ∂ √q = q'/(2√q) for an irreducible q, the most
    common shapes. No rewrite makes those shorter (nothing cancels, nothing factors), so the
    ~10 ms per partial that SymPy's simplify would spend confirming it are saved."""
    num, den = sympy.fraction(expr)
    if den == 1 or not _monomial(num):
        return False
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    for factor in sympy.Mul.make_args(den):
        base, exp = factor.as_base_exp()
        if not exp.is_Rational:
            return False
        if base.is_Symbol or base.is_Number:
            continue
        if not base.is_polynomial(*symbols):
            return False
        _, factors = sympy.factor_list(base, *symbols)
        if len(factors) != 1 or factors[0][1] != 1:
            return False
    return True


def _simplify(expr: sympy.Expr) -> sympy.Expr:
    if has_type(expr, sympy.Sum):  # keep the chapter's Σ form: tidy what is inside each sum
        return tidy_sums(expr)
    best = expr
    candidates = [sympy.factor_terms]
    if _has_quotient_or_root(expr) and not in_lowest_terms(expr):
        candidates.append(lambda e: sympy.cancel(sympy.together(e)))
        # SymPy's simplify turns quotients of exponentials (the sigmoid's e^-u/(1+e^-u)^2) into
        # hyperbolic functions the reader never wrote, and spends ~50 ms doing it: not for those
        if tree_size(expr) <= FULL_SIMPLIFY_SIZE and not expr.has(sympy.exp):
            candidates.append(sympy.simplify)
    known = _functions(expr)
    for rewrite in candidates:
        candidate = rewrite(expr)
        # a simpler form in functions the reader did not write is not simpler to read
        if _worth_it(candidate, best) and _functions(candidate) <= known:
            best = candidate
    return best


def normal(expr: sympy.Expr, keep_top_coefficient: bool = False) -> sympy.Expr:
    """``expr`` rebuilt bottom-up by SymPy's evaluating constructors, so that its text reads
    back as the identical tree (rewrites such as ``factor_terms`` leave unevaluated nodes like
    ``exp(-(x + y))``). With ``keep_top_coefficient`` a top-level number times one sum (the
    factored form's ``4*(x**3 - y*z)``) is kept; ``to_text`` writes it with evaluate=False."""
    memo: dict[sympy.Basic, sympy.Basic] = {}

    def go(e: sympy.Basic) -> sympy.Basic:
        if not e.args:
            return e
        got = memo.get(e)
        if got is None:
            got = memo[e] = e.func(*[go(a) for a in e.args])
        return got

    if keep_top_coefficient and expr.is_Mul and len(expr.args) == 2 and \
            expr.args[0].is_Number and expr.args[1].is_Add:
        return sympy.Mul(expr.args[0], go(expr.args[1]), evaluate=False)
    return go(expr)


_REWRITES = {
    "simplified": _simplify,
    "factored": sympy.factor,
    "expanded": sympy.expand,
}


# partials of one shape -------------------------------------------------------------------

#: a name as SymPy's polynomial code splits it for ordering generators: stem and index
_STEM_INDEX = re.compile(r"^(.*?)(\d*)$")
_KEY_ATOMS = (sympy.Integer, sympy.Rational, sympy.Float, sympy.NumberSymbol)


def shape_key(expr: sympy.Expr) -> tuple[Any, ...] | None:
    """A key equal for two expressions exactly when one is the other with its symbols renamed
    by a map that keeps everything SymPy's rewrites can see of the names: the tree with each
    symbol replaced by its rank in name order (``Basic.compare``, ``default_sort_key``), and
    per symbol its assumptions, its stem and index length and its rank in the polynomial
    generators' order (stem, then index as a number). Rosenbrock's ∂f/∂x₅ and ∂f/∂x₆ share a
    key; ∂f/∂x₉ (x₈, x₉, x₁₀: name order and number order differ) does not. None for trees
    holding anything but symbols, numbers, constants and operations on them (sums over data,
    undefined functions, dummies)."""
    symbols = expr.free_symbols
    if not all(type(s) is sympy.Symbol for s in symbols):
        return None
    ordered = sorted(symbols, key=lambda s: s.name)
    rank = {s: k for k, s in enumerate(ordered)}
    parts = []
    for s in ordered:
        stem, index = _STEM_INDEX.match(s.name).groups()  # type: ignore[union-attr]
        parts.append((stem, len(index), int(index) if index else 0))
    gens = sorted({(stem, number) for stem, _, number in parts})
    gen_rank = {g: k for k, g in enumerate(gens)}
    described = tuple((stem, width, gen_rank[(stem, number)],
                       tuple(sorted(s.assumptions0.items())))
                      for (stem, width, number), s in zip(parts, ordered, strict=True))
    memo: dict[sympy.Basic, Any] = {}

    def walk(e: sympy.Basic) -> Any:
        got = memo.get(e)
        if got is not None:
            return got
        if e.is_Symbol:
            got = rank.get(e)
            if got is None:
                raise _NoKey
        elif not e.args:
            if not isinstance(e, _KEY_ATOMS):
                raise _NoKey
            got = (type(e), e) if not e.is_Float else (type(e), e._mpf_, e._prec)
        else:
            cls = type(e)
            if isinstance(e, (AppliedUndef, sympy.Sum, sympy.Product, sympy.Integral,
                              sympy.Derivative, sympy.Subs, sympy.Lambda)):
                raise _NoKey  # data, and anything binding a variable
            got = (cls, *[walk(a) for a in e.args])
        memo[e] = got
        return got

    try:
        return (described, walk(expr))
    except (_NoKey, RecursionError):  # a deep tree (a caller's own object) is not keyed
        return None


class _NoKey(Exception):
    """Raised inside :func:`shape_key` for a tree it does not key."""


class Shapes:
    """The simplified partials already computed in one gradient, by :func:`shape_key`.

    Only a partial that the simplified form left as it was is remembered: another partial of
    the same shape is then also left as it is (the rewrites act on the tree and see names only
    through the orders the key keeps), so its own derived form is its answer. Every other
    partial is computed."""

    def __init__(self) -> None:
        self.unchanged: set[tuple[Any, ...]] = set()

    def known(self, key: tuple[Any, ...] | None) -> bool:
        return key is not None and key in self.unchanged

    def learn(self, key: tuple[Any, ...] | None, expr: sympy.Expr, result: FormResult) -> None:
        if key is not None and result.note is None and result.expr == expr:
            self.unchanged.add(key)


def to_form(expr: sympy.Expr, form: str = "simplified", budget_s: float = DEFAULT_BUDGET_S,
            shapes: Shapes | None = None) -> FormResult:
    """``expr`` (a derived partial, real symbols) rewritten in ``form``, within ``budget_s``
    seconds; on timeout or when too large, the derived form with a note. ``shapes``: the
    simplified partials of the same gradient so far (a partial of a shape simplification left
    unchanged is not simplified again)."""
    if form not in FORMS:
        raise NablabError(f"unknown output form {form!r}", hint="use one of " + ", ".join(FORMS))
    if form == "derived" or expr.is_Atom:
        return FormResult(expr)
    size = tree_size(expr)
    if size > MAX_SIMPLIFY_SIZE:
        return FormResult(expr, f"not {form}: too large ({size} nodes); shown as derived")
    key = shape_key(expr) if shapes is not None and form == "simplified" else None
    if shapes is not None and shapes.known(key):
        return FormResult(expr)
    outcome = run_with_budget(
        lambda: normal(_REWRITES[form](expr), keep_top_coefficient=form == "factored"),
        budget_s, size=estimate_work(expr))
    if not outcome.ok:
        return FormResult(expr, f"not {form}: {outcome.reason}; shown as derived",
                          timed_out=outcome.timed_out)
    result = FormResult(outcome.value)
    if shapes is not None:
        shapes.learn(key, expr, result)
    return result
