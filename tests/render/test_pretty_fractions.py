"""Products with a denominator are drawn as SymPy's own printer draws them, without the units
import that SymPy's _print_Mul does first (0.3 s of a cold ``nablab grad``)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sympy
from sympy.printing.pretty.pretty import PrettyPrinter

from nablab.render.pretty import to_pretty

x, y, z = sympy.symbols("x y z")
SYMPY = PrettyPrinter({"use_unicode": True, "wrap_line": False})


@pytest.mark.parametrize("expr", [
    x / y, -x / y, 2 * x / (3 * y), x * y**-2, sympy.sin(x) / sympy.cos(y) ** 2,
    -sympy.Rational(3, 7) * x * y / sympy.sqrt(z), 1 / x, 1 / (x * y), sympy.exp(-x) / x,
    5 / x, -1 / x, x * y / (z + 1), (x + 1) / (y - 2), sympy.pi * x / 2, sympy.I * x / y,
    x * y**sympy.Rational(-3, 2), sympy.Mul(2, x, evaluate=False) / y,
])
def test_a_fraction_is_drawn_as_sympy_draws_it(expr):
    assert to_pretty(expr) == SYMPY.doprint(expr)


def test_drawing_a_fraction_does_not_import_sympy_physics():
    code = ("import sys, sympy; from nablab.render.pretty import to_pretty; "
            "x, y = sympy.symbols('x y'); print(to_pretty(sympy.Matrix([2*x/y, -x/y**2]))); "
            "assert 'sympy.physics' not in sys.modules, 'imported sympy.physics'")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "2⋅x" in out.stdout and "─" in out.stdout
