"""Nothing the parser accepts ends in "don't know": every function of the parser's vocabulary,
typed as a person would, gets a correct step tree for every variable."""

from __future__ import annotations

import pytest
import sympy
from steps_helpers import assert_tree_correct

from nablab.expression import to_real
from nablab.parse import parse
from nablab.parse.vocabulary import ALIASES, FUNCTIONS
from nablab.steps import derive_partial

#: how to call each function with arguments that depend on x and y
CALLS = {
    "atan2": "atan2(x y, x + 2)",
    "log": "log(x^2 + y, 3)",
    "root": "root(x^2 + 1, 3) + root(x + 2, y^2 + 1)",
    "max": "max(x, y^2, 1/2)",
    "min": "min(x, 2y)",
    "sum": "sum((y_n - x a_n)^2, n, 1, N) / N + y",
    "sign": "sign(x - y) + y",
    # functions defined only for arguments ≥ 1 (or in (0, 1])
    "acosh": "acosh(x^2 + y^2 + 1)",
    "acoth": "acoth(x^2 + y^2 + 1)",
    "asec": "asec(x^2 + y^2 + 1)",
    "acsc": "acsc(x^2 + y^2 + 1)",
    "asech": "asech(1/(x^2 + y^2 + 2))",
}
TEXTS = [CALLS.get(name, f"{name}(x/3 + y/5)") for name in FUNCTIONS] + [
    f"{alias}(x/3) * y" for alias, name in ALIASES.items()
    if name not in CALLS and alias not in FUNCTIONS
] + ["x^y + y^(x^2)", "e^(x y) + 2^x", "|x - y| + relu(x y - 1)", "θ_0 + θ_1 x^2"]


def test_the_whole_vocabulary_is_covered():
    assert {t.split("(")[0] for t in TEXTS} >= set(FUNCTIONS)


@pytest.mark.parametrize("text", TEXTS)
def test_parsed_function_steps_are_right(text):
    expression = parse(text)
    f, _ = to_real(expression.expr)
    for name in expression.variable_names:
        root = derive_partial(expression, name, form="derived")
        assert_tree_correct(root, f, sympy.Symbol(name, real=True))
