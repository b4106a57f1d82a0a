"""What names mean: functions, constants, Greek letters and LaTeX commands (data, no logic).

Each function maps to how it is built from SymPy pieces. Everything is plain SymPy so that the
text form round-trips through ``sympy.sympify``: ``sigmoid(u)`` is ``1/(1 + exp(-u))``,
``softplus(u)`` is ``log(1 + exp(u))``, ``relu(u)`` is ``Max(0, u)``, ``cbrt(u)`` is ``u**(1/3)``
and ``log(x, b)`` is ``log(x)/log(b)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy import S

from nablab.parse.nodes import absolute_value
from nablab.parse.nodes import over_log as _over_log


def _log(x: sympy.Expr, b: sympy.Expr | None = None) -> sympy.Expr:
    return sympy.log(x) if b is None else _over_log(x, b)


@dataclass(frozen=True)
class FunctionSpec:
    """A function people type: its canonical name, how many arguments, how to build it."""

    name: str
    min_args: int
    max_args: int | None  # None: any number (max, min)
    build: Callable[..., sympy.Expr]
    inverse: str | None = None  # what ``f^-1`` means


def _one(name: str, fn: Callable[[sympy.Expr], sympy.Expr], inverse: str | None = None):
    return FunctionSpec(name, 1, 1, fn, inverse)


_SPECS = [
    _one("sin", sympy.sin, "asin"),
    _one("cos", sympy.cos, "acos"),
    _one("tan", sympy.tan, "atan"),
    _one("sec", sympy.sec, "asec"),
    _one("csc", sympy.csc, "acsc"),
    _one("cot", sympy.cot, "acot"),
    _one("asin", sympy.asin),
    _one("acos", sympy.acos),
    _one("atan", sympy.atan),
    _one("acot", sympy.acot),
    _one("asec", sympy.asec),
    _one("acsc", sympy.acsc),
    FunctionSpec("atan2", 2, 2, sympy.atan2),
    _one("sinh", sympy.sinh, "asinh"),
    _one("cosh", sympy.cosh, "acosh"),
    _one("tanh", sympy.tanh, "atanh"),
    _one("coth", sympy.coth, "acoth"),
    _one("sech", sympy.sech, "asech"),
    _one("csch", sympy.csch, "acsch"),
    _one("asinh", sympy.asinh),
    _one("acosh", sympy.acosh),
    _one("atanh", sympy.atanh),
    _one("acoth", sympy.acoth),
    _one("asech", sympy.asech),
    _one("acsch", sympy.acsch),
    _one("exp", sympy.exp, "ln"),
    _one("ln", sympy.log),
    FunctionSpec("log", 1, 2, _log),
    _one("log2", lambda x: _over_log(x, S(2))),
    _one("log10", lambda x: _over_log(x, S(10))),
    _one("sqrt", sympy.sqrt),
    _one("cbrt", lambda x: sympy.Pow(x, sympy.Rational(1, 3))),
    FunctionSpec("root", 2, 2, lambda x, n: sympy.Pow(x, sympy.Pow(n, -1))),
    _one("abs", absolute_value),
    _one("sign", sympy.sign),
    FunctionSpec("max", 1, None, sympy.Max),
    FunctionSpec("min", 1, None, sympy.Min),
    _one("relu", lambda x: sympy.Max(S.Zero, x)),
    _one("sigmoid", lambda x: sympy.Pow(sympy.Add(S.One, sympy.exp(-x)), -1)),
    _one("softplus", lambda x: sympy.log(sympy.Add(S.One, sympy.exp(x)))),
    # SymPy writes these when it evaluates |…| of symbols that may be complex, e.g.
    # |2^x| = 2^re(x); readable so that every echo reads back (whole words only, never split)
    _one("re", sympy.re),
    _one("im", sympy.im),
    _one("arg", sympy.arg),
    _one("conjugate", sympy.conjugate),
    # sum(body, n, lo, hi) is parsed specially (the index is bound); listed so it is a known name
    FunctionSpec("sum", 4, 4, lambda *a: sympy.Sum(a[0], (a[1], a[2], a[3]))),
]

#: canonical name -> spec
FUNCTIONS: dict[str, FunctionSpec] = {s.name: s for s in _SPECS}

#: other spellings -> canonical name
ALIASES: dict[str, str] = {
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arccot": "acot", "arcsec": "asec",
    "arccsc": "acsc", "arctan2": "atan2",
    "arsinh": "asinh", "arcsinh": "asinh", "arcosh": "acosh", "arccosh": "acosh",
    "artanh": "atanh", "arctanh": "atanh", "arcoth": "acoth", "arccoth": "acoth",
    "arsech": "asech", "arcsech": "asech", "arcsch": "acsch", "arccsch": "acsch",
    "sgn": "sign", "Abs": "abs", "Max": "max", "Min": "min",
}


def function_spec(name: str) -> FunctionSpec | None:
    """The function a name denotes (``arctan`` -> atan), or None."""
    return FUNCTIONS.get(ALIASES.get(name, name))


#: names that are constants unless declared as variables
CONSTANTS: dict[str, sympy.Expr] = {"e": S.Exp1, "pi": S.Pi}

#: Greek letter names usable as symbol names (omicron is left out: it looks like o)
GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"]

#: LaTeX spellings of Greek letters that name the same symbol
GREEK_VARIANTS = {"varepsilon": "epsilon", "vartheta": "theta", "varphi": "phi",
                  "varrho": "rho", "varsigma": "sigma", "varpi": "pi"}

#: Unicode Greek letters -> names (the capitals that look like Latin letters are not here)
GREEK_CHARS: dict[str, str] = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon",
    "ζ": "zeta", "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa",
    "λ": "lambda", "μ": "mu", "µ": "mu", "ν": "nu", "ξ": "xi", "π": "pi", "ρ": "rho", "ϱ": "rho",
    "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon", "φ": "phi", "ϕ": "phi", "χ": "chi",
    "ψ": "psi", "ω": "omega", "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda",
    "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon", "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}

#: functions recognised only as a whole word, never found inside a longer run of letters
WHOLE_WORD_ONLY = frozenset({"re", "im", "arg", "conjugate"})

#: every multi-letter name the splitter looks for inside runs of letters
KNOWN_NAMES: frozenset[str] = frozenset(
    n for n in (*FUNCTIONS, *ALIASES, *CONSTANTS, *GREEK)
    if len(n) > 1 and n.isalpha() and n not in WHOLE_WORD_ONLY
)
LONGEST_KNOWN = max(len(n) for n in KNOWN_NAMES)

# LaTeX commands -------------------------------------------------------------------------------

#: commands that produce nothing (spacing, sizing, display style)
LATEX_IGNORED = frozenset({
    ",", ";", ":", "!", " ", "quad", "qquad", "thinspace", "medspace", "thickspace", "enspace",
    "negthinspace", "displaystyle", "textstyle", "limits", "nolimits",
    "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
})

#: commands that are operators
LATEX_OPERATORS = {"cdot": "*", "times": "*", "ast": "*", "div": "/",
                   "lvert": "|", "rvert": "|", "vert": "|", "mid": "|", "|": "|"}

#: commands with their own grammar
LATEX_STRUCTURES = {"frac": "frac", "dfrac": "frac", "tfrac": "frac", "sqrt": "sqrt",
                    "sum": "sum"}

#: logarithm shorthands: lg is log base 10 and lb log base 2 (ISO 80000-2), ld log base 2 (DIN
#: 1302); in LaTeX as commands (\\lg, \\operatorname{ld}), typed only as a call (``lg(x)``,
#: where the letters are not already a product: see ``reader.resolve_words``)
LOG_SHORTHANDS = {"lg": "10", "lb": "2", "ld": "2"}
LATEX_LOG_SHORTHANDS = LOG_SHORTHANDS

#: functions LaTeX has a command for (others come through \operatorname{…})
LATEX_FUNCTIONS = frozenset({
    "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh",
    "tanh", "coth", "exp", "ln", "log", "max", "min", "sgn",
})
