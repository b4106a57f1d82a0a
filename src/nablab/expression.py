"""The one type every stage shares: a parsed function.

The parser produces it; calculus, steps, optimisation and renderers consume it. Symbols are
plain SymPy symbols without assumptions, so that SymPy reading back ``render.text(expr)`` gives back
an expression equal to ``expr``; stages that need real symbols (calculus) swap them in and out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy


@dataclass(frozen=True)
class ParseWarning:
    """A reading that was a guess or a convention the user may not expect, shown back to them."""

    message: str
    column: int | None = None

    def to_dict(self) -> dict:
        return {"message": self.message, "column": self.column}


@dataclass(frozen=True)
class Expression:
    """A function as we understood it.

    ``variables`` are the coordinates we differentiate by, in order; ``parameters`` are the other
    free symbols, held constant. Data inside sums (``x_n`` in ``sum(..., n, 1, N)``) is neither:
    it is represented as an applied undefined function ``x(n)`` bound by the sum.
    """

    source: str
    expr: sympy.Expr
    variables: tuple[sympy.Symbol, ...]
    parameters: tuple[sympy.Symbol, ...] = ()
    warnings: tuple[ParseWarning, ...] = field(default=())
    latex_input: bool = False

    @property
    def variable_names(self) -> list[str]:
        return [v.name for v in self.variables]

    @property
    def parameter_names(self) -> list[str]:
        return [p.name for p in self.parameters]

    def to_dict(self) -> dict:
        """The JSON object of ``nablab parse --json`` and ``POST /api/parse``."""
        from nablab.render.json import expression_dict

        return expression_dict(self)


def to_real(expr: sympy.Basic) -> tuple[sympy.Basic, dict[sympy.Symbol, sympy.Symbol]]:
    """Swap every plain symbol for a real one (calculus over the reals: d|x|/dx = sign(x)).

    Returns the new expression and the map back, for :func:`from_real`.
    """
    forward = {s: sympy.Symbol(s.name, real=True) for s in expr.free_symbols
               if isinstance(s, sympy.Symbol) and not s.is_real}
    back = {r: s for s, r in forward.items()}
    return expr.xreplace(forward), back


def from_real(expr: sympy.Basic, back: dict[sympy.Symbol, sympy.Symbol]) -> sympy.Basic:
    """Undo :func:`to_real`, so results print and compare like the parsed input."""
    return expr.xreplace(back)
