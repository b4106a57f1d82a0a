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
from sympy.core.function import AppliedUndef
from sympy.printing.str import StrPrinter


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
        # repr of the float keeps full precision and reads back exactly
        return repr(float(expr))


_TEXT = _SafeStrPrinter()


def to_text(expr: sympy.Basic) -> str:
    """SymPy syntax for ``expr`` that ``sympy.sympify`` reads back to an equal expression."""
    return _TEXT.doprint(expr)


class _EchoPrinter(StrPrinter):
    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return expr.name

    def _print_Function(self, expr) -> str:
        if isinstance(expr, AppliedUndef) and len(expr.args) == 1:
            return f"{expr.func.__name__}_{self._print(expr.args[0])}"
        return super()._print_Function(expr)

    def _print_Exp1(self, expr) -> str:
        return "e"

    def _print_Pi(self, expr) -> str:
        return "π"


_ECHO = _EchoPrinter()


def to_echo(expr: sympy.Basic) -> str:
    """The human reading: ``x^2·y + sin(x·y)``."""
    return _ECHO.doprint(expr).replace("**", "^").replace("*", "·")
