"""Plain-text renderers.

``to_text`` writes SymPy syntax that ``sympy.sympify`` reads back to an equal expression: names
that SymPy would read as something else (``N``, ``S``, ``gamma``, ``lambda``, non-identifiers)
are written as ``Symbol('N')``; data inside sums (applied undefined functions such as ``y(n)``)
as ``y(n)`` or ``Function('gamma')(n)``. ``to_echo`` is the human reading, with ``^`` for powers
and an explicit ``·`` for every product, so a user can see how their input was understood.
"""

from __future__ import annotations

import keyword
from functools import lru_cache

import sympy
from mpmath.libmp import prec_to_dps, to_str
from sympy import S
from sympy.core.function import AppliedUndef
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from nablab.printing.memo import memoized
from nablab.printing.order import data_first, split_sum_factor, sums_last

_FLAT_ABOVE = 100


@lru_cache(maxsize=4096)
def is_plain_name(name: str) -> bool:
    """True when ``name`` written bare is read back by sympify as ``Symbol(name)``."""
    return (
        name.isidentifier()
        and name.isascii()
        and not keyword.iskeyword(name)
        and not name.startswith("_")
        and name not in _SYMPY_NAMES
    )


_SYMPY_NAMES = frozenset(sympy.__all__) | {"sympy", "Symbol", "Function", "Integer", "Float",
                                           "Rational", "true", "false"}


class _SafeStrPrinter(StrPrinter):
    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        if is_plain_name(expr.name):
            return expr.name
        return f"Symbol({expr.name!r})"

    _print_Dummy = _print_Symbol

    def _print_Function(self, expr) -> str:
        if isinstance(expr, AppliedUndef):
            name = expr.func.__name__
            head = name if is_plain_name(name) else f"Function({name!r})"
            return f"{head}({self.stringify(expr.args, ', ')})"
        return super()._print_Function(expr)

    def _print_Float(self, expr: sympy.Float) -> str:
        # short decimals (<= 15 digits) are read back by sympify at 53 bits: use one when it
        # gives back exactly this number, else spell out the value and its precision
        if expr._prec == 53:
            short = to_str(expr._mpf_, 15)
            if sympy.Float(short, 15)._mpf_ == expr._mpf_:
                return short
            return f"Float('{float(expr)!r}', precision=53)"
        return f"Float('{to_str(expr._mpf_, prec_to_dps(expr._prec) + 3)}', " \
               f"precision={expr._prec})"

    def _print_MatrixBase(self, expr) -> str:
        # one line, Matrix([[a], [b]]) (SymPy's str has a newline per row)
        rows = ", ".join("[" + ", ".join(self._print(x) for x in expr.row(i)) + "]"
                         for i in range(expr.rows))
        return f"Matrix([{rows}])"

    _print_ImmutableDenseMatrix = _print_MutableDenseMatrix = _print_MatrixBase

    # Long sums and products print as Add(…)/Mul(…): Python's own parser (which sympify uses)
    # recurses once per '+' and fails on thousands of terms.
    def _print_Add(self, expr, order=None) -> str:
        if len(expr.args) > _FLAT_ABOVE:
            return f"Add({self.stringify(expr.args, ', ')})"
        return super()._print_Add(expr, order)

    def _print_Mul(self, expr) -> str:
        if len(expr.args) > _FLAT_ABOVE:
            return f"Mul({self.stringify(expr.args, ', ')})"
        # Python reads -(x + y)*(x + z) as (-(x + y))*(x + z), and SymPy distributes a number
        # over a lone sum: keep the number outside the rest, -((x + y)*(x + z)), to read back
        coeff, rest = expr.as_coeff_Mul()
        if len(expr.args) == 2 and coeff is not S.One and rest.is_Add:
            # a number times one sum, kept unevaluated (the factored form, 4*(x**3 - y*z)):
            # SymPy would distribute 4*(…) on reading, so say evaluate=False
            return f"Mul({self._print(coeff)}, {self._print(rest)}, evaluate=False)"
        if coeff is not S.One and _has_sum_factor(rest):
            inner = self._print(rest)
            if coeff is S.NegativeOne:
                return f"-({inner})"
            return f"{self.parenthesize(coeff, PRECEDENCE['Mul'])}*({inner})"
        return super()._print_Mul(expr)


def _has_sum_factor(rest: sympy.Expr) -> bool:
    """A factor that is a sum, or a sum to a negative power (printed in a denominator)."""
    for f in sympy.Mul.make_args(rest):
        if f.is_Add and rest.is_Mul:
            return True
        if f.is_Pow and f.base.is_Add and f.exp.is_Number and f.exp < 0:
            return True
    return False


_TEXT = _SafeStrPrinter()


@memoized
def to_text(expr: sympy.Basic) -> str:
    """SymPy syntax for ``expr`` that ``sympy.sympify`` reads back to an equal expression."""
    return _TEXT.doprint(expr)


class _EchoPrinter(StrPrinter):
    """Prints what nablab's parser reads back: sum(…, n, 1, N), |x|, max(…), y_n, e, π;
    sums over data arranged as the chapter writes them (:mod:`nablab.printing.order`)."""

    def _as_ordered_terms(self, expr, order=None):
        return data_first(super()._as_ordered_terms(expr, order=order), expr)

    def _print_Mul(self, expr) -> str:
        split = split_sum_factor(expr)
        if split is not None:  # -(2/N)*sum(…): the constant in front, as in the chapter
            const, sums = split
            body = "*".join(self._print(s) for s in sums)
            if const is S.One:
                return body
            if const is S.NegativeOne:
                return "-" + body
            neg = const.could_extract_minus_sign()
            shown = self._print(-const if neg else const)
            if not (const.is_Integer or const.is_Symbol or (-const).is_Integer):
                shown = f"({shown})"
            return ("-" if neg else "") + shown + "*" + body
        factors = sums_last(expr)
        if factors is not None and not any(f.is_Pow and f.exp.is_negative for f in factors):
            sign = ""
            if factors[0].is_Number and factors[0].is_negative:
                sign = "-"
                factors = factors[1:] if factors[0] is S.NegativeOne else \
                    [-factors[0], *factors[1:]]
            return sign + "*".join(self.parenthesize(f, PRECEDENCE["Mul"]) for f in factors)
        return super()._print_Mul(expr)

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return expr.name

    def _print_Sum(self, expr: sympy.Sum) -> str:
        (index, lo, hi), = expr.limits if len(expr.limits) == 1 else (expr.limits[0],)
        body = self._print(expr.function)
        return f"sum({body}, {self._print(index)}, {self._print(lo)}, {self._print(hi)})"

    def _print_Abs(self, expr) -> str:
        return f"|{self._print(expr.args[0])}|"

    def _print_Max(self, expr) -> str:
        return f"max({self.stringify(expr.args, ', ')})"

    def _print_Min(self, expr) -> str:
        return f"min({self.stringify(expr.args, ', ')})"

    def _print_Function(self, expr) -> str:
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1:
            return f"{expr.func.__name__}_{self._print(expr.args[0])}"
        return super()._print_Function(expr)

    def _print_Exp1(self, expr) -> str:
        return "e"

    def _print_Pi(self, expr) -> str:
        return "π"


_ECHO = _EchoPrinter({"full_prec": False})


@memoized
def to_echo(expr: sympy.Basic) -> str:
    """The human reading: ``x^2·y + sin(x·y)``."""
    return _ECHO.doprint(expr).replace("**", "^").replace("*", "·")
