"""Check my answer: is a student's expression equal to ∂f/∂x, even when written differently?

Two independent judgements. A *bounded* symbolic one (the difference expanded, then simplified
under a time budget, must be 0) and a numerical one: both sides evaluated with 30-digit mpmath
arithmetic at random points inside the domain of f and ∂f/∂x (points where either is not a
finite real number are skipped). Numbers decide: a point where the two differ is a
counterexample even if simplification was inconclusive. Sums over data are checked by giving N
small integer values and the data random values. When the answer is wrong and ∂f/∂x is a sum,
its terms are matched one by one against the answer's, to say which terms are wrong (a wrong
sign, a missing or an unexpected term).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.core.function import AppliedUndef

from nablab.calculus.budget import run_with_budget
from nablab.calculus.forms import to_form
from nablab.calculus.partials import partial
from nablab.dag import tree_size
from nablab.display import RichDisplay
from nablab.errors import ComputeLimitError, NablabError
from nablab.expression import Expression, to_real
from nablab.printing.text import to_text

#: how many points inside the domain the numerical comparison uses
POINTS = 12
#: candidates tried to find them
MAX_CANDIDATES = 300
#: the largest function or answer (tree size written out) that is checked
MAX_SIZE = 5000
_DPS = 30
_RTOL = 1e-10
_NICE = (1, 2, -1, sympy.Rational(1, 2), 3, -2, sympy.Rational(3, 2), sympy.Rational(-1, 2))


@dataclass(frozen=True)
class Counterexample:
    """A point where ∂f/∂x and the answer differ (``answer`` None: the answer is undefined
    there although ∂f/∂x is)."""

    point: dict[str, int | float]
    expected: float
    answer: float | None


@dataclass(frozen=True)
class WrongTerm:
    """One term of ∂f/∂x the answer gets wrong: ``problem`` is "wrong sign", "wrong",
    "missing" (expected but absent) or "unexpected" (in the answer only)."""

    problem: str
    expected: sympy.Expr | None
    answer: sympy.Expr | None


@dataclass(frozen=True)
class CheckResult(RichDisplay):
    """Whether ``answer`` equals ∂f/∂``variable`` and, if not, where and which terms differ."""

    equivalent: bool
    variable: str
    expected: sympy.Expr
    answer: sympy.Expr
    method: str
    counterexample: Counterexample | None = None
    wrong_terms: tuple[WrongTerm, ...] = field(default=())
    points_checked: int = 0


def expected_partial(f: sympy.Expr, x: sympy.Symbol) -> tuple[sympy.Expr, sympy.Expr]:
    """(∂f/∂x as derived, ∂f/∂x simplified) over real symbols, from the gradient core."""
    derived = partial(f, x)
    return derived, to_form(derived, "simplified").expr


def resolve(fx: Expression, variable: str) -> str:
    """The name of f's symbol ``variable`` means (theta_1 and theta1 are the same name to the
    parser: a subscript typed either way); an unknown name is a :class:`NablabError`."""
    known = {s.name for s in (*fx.variables, *fx.parameters)}
    if variable not in known:
        variable = next((k for k in known if k.replace("_", "") == variable.replace("_", "")),
                        variable)
    if variable not in known:
        raise NablabError(
            f"cannot differentiate by {variable!r}: it is not a variable or parameter of f",
            hint="f's symbols are: " + (", ".join(sorted(known)) or "none"))
    return variable


def check_answer(
    fx: Expression,
    variable: str,
    answer: Expression | sympy.Basic,
    *,
    seed: int = 0,
) -> CheckResult:
    """Given a parsed function, a variable name and an answer (already read: the facade reads
    answer text), say whether the answer equals the partial derivative, with a
    counterexample and the wrong terms when it does not."""
    variable = resolve(fx, variable)
    if isinstance(answer, Expression):
        answer_expr = answer.expr
    elif isinstance(answer, sympy.Basic):  # a SymPy object from Python code
        answer_expr = answer
    else:
        raise NablabError(f"the answer must be text, an Expression or a SymPy expression, "
                          f"not {type(answer).__name__}")
    for what, e in (("function", fx.expr), ("answer", answer_expr)):
        size = tree_size(e)
        if size > MAX_SIZE:
            raise ComputeLimitError(
                f"the {what} is too large to check ({size} nodes written out; the limit is "
                f"{MAX_SIZE})", hint="check a smaller function")
    f, back = to_real(fx.expr)
    a, _ = to_real(answer_expr)
    x = sympy.Symbol(variable, real=True)
    extra = {s.name for s in a.free_symbols} - {s.name for s in f.free_symbols} - {variable}
    if extra:
        raise NablabError(
            f"the answer uses {', '.join(sorted(extra))}, which does not appear in f",
            hint="write the answer with f's own variables and parameters")
    derived, expected = expected_partial(f, x)
    if derived.has(sympy.Derivative):
        raise NablabError(f"cannot differentiate with respect to {variable} here",
                          hint=f"{variable} is a summation limit; choose another variable")

    symbolic = _symbolic_zero(expected - a)
    samples = _Sampler(f, derived, a, seed)
    points = samples.points()
    mismatch = next((p for p in points if not _close(p.expected, p.answer)), None)
    method = "symbolic and numeric" if symbolic else "numeric"
    plain_expected = expected.xreplace(back)
    plain_answer = a.xreplace({s: sympy.Symbol(s.name) for s in a.free_symbols})
    if mismatch is None:
        return CheckResult(True, variable, plain_expected, plain_answer, method,
                           points_checked=len(points))
    wrong = _wrong_terms(derived, a, samples, points)
    cex = Counterexample(
        point=mismatch.labels,
        expected=float(mismatch.expected),
        answer=None if mismatch.answer is None else float(mismatch.answer),
    )
    return CheckResult(
        False, variable, plain_expected, plain_answer, "numeric", cex,
        tuple(WrongTerm(p, e.xreplace(back) if e is not None else None,
                        a_.xreplace({s: sympy.Symbol(s.name) for s in a_.free_symbols})
                        if a_ is not None else None) for p, e, a_ in wrong),
        len(points),
    )


def _symbolic_zero(diff: sympy.Expr) -> bool:
    """True when the difference provably simplifies to 0 within the budget."""
    if diff == 0:
        return True
    out = run_with_budget(lambda: sympy.expand(diff) == 0 or sympy.simplify(diff) == 0, 1.0,
                          size=diff)  # measured by estimate_work (counts expansions)
    return bool(out.ok and out.value)


# --- numerical comparison ------------------------------------------------------------------


@dataclass
class _Point:
    values: dict[sympy.Basic, sympy.Float]
    labels: dict[str, float]
    expected: sympy.Float
    answer: sympy.Float | None
    data: dict[Any, Any] = field(default_factory=dict)


def _finite_real(value: sympy.Basic) -> sympy.Float | None:
    if not value.is_number:
        return None
    try:
        value = sympy.N(value, _DPS)
    except (ArithmeticError, TypeError, ValueError):
        return None
    if value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
        return None
    re, im = value.as_real_imag()
    if abs(im) > sympy.Float(10) ** (-_DPS + 5) * (1 + abs(re)):
        return None
    if not re.is_finite or not re.is_Number:
        return None
    return sympy.Float(re, _DPS)


def _plain(v: sympy.Basic) -> int | float:
    return int(v) if v.is_Integer else float(v)


def _close(e: sympy.Float, a: sympy.Float | None) -> bool:
    if a is None:
        return False
    return abs(e - a) <= _RTOL * max(1, abs(e), abs(a))


class _Sampler:
    """Random points inside the domain of f and ∂f/∂x; sums get N ∈ {2, 3, 4} and random data."""

    def __init__(self, f: sympy.Expr, expected: sympy.Expr, answer: sympy.Expr, seed: int):
        self.f, self.expected, self.answer = f, expected, answer
        self.rng = random.Random(seed)
        allexpr = sympy.Tuple(f, expected, answer)
        bound = set()
        for s in allexpr.atoms(sympy.Sum):
            for _i, lo, hi in s.limits:
                bound |= (lo.free_symbols | hi.free_symbols)
        self.counts = sorted(bound, key=sympy.default_sort_key)
        self.symbols = sorted(allexpr.free_symbols - bound, key=sympy.default_sort_key)

    def _candidate(self, k: int) -> dict[sympy.Basic, sympy.Basic]:
        rng = self.rng
        values: dict[sympy.Basic, sympy.Basic] = {}
        for c in self.counts:
            values[c] = sympy.Integer(rng.choice((2, 3, 4)))
        for s in self.symbols:
            if k < 8:
                v = sympy.nsimplify(_NICE[(k + self.symbols.index(s)) % len(_NICE)])
            else:
                lo, hi = ((-3, 3), (0.05, 3), (-0.95, 0.95))[k % 3]
                v = sympy.Rational(round(rng.uniform(lo, hi), 2)).limit_denominator(100)
            values[s] = v
        return values

    def _instantiate(self, expr: sympy.Expr, values: dict[Any, Any], data: dict[Any, Any]
                     ) -> sympy.Basic:
        e = expr.xreplace({k: v for k, v in values.items()})
        if e.has(sympy.Sum):
            e = e.replace(lambda t: isinstance(t, sympy.Sum), lambda t: t.doit())
        undef = e.atoms(AppliedUndef)
        for u in sorted(undef, key=sympy.default_sort_key):
            if u not in data:
                data[u] = sympy.Rational(round(self.rng.uniform(-3, 3), 2)).limit_denominator(100)
        return e.xreplace({u: data[u] for u in undef})

    def evaluate(self, expr: sympy.Expr, point: _Point) -> sympy.Float | None:
        return _finite_real(self._instantiate(expr, point.values, point.data))

    def points(self) -> list[_Point]:
        out: list[_Point] = []
        for k in range(MAX_CANDIDATES):
            if len(out) >= POINTS:
                break
            values = self._candidate(k)
            data: dict[Any, Any] = {}
            fv = _finite_real(self._instantiate(self.f, values, data))
            ev = _finite_real(self._instantiate(self.expected, values, data))
            if fv is None or ev is None:
                continue
            av = _finite_real(self._instantiate(self.answer, values, data))
            labels = {s.name: _plain(v) for s, v in values.items()}
            labels.update({to_text(u): _plain(v) for u, v in data.items()})
            out.append(_Point(values, labels, ev, av, data))
        if not out:
            raise NablabError(
                "could not find points where f and its partial derivative are both defined",
                hint="check the function's domain; the numerical comparison needs such points")
        return out


#: a Σ whose summand expands to more terms than this is matched as one term
MAX_SUM_TERMS = 40


def _terms(expr: sympy.Expr) -> list[sympy.Expr]:
    """The terms of ``expr``, looking inside sums over data: c·Σ(a + b) is read as the terms
    c·Σ a and c·Σ b (linearity), so a wrong sign inside the chapter's MSE partial is found."""
    out: list[sympy.Expr] = []
    for term in sympy.Add.make_args(expr):
        sums = [f for f in sympy.Mul.make_args(term) if isinstance(f, sympy.Sum)]
        if len(sums) != 1:
            out.append(term)
            continue
        s = sums[0]
        c = term / s
        body = run_with_budget(functools.partial(sympy.expand, s.function), 0.5,
                               size=s.function)
        parts = sympy.Add.make_args(body.value) if body.ok else (s.function,)
        if len(parts) < 2 or len(parts) > MAX_SUM_TERMS:
            out.append(term)
            continue
        for part in parts:
            k, rest = part.as_independent(*[i for i, *_ in s.limits], as_Add=False)
            if rest == 1 and len(s.limits) == 1:  # Σ 1 over n = lo..hi is a count
                _i, lo, hi = s.limits[0]
                out.append(c * k * (hi - lo + 1))
            else:
                out.append(c * k * sympy.Sum(rest, *s.limits))
    return out


def _wrong_terms(expected: sympy.Expr, answer: sympy.Expr, samples: _Sampler,
                 points: list[_Point]) -> list[tuple[str, sympy.Expr | None, sympy.Expr | None]]:
    """Match the terms of ∂f/∂x (as derived) with the answer's, numerically at ``points``."""
    e_terms = _terms(expected)
    a_terms = _terms(answer)
    if len(e_terms) < 2:
        return []
    pts = [p for p in points if p.answer is not None][:6]
    if not pts:
        return []

    def values(term: sympy.Expr) -> list[sympy.Float] | None:
        out = []
        for p in pts:
            v = samples.evaluate(term, p)
            if v is None:
                return None
            out.append(v)
        return out

    ev = [values(t) for t in e_terms]
    av = [values(t) for t in a_terms]
    scale = [max(1, abs(p.expected)) for p in pts]

    def same(u: list[sympy.Float] | None, w: list[sympy.Float] | None, sign: int = 1) -> bool:
        return u is not None and w is not None and all(
            abs(a - sign * b) <= 1e-9 * s for a, b, s in zip(u, w, scale, strict=True))

    left_e = list(range(len(e_terms)))
    left_a = list(range(len(a_terms)))
    for i in list(left_e):
        j = next((j for j in left_a if same(ev[i], av[j])), None)
        if j is not None:
            left_e.remove(i)
            left_a.remove(j)
    out: list[tuple[str, sympy.Expr | None, sympy.Expr | None]] = []
    for i in list(left_e):
        j = next((j for j in left_a if same(ev[i], av[j], -1)), None)
        if j is not None:
            left_e.remove(i)
            left_a.remove(j)
            out.append(("wrong sign", e_terms[i], a_terms[j]))
    if len(left_e) == len(e_terms) and len(a_terms) == 1:
        return []  # nothing in common: the answer is probably a different arrangement
    if len(left_e) == 1 and len(left_a) == 1:
        out.append(("wrong", e_terms[left_e[0]], a_terms[left_a[0]]))
    else:
        out += [("missing", e_terms[i], None) for i in left_e]
        out += [("unexpected", None, a_terms[j]) for j in left_a]
    return out
