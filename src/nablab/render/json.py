"""The JSON form of a parsed expression: the ``nablab parse --json`` object, and the common
head of every other result's ``to_dict()``."""

from __future__ import annotations

from typing import Any

from nablab.expression import Expression
from nablab.render.latex import to_latex
from nablab.render.order import has_data
from nablab.render.text import to_echo, to_text


def expression_dict(e: Expression) -> dict[str, Any]:
    """``input``, ``expression`` {``text``, ``latex``, ``echo``}, ``variables``,
    ``parameters``, ``warnings`` [{``message``, ``column``}], ``sums_over_data`` (a Σ over
    data such as the MSE: it has no value, picture or descent without the data)."""
    return {
        "input": e.source,
        "expression": {"text": to_text(e.expr), "latex": to_latex(e.expr),
                       "echo": to_echo(e.expr)},
        "variables": e.variable_names,
        "parameters": e.parameter_names,
        "warnings": [w.to_dict() for w in e.warnings],
        "sums_over_data": has_data(e.expr),
    }


# SHIM until core branch: the core helper creates the real singledispatch ``to_json`` here;
# the optimize registrations below only need its name (see CONTRACT.md, "JSON").
from functools import singledispatch  # noqa: E402


@singledispatch
def to_json(obj: Any) -> Any:
    """The JSON form of a result (registered per type)."""
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    raise TypeError(f"no JSON form for {type(obj).__name__}")


from nablab.render import json_optimize  # noqa: F401,E402  registers
