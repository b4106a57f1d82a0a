"""The partial derivative itself.

Engine (chosen by measurement, see docs/gradient.md): SymEngine differentiates every term built
from elementary functions — it is 100–1000× faster than ``sympy.diff`` and shares repeated
subexpressions — and SymPy differentiates the rest (|u|, max/min, sign, sums over data), because
SymPy knows these over the reals (∂|x|/∂x = sign(x), ∂max(0, x)/∂x = Heaviside(x)) while
SymEngine leaves them unevaluated. Only the terms of a sum that contain the variable are
differentiated at all. Conversions are memoised on the expression DAG, so nested expressions whose
tree is exponentially large (but whose DAG is small) stay cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import symengine as se
import sympy

from nablab.calculus.sums import tidy_sums
from nablab.canonical import direct_add, sort_key
from nablab.dag import has_type
from nablab.expression import from_real, to_real

#: SymPy function classes SymEngine differentiates exactly as SymPy does (over the reals)
_SE_FUNCTIONS: dict[type, Callable[..., se.Basic]] = {
    sympy.exp: se.exp,
    sympy.log: se.log,
    sympy.sin: se.sin,
    sympy.cos: se.cos,
    sympy.tan: se.tan,
    sympy.cot: se.cot,
    sympy.sec: se.sec,
    sympy.csc: se.csc,
    sympy.asin: se.asin,
    sympy.acos: se.acos,
    sympy.atan: se.atan,
    sympy.acot: se.acot,
    sympy.asec: se.asec,
    sympy.acsc: se.acsc,
    sympy.sinh: se.sinh,
    sympy.cosh: se.cosh,
    sympy.tanh: se.tanh,
    sympy.coth: se.coth,
    sympy.sech: se.sech,
    sympy.csch: se.csch,
    sympy.asinh: se.asinh,
    sympy.acosh: se.acosh,
    sympy.atanh: se.atanh,
    sympy.acoth: se.acoth,
    sympy.atan2: se.atan2,
}
_SE_BACK: dict[str, type] = {cls.__name__: cls for cls in _SE_FUNCTIONS}
_SE_BACK.update({"Add": sympy.Add, "Mul": sympy.Mul, "Pow": sympy.Pow})
_ATOMS = (sympy.Symbol, sympy.Integer, sympy.Rational, sympy.Float,
          type(sympy.pi), type(sympy.E))


class _Engine:
    """Memoised SymPy ⇄ SymEngine conversion for one expression and its variables."""

    def __init__(self, symbols: Sequence[sympy.Symbol],
                 origin: dict[object, sympy.Basic] | None = None) -> None:
        self.to_se: dict[sympy.Basic, object | None] = {}
        #: ``origin`` (``Expression.origin``): converting back reuses the caller's own nodes
        self.to_sp: dict[object, sympy.Basic] = dict(origin) if origin else {}
        self.by_name: dict[str, sympy.Symbol] = {s.name: s for s in symbols}
        self.syms: dict[sympy.Basic, frozenset] = {}
        #: assemble Add/Mul/Pow directly where provably canonical (False: always evaluate)
        self.direct = True
        #: ids of SymPy nodes known canonical (symbols, functions of them, direct assemblies)
        self.clean: set[int] = set()
        self.keep: list[sympy.Basic] = []  # keeps the ids in ``clean`` alive
        #: SymEngine results that hold an unevaluated Derivative (d|x|/dx, d max/dx):
        #: SymEngine has no real-variable rule for them, so those terms go to SymPy
        self.unevaluated: set[object] = set()

    def symbols_of(self, e: sympy.Basic) -> frozenset:
        """free symbols of ``e``, memoised over the DAG (``free_symbols`` walks the tree)."""
        got = self.syms.get(e)
        if got is not None:
            return got
        if isinstance(e, sympy.Symbol):
            got = frozenset((e,))
        elif not e.args:
            got = frozenset()
        elif isinstance(e, (sympy.Sum, sympy.Product, sympy.Lambda, sympy.Derivative)):
            got = frozenset(e.free_symbols)
        else:
            got = frozenset().union(*(self.symbols_of(a) for a in e.args))
        self.syms[e] = got
        return got

    def convert(self, e: sympy.Basic):
        """SymEngine version of ``e``, or None when some node is not one SymEngine knows."""
        if e in self.to_se:
            return self.to_se[e]
        out: object | None
        if isinstance(e, sympy.Symbol):
            self.by_name.setdefault(e.name, e)
            out = se.Symbol(e.name) if self.by_name[e.name] == e else None
        elif isinstance(e, _ATOMS):
            out = se.sympify(e)  # e is a SymPy number or constant (never text): SymEngine's copy
        elif isinstance(e, (sympy.Add, sympy.Mul, sympy.Pow)) or type(e) in _SE_FUNCTIONS:
            args = [self.convert(a) for a in e.args]
            if any(a is None for a in args):
                out = None
            elif isinstance(e, sympy.Add):
                out = se.Add(*args)
            elif isinstance(e, sympy.Mul):
                out = se.Mul(*args)
            elif isinstance(e, sympy.Pow):
                out = se.Pow(*args)
            else:
                out = _SE_FUNCTIONS[type(e)](*args)
        else:
            out = None
        self.to_se[e] = out
        return out

    def back(self, e) -> sympy.Basic:
        """SymPy version of a SymEngine expression, with our (real) symbols.

        SymEngine's results are already canonical, so most Add/Mul/Pow nodes are assembled
        directly (sorted as SymPy sorts them, sums flattened and like terms merged as
        ``Add.flatten`` does, a number distributed over a lone sum as ``Mul`` does): 2–4×
        faster than SymPy's constructors. Anything else (floats, powers of numbers, products
        above a node SymPy had to rewrite) goes through SymPy's constructors. Both paths give
        the identical tree: tests/calculus/test_partials.py compares them over the corpus,
        Rosenbrock and random trees (``direct = False`` switches the fast path off)."""
        got = self.to_sp.get(e)
        if got is not None:
            return got
        out = self._back(e)
        self.to_sp[e] = out
        return out

    def _back(self, e) -> sympy.Basic:
        args = e.args
        if not args:
            if isinstance(e, se.Symbol):
                name = str(e)
                out = self.by_name.get(name) or sympy.Symbol(name, real=True)
                self.clean.add(id(out))
                self.keep.append(out)
                return out
            return e._sympy_()
        sp_args = [self.back(a) for a in args]
        kind = type(e).__name__
        if kind == "Derivative" or any(a in self.unevaluated for a in args):
            self.unevaluated.add(e)
        cls = _SE_BACK.get(kind)
        if cls is None:  # pragma: no cover - SymEngine produced something unexpected
            return e._sympy_().xreplace({sympy.Symbol(n): s for n, s in self.by_name.items()})
        if kind not in ("Add", "Mul", "Pow"):
            # SymEngine already evaluated it; SymPy's eval would only cost time
            out = cls(*sp_args, evaluate=False)
            if all(id(a) in self.clean or a.is_Number for a in sp_args):
                self.clean.add(id(out))
                self.keep.append(out)
            return out
        if self.direct and kind == "Add":  # merges like terms itself: no cleanliness needed
            out = _assemble_add(sp_args)
            if out is not None:
                if out.is_Add:
                    self.clean.add(id(out))
                    self.keep.append(out)
                return out
        elif self.direct and all(id(a) in self.clean for a in sp_args if not a.is_Number):
            out = _assemble(kind, sp_args)
            if out is not None:
                self.clean.add(id(out))
                self.keep.append(out)
                return out
        return cls(*sp_args)

    def terms_by_symbol(self, expr: sympy.Expr) -> dict[sympy.Symbol, list[sympy.Expr]]:
        """For each symbol, the terms of ``expr`` (a sum) that contain it: built once, so a
        gradient in n variables of a sum of n terms costs O(n), not O(n²)."""
        index: dict[sympy.Symbol, list[sympy.Expr]] = {}
        for term in sympy.Add.make_args(expr):
            for s in self.symbols_of(term):
                index.setdefault(s, []).append(term)
        return index

    def diff(self, expr: sympy.Expr, var: sympy.Symbol,
             index: dict[sympy.Symbol, list[sympy.Expr]] | None = None) -> sympy.Expr:
        return self.diff_both(expr, var, index)[0]

    def diff_both(self, expr: sympy.Expr, var: sympy.Symbol,
                  index: dict[sympy.Symbol, list[sympy.Expr]] | None = None
                  ) -> tuple[sympy.Expr, se.Basic | None]:
        """∂expr/∂var in SymPy, and in SymEngine when every term was differentiated there."""
        if index is None:  # only the terms that contain var: the others' partial is 0
            terms = [t for t in sympy.Add.make_args(expr) if var in self.symbols_of(t)]
        else:
            terms = index.get(var, [])
        parts = []
        natives: list[se.Basic] | None = []
        for term in terms:
            converted = self.convert(term)
            if converted is not None:
                d = converted.diff(se.Symbol(var.name))
                if natives is not None:
                    natives.append(d)
                parts.append(self.back(d))
            else:
                natives = None
                parts.append(_sympy_diff(term, var))
        native = None if natives is None else (se.Add(*natives) if natives else se.Integer(0))
        return self.sum_of(parts), native

    def sum_of(self, parts: list[sympy.Expr]) -> sympy.Expr:
        """SymPy's sum of canonical ``parts`` (assembled directly when certain)."""
        if not parts:
            return sympy.S.Zero
        if self.direct and len(parts) > 1:
            summed = _assemble_add(parts)
            if summed is not None:
                return summed
        return sympy.Add(*parts)

    def diff_native(self, native: se.Basic, var: sympy.Symbol,
                    index: dict[str, list[se.Basic]]) -> tuple[sympy.Expr, se.Basic | None]:
        """∂f/∂var from f's SymEngine form (``index``: its terms by symbol name): each term's
        (small) partial is converted back, so SymPy never builds f itself."""
        sv = se.Symbol(var.name)
        terms = index.get(var.name, [])
        ds = [term.diff(sv) for term in terms]
        if self.direct and len(ds) > 1:
            summed = self._sum_direct(ds)
            if summed is not None:
                return summed, se.Add(*ds)
        natives: list[se.Basic] = []
        parts: list[sympy.Expr] = []
        whole = True  # every term's partial is a SymEngine one
        for term, d in zip(terms, ds, strict=True):
            part = self.back(d)
            if d in self.unevaluated:  # |u|, max, sign: SymPy knows them over the reals
                whole = False
                part = _sympy_diff(self.back(term), var)
            else:
                natives.append(d)
            parts.append(part)
        native = (se.Add(*natives) if natives else se.Integer(0)) if whole else None
        return self.sum_of(parts), native


    def _sum_direct(self, ds: list[se.Basic]) -> sympy.Expr | None:
        """The SymPy sum of the terms' partials ``ds`` assembled once from their summands (the
        sum of each partial is not built on the way), or None (then the caller builds each
        partial and sums them). Exactly the caller's result: the direct assembly flattens sums
        and merges like terms with exact rational coefficients, so one pass over all summands
        and one pass per partial then one over the partials give the same sum; whenever the
        direct assembly cannot be sure (floats, radicals, |u|, …) None sends it the long way."""
        unevaluated = self.unevaluated
        leaves: list[sympy.Basic] = []
        for d in ds:
            for a in (d.args if isinstance(d, se.Add) else (d,)):
                leaf = self.back(a)
                if a in unevaluated:
                    return None
                leaves.append(leaf)
        return _assemble_add(leaves)


def _assemble(kind: str, args: list[sympy.Basic]) -> sympy.Basic | None:
    """The SymPy node SymPy's own constructor would build from the canonical SymEngine
    ``args`` (already converted), or None when that is not certain without evaluating."""
    if kind == "Pow":
        base, exp = args
        # x**n, (a + b)**n, sin(x)**n: SymPy leaves these as they are; numbers and products
        # as bases, exp(u)**n, and powers of powers are evaluated by SymPy
        if exp.is_Integer and (base.is_Symbol or base.is_Add
                               or (base.is_Function and not isinstance(base, sympy.exp))):
            return sympy.Pow(base, exp, evaluate=False)
        return None
    number = args[0] if args[0].is_Number else None
    rest = args[1:] if number is not None else args
    if any(a.is_Number or (a.is_Add and kind == "Add") or (a.is_Mul and kind == "Mul")
           for a in rest):
        return None
    if kind == "Mul":
        if number is not None and len(rest) == 1 and rest[0].is_Add:
            if not number.is_Rational:
                return None
            return _assemble_add(list(rest[0].args), number)  # SymPy distributes it
        if number is None or number is sympy.S.One:
            return None if len(rest) < 2 else sympy.Mul._from_args(
                sorted(rest, key=sort_key), is_commutative=True)
        return sympy.Mul._from_args([number, *sorted(rest, key=sort_key)],
                                    is_commutative=True)
    if len(rest) < 2 and (number is None or number is sympy.S.Zero):
        return None
    ordered = sorted(rest, key=sort_key)
    if number is not None and number is not sympy.S.Zero:
        ordered.insert(0, number)
    return sympy.Add._from_args(ordered, is_commutative=True)


def _assemble_factor(f: sympy.Basic) -> bool:
    """A factor of a partial's term outside SymPy's numeric Mul rules (no number, no numeric
    radical)."""
    return not (f.is_Number or (f.is_Pow and f.base.is_Number))


def _assemble_add(args: list[sympy.Basic], scale: sympy.Rational = sympy.S.One
                  ) -> sympy.Basic | None:
    """SymPy's Add of canonical ``args`` (each times ``scale``), built directly
    (``canonical.direct_add``); None for anything outside its shapes."""
    return direct_add(args, _assemble_factor, scale)


def _sympy_diff(term: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """SymPy's derivative over the reals; plain symbols are made real for it and given back."""
    real_term, back = to_real(term)
    real_var = next((r for r, plain in back.items() if plain == var), var)
    out = sympy.diff(real_term, real_var)
    if has_type(out, sympy.Sum):
        out = tidy_sums(out)
    return from_real(out, back)


def symengine_partials(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> list | None:
    """Every partial as SymEngine expressions (no conversion back to SymPy), for numeric work
    on very large functions; None when some term needs SymPy (|u|, max, sums)."""
    engine = _Engine(variables)
    index = engine.terms_by_symbol(expr)
    out = []
    for v in variables:
        sv = se.Symbol(v.name)
        parts = []
        for term in index.get(v, []):
            converted = engine.convert(term)
            if converted is None:
                return None
            parts.append(converted.diff(sv))
        out.append(se.Add(*parts) if parts else se.Integer(0))
    return out


def partial(expr: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """∂expr/∂var over the reals: the derived form (unsimplified, tidied). Symbols may be real
    or plain; the result uses the same symbols as ``expr``."""
    return _Engine([var]).diff(expr, var)


def partials(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    """Every ∂expr/∂v for v in ``variables``, sharing one conversion of ``expr``."""
    return derive(expr, variables).partials


@dataclass
class Derived:
    """Every first partial, in SymPy (for printing) and, where SymEngine did all of it, in
    SymEngine (for the Hessian and the values at a point, with no second conversion); the
    engine holds the memoised conversions, shared by everything that follows."""

    partials: list[sympy.Expr]
    native: list[se.Basic | None]
    engine: _Engine
    native_f: se.Basic | None = None


def _terms_by_name(native: se.Basic) -> dict[str, list[se.Basic]]:
    """The terms of SymEngine ``native`` that contain each symbol (by name): O(n) for a sum of
    n small terms."""
    index: dict[str, list[se.Basic]] = {}
    for term in (native.args if isinstance(native, se.Add) else (native,)):
        for s in term.free_symbols:
            index.setdefault(str(s), []).append(term)
    return index


def derive(expr: sympy.Expr | None, variables: Sequence[sympy.Symbol],
           native: se.Basic | None = None, symbols: Sequence[sympy.Symbol] = (),
           origin: dict[object, sympy.Basic] | None = None) -> Derived:
    """Every ∂f/∂v: from ``native`` (f's SymEngine form) when given, else from the SymPy
    ``expr`` term by term (SymPy for the terms SymEngine cannot do). ``symbols``: every symbol
    of f (parameters too), so converted results use the caller's own symbols; ``origin``: the
    SymPy nodes ``native``'s nodes came from (``Expression.origin``)."""
    engine = _Engine([*variables, *symbols], origin)
    if native is not None:
        index_n = _terms_by_name(native)
        pairs = [engine.diff_native(native, v, index_n) for v in variables]
    else:
        assert expr is not None
        index = engine.terms_by_symbol(expr)
        pairs = [engine.diff_both(expr, v, index) for v in variables]
    return Derived([p for p, _ in pairs], [n for _, n in pairs], engine, native)
