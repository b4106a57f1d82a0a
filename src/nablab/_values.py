"""Reading the values users type: numbers, points and directions (never evaluated as code).

SHIM until parser branch: ``nablab.parse.values`` is the one reader of values; this module is
what the facade calls until it is merged (moved here from ``calculus/point.py``, unchanged).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import symengine as se
import sympy

from nablab.errors import NablabError
from nablab.parse import parse
from nablab.parse.reader import canonical_name

_SPLIT = re.compile(r"[,;\s]+")


def parse_value(value: Any, name: str) -> sympy.Expr:
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
                          hint="write a number such as 1, -0.5, 2/3 or pi/2") from None
    v = parsed.expr
    if v.free_symbols or not v.is_number or v.is_real is False or not v.is_finite:
        raise NablabError(f"the value {text!r} for {name} is not a real number",
                          hint="write a number such as 1, -0.5, 2/3 or pi/2")
    return v


def parse_point(at: Any) -> dict[str, sympy.Expr]:
    """``{"x": 1, "y": "2/3"}`` or ``"x=1,y=2/3"`` into exact values by name."""
    if isinstance(at, str):
        pairs: dict[str, str] = {}
        for part in filter(None, (p.strip() for p in at.split(","))):
            if "=" not in part:
                raise NablabError(f"expected name=value, got {part!r}",
                                  hint="write the point like x=1,y=2")
            k, v = (s.strip() for s in part.split("=", 1))
            pairs[k] = v
        at = pairs
    if not isinstance(at, Mapping):
        raise NablabError("the point must be name=value pairs", hint="x=1,y=2")
    return {canonical_name(k): parse_value(v, str(k)) for k, v in at.items()}


def parse_direction(direction: Any, n: int) -> list[float]:
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
    vec = [float(parse_value(v, "the direction").evalf()) for v in items]
    if not all(math.isfinite(v) for v in vec):
        raise NablabError("the direction's components must be finite numbers",
                          hint="give an ordinary vector such as 1,1; only its direction matters")
    if not any(vec):
        raise NablabError("the direction is the zero vector, which has no direction",
                          hint="give a non-zero vector such as 1,1")
    return vec
