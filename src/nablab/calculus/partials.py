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

from collections.abc import Sequence

import symengine as se
import sympy

from nablab.calculus.dag import has_type

#: SymPy function classes SymEngine differentiates exactly as SymPy does (over the reals)
_SE_FUNCTIONS: dict[type, object] = {
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

    def __init__(self, symbols: Sequence[sympy.Symbol]) -> None:
        self.to_se: dict[sympy.Basic, object | None] = {}
        self.to_sp: dict[object, sympy.Basic] = {}
        self.by_name: dict[str, sympy.Symbol] = {s.name: s for s in symbols}
        self.syms: dict[sympy.Basic, frozenset] = {}

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
            out = se.sympify(e)
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
        """SymPy version of a SymEngine expression, with our (real) symbols."""
        got = self.to_sp.get(e)
        if got is not None:
            return got
        args = e.args
        if not args:
            if isinstance(e, se.Symbol):
                name = str(e)
                out = self.by_name.get(name) or sympy.Symbol(name, real=True)
            else:
                out = e._sympy_()
        else:
            sp_args = [self.back(a) for a in args]
            kind = type(e).__name__
            cls = _SE_BACK.get(kind)
            if cls is None:  # pragma: no cover - SymEngine produced something unexpected
                out = e._sympy_().xreplace(
                    {sympy.Symbol(n): s for n, s in self.by_name.items()})
            elif kind in ("Add", "Mul", "Pow"):
                out = cls(*sp_args)
            else:  # SymEngine already evaluated it; SymPy's eval would only cost time
                out = cls(*sp_args, evaluate=False)
        self.to_sp[e] = out
        return out

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
        if index is None:  # only the terms that contain var: the others' partial is 0
            terms = [t for t in sympy.Add.make_args(expr) if var in self.symbols_of(t)]
        else:
            terms = index.get(var, [])
        parts = []
        for term in terms:
            converted = self.convert(term)
            if converted is not None:
                parts.append(self.back(converted.diff(se.Symbol(var.name))))
            else:
                parts.append(_sympy_diff(term, var))
        return sympy.Add(*parts) if parts else sympy.S.Zero


def _sympy_diff(term: sympy.Expr, var: sympy.Symbol) -> sympy.Expr:
    """SymPy's derivative over the reals; plain symbols are made real for it and given back."""
    from nablab.calculus.sums import tidy_sums
    from nablab.expression import from_real, to_real

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
    engine = _Engine(variables)
    index = engine.terms_by_symbol(expr)
    return [engine.diff(expr, v, index) for v in variables]
