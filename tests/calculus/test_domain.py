"""Domains over the reals, each condition with a reason; points outside are named."""

import pytest
import sympy

from nablab.api import gradient
from nablab.calculus.domain import FUNCTION, PARTIALS, domain_conditions
from nablab.calculus.partials import partials
from nablab.errors import DomainError
from nablab.render.json import to_json

x, y = sympy.symbols("x y", real=True)


def conds(f):
    return {(str(c.expr), c.applies_to): c.reason
            for c in domain_conditions(f, partials(f, [x, y]))}


def test_log_root_denominator():
    c = conds(sympy.log(x) + sympy.sqrt(y) + 1 / (x - y))
    assert ("x > 0", FUNCTION) in c and "positive" in c[("x > 0", FUNCTION)]
    assert ("y >= 0", FUNCTION) in c and ("y > 0", PARTIALS) in c
    assert ("Ne(x - y, 0)", FUNCTION) in c


def test_asin_open_for_the_derivative():
    c = domain_conditions(sympy.asin(x), partials(sympy.asin(x), [x]))
    kinds = {(c_.applies_to, type(c_.expr)) for c_ in c}
    assert (FUNCTION, sympy.And) in kinds
    assert any(c_.applies_to == PARTIALS for c_ in c)


def test_variable_exponent_needs_positive_base():
    c = conds(x**y)
    assert ("x > 0", FUNCTION) in c and "variable exponent" in c[("x > 0", FUNCTION)]


def test_kinks_are_partials_conditions():
    c = conds(sympy.Abs(x) + sympy.Max(0, y))
    assert ("Ne(x, 0)", PARTIALS) in c
    assert any("relu" in r for r in c.values())


def test_no_conditions_for_entire_functions():
    assert conds(x**2 * y + sympy.sin(x * y)) == {}


def test_domain_json_entries():
    d = to_json(gradient("ln(x) + sqrt(y)"))["domain"]
    assert {"condition", "latex", "reason"} <= set(d[0])
    assert sympy.sympify(d[0]["condition"]) == (sympy.Symbol("x") > 0)


@pytest.mark.parametrize(("text", "at", "needle"), [
    ("ln(x)", "x=-2", "x > 0"),
    ("sqrt(x - 1)", "x=0", "x - 1 ≥ 0"),
    ("1/(x - y)", "x=1,y=1", "≠ 0"),
    ("acos(x)", "x=1.5", "x ≤ 1"),
    ("tan(x)", "x=pi/2", "cos(x) ≠ 0"),
    ("x^y", "x=-1,y=0.5", "x > 0"),
    ("max(0, x) + y", "x=0,y=1", "≠"),
])
def test_points_outside_are_named(text, at, needle):
    with pytest.raises(DomainError) as info:
        gradient(text, at=at)
    assert needle in info.value.message
    assert info.value.hint


def test_reasons_are_written_as_people_read_them():
    r = gradient("asin(x y) + |x| + relu(y - 1) + ln(x^2 + y)")
    text = " ".join(c.reason for c in r.domain)
    assert "**" not in text and "x·y" in text and "x^2 + y" in text
    kink = next(c for c in r.domain if "relu" in c.reason)
    assert kink.reason == "max(0, y - 1) (relu) is not differentiable where y - 1 = 0"
    assert to_json(kink)["condition"] in ("Ne(y - 1, 0)", "Ne(y, 1)")
