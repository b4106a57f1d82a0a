"""Every limit the parser enforces, in one place, with the reason for its value.

All of them are checked before SymPy does any work on the part concerned, so hostile input is
refused in milliseconds. They are generous enough for big legitimate inputs: the 1000-variable
Rosenbrock function written out in full (~55 KB, ~30 000 tokens) and a 20 000-term sum.
"""

from __future__ import annotations

#: Characters of input. A 20 000-term sum of short terms (`x1 + … + x20000`) is ~170 KB,
#: of terms like `3*x^2 y` ~270 KB.
MAX_INPUT_CHARS = 400_000

#: Tokens (numbers, names, operators) after lexing.
MAX_TOKENS = 200_000

#: Nesting depth: brackets, |…|, function arguments, unary signs and exponents towers all count.
#: Keeps recursion (ours, and SymPy's printers later) far from Python's recursion limit.
MAX_DEPTH = 100

#: Digits in one number literal (integer and fraction part together): every integer within
#: the magnitude limit below can be written out (and our own output read back).
MAX_DIGITS = 300

#: |exponent| of scientific notation (``3.5e-2``); decimals are floats, so they must stay in the
#: IEEE double range to print and read back exactly.
MAX_SCI_EXPONENT = 300

#: Letters in one name.
MAX_NAME_LENGTH = 64

#: Bound on |log10| of any numeric value the input builds (``2^1000`` ≈ 10^301 is refused,
#: ``2^900`` is fine). About the double range, so every constant can also be evaluated in
#: floating point; also keeps SymPy's exact root extraction on big integers fast.
MAX_LOG10_MAGNITUDE = 300.0

#: |exponent| of a power with a symbolic base: ``x^999999999`` is accepted, ``x^(10^10)`` is not.
MAX_EXPONENT = 10**9

#: Significant digits kept in decimals (IEEE double); more digits give a warning.
FLOAT_DIGITS = 15

__all__ = [
    "FLOAT_DIGITS",
    "MAX_DEPTH",
    "MAX_DIGITS",
    "MAX_EXPONENT",
    "MAX_INPUT_CHARS",
    "MAX_LOG10_MAGNITUDE",
    "MAX_NAME_LENGTH",
    "MAX_SCI_EXPONENT",
    "MAX_TOKENS",
]
