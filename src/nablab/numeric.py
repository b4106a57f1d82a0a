"""The only place that turns expressions into NumPy callables (and NumPy source code).

Everything numeric (evaluation on grids, plots, descent, regression) compiles through here, so
that common subexpressions are shared and every caller gets the same semantics.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter


def _dirac_delta(x: object, k: object = 0) -> object:
    """δ(x) (and its derivatives) as numbers: 0 away from the jump, undefined (NaN) on it.
    It comes from differentiating sign, Heaviside or a second derivative of |x|; those partials
    are defined only off the jump (the domain says so), where δ is 0."""
    return np.where(np.asarray(x) == 0, np.nan, 0.0)


#: functions NumPy lacks, by SymPy name
_NUMPY_EXTRAS = {"DiracDelta": _dirac_delta}


def compile_numpy(
    exprs: Sequence[sympy.Expr] | sympy.Expr,
    symbols: Sequence[sympy.Symbol],
) -> Callable:
    """Given expressions and the symbols they take as positional arguments, return a NumPy
    function (works on scalars and arrays) with common subexpressions computed once."""
    return sympy.lambdify(list(symbols), exprs, modules=[_NUMPY_EXTRAS, "numpy"], cse=True)


def numpy_source(
    exprs: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol], name: str = "grad_f",
    doc: str | None = None,
) -> str:
    """Python source of a NumPy function returning ``exprs`` stacked along the first axis;
    common subexpressions are computed once and the arguments broadcast against each other, so
    it works on scalars and arrays alike."""
    class Printer(NumPyPrinter):
        def _print_DiracDelta(self, expr: sympy.Expr) -> str:  # as _dirac_delta above
            arg = self._print(expr.args[0])
            return f"numpy.where(numpy.asarray({arg}) == 0, numpy.nan, 0.0)"

    printer = Printer({"fully_qualified_modules": True, "allow_unknown_functions": False})
    names = [s.name for s in symbols]
    taken = set(names)
    counter = (f"_c{i}" for i in __import__("itertools").count())
    replacements, reduced = sympy.cse(list(exprs), symbols=(sympy.Symbol(c) for c in counter
                                                             if c not in taken))
    lines = ["import numpy", "", "", f"def {name}({', '.join(names)}):"]
    if doc:
        lines.append(f'    """{doc}"""')
    for sym, sub in replacements:
        lines.append(f"    {sym} = {printer.doprint(sub)}")
    outs = ", ".join(printer.doprint(e) for e in reduced)
    lines.append(f"    return numpy.stack(numpy.broadcast_arrays({outs}))")
    return "\n".join(lines) + "\n"
