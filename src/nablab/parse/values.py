"""The one reader of values typed by users: numbers, points, directions, start points, variable
lists and ``name=value`` options (issue 15 item 2, issue 11: ``x=1,y=2`` was read in four places).

Each value is a number or is read by the grammar (``pi/2``, ``sqrt(2)/2``, ``1/3``), never
evaluated as code. The facade (``api``), the CLI and the HTTP request models read values here.
The layers below the facade take values already read (numbers, never text) and check them with
the validators here, :func:`exact_number` (the worked evaluation of the steps) and
:func:`finite_float` (descent's start point, rates and parameters), so "the value of x must be a
finite real number" is decided in one place. (Feature-column lists of regression data are read
in ``optimize/data.py``: they name columns, not variables.)
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import symengine as se
import sympy

from nablab.errors import NablabError, ParseError
from nablab.parse.reader import canonical_name, declared_names, parse

_SPLIT = re.compile(r"[,;\s]+")
_VALUE_HINT = "write a number such as 1, -0.5, 2/3 or pi/2"

__all__ = [
    "canonical_name",
    "exact_number",
    "finite_float",
    "parse_point",
    "point_values",
    "read_assignments",
    "read_direction",
    "read_float",
    "read_point",
    "read_start",
    "read_value",
    "read_variables",
    "split_names",
]


def read_value(value: Any, name: str) -> sympy.Expr:
    """An exact real number from a number or text (``"1/3"``, ``"0.5"``, ``"pi/2"``); never
    evaluates the text as code."""
    if isinstance(value, bool):
        raise NablabError(f"value for {name} must be a number, got {value!r}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NablabError(f"value for {name} is not finite: {value!r}")
        return sympy.Rational(Fraction(repr(value)))
    if isinstance(value, (sympy.Expr, se.Basic)):
        value = str(value)
    if not isinstance(value, str):
        raise NablabError(f"value for {name} must be a number, got {type(value).__name__}")
    text = value.strip()
    try:
        return sympy.Rational(Fraction(text))
    except (ValueError, ZeroDivisionError):
        pass
    try:
        parsed = parse(text)
    except NablabError as err:
        raise NablabError(f"cannot read the value {text!r} for {name}: {err.message}",
                          hint=_VALUE_HINT) from None
    v = parsed.expr
    if v.free_symbols or not v.is_number or v.is_real is False or not v.is_finite:
        raise NablabError(f"the value {text!r} for {name} is not a real number",
                          hint=_VALUE_HINT)
    return v


def read_pairs(text: str) -> dict[str, str]:
    """``"x=1,y=2/3"`` -> ``{"x": "1", "y": "2/3"}`` (the values still text)."""
    pairs: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            raise NablabError(f"expected name=value, got {part!r}",
                              hint="write the point like x=1,y=2")
        k, v = (s.strip() for s in part.split("=", 1))
        pairs[k] = v
    return pairs


def read_point(at: Any, names: Sequence[str] | None = None) -> dict[str, sympy.Expr]:
    """``{"x": 1, "y": "2/3"}`` or ``"x=1,y=2/3"`` into exact values by (canonical) name;
    with ``names`` (the variables in order) also a list or tuple of values in that order."""
    if isinstance(at, str):
        at = read_pairs(at)
    elif names is not None and isinstance(at, (list, tuple)):
        if len(at) != len(names):
            raise NablabError(f"f has {len(names)} variables ({', '.join(names)}) but the "
                              f"point has {len(at)} coordinates",
                              hint="give one value per variable, in order, or name them: "
                                   + ",".join(f"{n}=1" for n in names))
        at = dict(zip(names, at, strict=True))
    if not isinstance(at, Mapping):
        raise NablabError("the point must be name=value pairs", hint="x=1,y=2")
    return {canonical_name(k): read_value(v, str(k)) for k, v in at.items()}


#: the name ``calculus.point`` gives it: switching is a one-line import change
parse_point = read_point


def read_direction(direction: Any, n: int) -> list[float]:
    """A direction vector of ``n`` numbers from a list or ``"1,1"``."""
    if isinstance(direction, str):
        items: Sequence[Any] = [p for p in _SPLIT.split(direction.strip()) if p]
    else:
        items = list(direction)
    if len(items) != n:
        have = f"{len(items)} component{'' if len(items) == 1 else 's'}"
        want = f"{n} variable{'' if n == 1 else 's'}"
        raise NablabError(f"the direction has {have} but f has {want}",
                          hint="give one number per variable, e.g. " + ",".join(["1"] * n))
    vec = [float(read_value(v, "the direction").evalf()) for v in items]
    if not all(math.isfinite(v) for v in vec):
        raise NablabError("the direction's components must be finite numbers",
                          hint="give an ordinary vector such as 1,1; only its direction matters")
    if not any(vec):
        raise NablabError("the direction is the zero vector, which has no direction",
                          hint="give a non-zero vector such as 1,1")
    return vec


def point_values(at: Mapping[str, Any], names: Sequence[str]) -> list[tuple[str, sympy.Expr]]:
    """A value for every name of ``names`` from ``at`` (numbers or text), in that order: the
    point a worked evaluation substitutes."""
    missing = [n for n in names if n not in at]
    if missing:
        raise NablabError(f"the point gives no value for {', '.join(missing)}",
                          hint="give a value for every variable, e.g. x=1,y=2")
    out = []
    for name in names:
        value = at[name]
        if isinstance(value, str):
            parsed = parse(value)
            if parsed.expr.free_symbols:
                raise NablabError(f"the value of {name} must be a number, got {value!r}")
            value = parsed.expr
        out.append((name, exact_number(name, value)))
    return out


def exact_number(name: str, value: Any) -> sympy.Expr:
    """An already-read value (int, float, Fraction or a SymPy number; never text) as an exact
    SymPy number, refused unless finite and real: the check every layer shares."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction, sympy.Basic)):
        raise NablabError(f"the value of {name} must be a number, got {value!r}")
    number = (value if isinstance(value, sympy.Basic) else
              sympy.Integer(value) if isinstance(value, int) else
              sympy.Rational(value.numerator, value.denominator)
              if isinstance(value, Fraction) else sympy.Float(value))
    if not number.is_number or not _finite_real(number):
        raise NablabError(f"the value of {name} must be a finite real number, got {value!r}")
    return number


def _finite_real(value: sympy.Expr) -> bool:
    try:
        v = complex(value.evalf())
    except (TypeError, ValueError):
        return False
    return math.isfinite(v.real) and v.imag == 0


def read_float(name: str, value: Any, what: str) -> float:
    """A finite float from a number or plain decimal text (learning rates, start values)."""
    exact = isinstance(value, sympy.Basic) and value.is_number
    if not exact and (isinstance(value, bool) or not isinstance(value, numbers.Real)):
        try:  # text (and Decimal): only a plain decimal, never evaluated
            value = float(str(value).strip())
        except ValueError:
            raise ParseError(f"{what} for {name} is not a number: {value!r}",
                             hint="write a plain decimal number such as 1.5 or -2e-3") from None
    return finite_float(name, value, what, error=ParseError)


def finite_float(name: str, value: Any, what: str,
                 error: type[NablabError] = NablabError) -> float:
    """An already-read value (a real number, NumPy's too, or a SymPy number; never text) as a
    finite float: what the optimizer takes, so text is refused here, not read."""
    plain = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if plain or (isinstance(value, sympy.Basic) and value.is_number):
        try:
            out = float(value)
        except TypeError:  # a complex SymPy number
            raise error(f"{what} for {name} must be a real number, got {value}") from None
    else:
        raise error(f"{what} for {name} is not a number: {value!r}",
                    hint="give a plain number such as 1.5 or -2e-3")
    if not math.isfinite(out):
        raise error(f"{what} for {name} must be finite, got {value!r}")
    return out


def start_in_order(start: Mapping[str, Any], names: Sequence[str]) -> list[Any]:
    """A start point's values in the order of ``names``: each variable given, no other name
    (the one wording of both mistakes, for text and for values already read)."""
    unknown = [k for k in start if k not in names]
    if unknown:
        raise NablabError(f"{unknown[0]} is not a variable of f (variables: {', '.join(names)})")
    missing = [n for n in names if n not in start]
    if missing:
        raise NablabError(f"no starting value for {missing[0]}",
                          hint=f"give one for every variable: {', '.join(names)}")
    return [start[n] for n in names]


def read_start(start: Any, names: Sequence[str]) -> list[float]:
    """A start point for the variables ``names``: ``{name: value}`` (names spelled as the
    function spells them, ``x_1`` or ``θ₀``), ``"x=1,y=2"``, or values in variable order."""
    if isinstance(start, str):
        start = read_pairs(start) if "=" in start else [p for p in _SPLIT.split(start.strip())
                                                         if p]
    if isinstance(start, Mapping):
        start = {canonical_name(k): v for k, v in start.items()}
        return [read_float(n, v, "starting value") for n, v in zip(
            names, start_in_order(start, names), strict=True)]
    x0 = [read_float(f"coordinate {i + 1}", v, "starting value") for i, v in enumerate(start)]
    if len(x0) != len(names):
        raise NablabError(f"f has {len(names)} variables ({', '.join(names)}) but the start "
                          f"point has {len(x0)} coordinates")
    return x0


def read_assignments(text: str, option: str) -> dict[str, str]:
    """Read ``x=1,y=2`` into ``{"x": "1", "y": "2"}`` (values stay text: they are parsed later);
    ``option`` names where it was typed (``--at``) in the messages."""
    out: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            raise NablabError(
                f"{option} expects name=value pairs, got {part!r}",
                hint=f"write it like {option} x=1,y=2",
            )
        name, value = (s.strip() for s in part.split("=", 1))
        if not name or not value:
            raise NablabError(f"{option}: empty name or value in {part!r}", hint=f"{option} x=1,y=2")
        out[name] = value
    return out


def split_names(value: Any) -> list[str] | None:
    """``"x, y"`` or ``["x", "y"]`` -> ``["x", "y"]``; empty -> None (let the reading decide)."""
    if value is None:
        return None
    items = value.replace(" ", ",").split(",") if isinstance(value, str) else list(value)
    names = [s.strip() for s in items if s and s.strip()]
    return names or None


def read_variables(variables: str | Sequence[str] | None) -> list[str] | None:
    """Declared variables (``"x,y"``, ``["θ_0", "x"]``) as the canonical names the parser
    uses, validated (duplicates and function names refused); None if none."""
    return declared_names(variables)
