"""Over the corpus (≥ 100 functions): every node's result is the derivative of its expression
(against SymPy's ``diff`` and against mpmath's numerical derivative), the last step is the
gradient core's answer, and no node is a "don't know"."""

from __future__ import annotations

import pytest
import sympy
from steps_corpus import CORPUS
from steps_helpers import assert_tree_correct, make

from nablab.expression import to_real
from nablab.steps import derive_partial
from nablab.steps.partial import _as_printed, core_answer

CASES = [(expr, vs, var, params) for expr, vs, params in CORPUS for var in vs.split()]
#: every 6th case in the default "simplified" form, the rest "derived" (to stay fast)
FORMS = ["simplified" if i % 6 == 0 else "derived" for i in range(len(CASES))]


def test_corpus_is_large_enough():
    assert len(CORPUS) >= 100
    assert len(CASES) >= 180


@pytest.mark.parametrize(("expr", "variables", "var", "params", "form"),
                         [(*c, f) for c, f in zip(CASES, FORMS, strict=True)],
                         ids=[f"{i}-{c[2]}" for i, c in enumerate(CASES)])
def test_every_node_is_right(expr, variables, var, params, form):
    root = derive_partial(make(expr, variables, params), var, form=form)
    f, _ = to_real(expr)
    x = sympy.Symbol(var, real=True)
    assert_tree_correct(root, f, x)
    assert root.final.form == form
    if form == "derived":  # cheap to recompute: the last step is exactly the core's answer
        # (as `nablab grad` prints it: re-evaluated through plain symbols, like sympify does)
        assert root.result == _as_printed(core_answer(f, x, form)[0])


@pytest.mark.parametrize("index", range(0, len(CORPUS), 4))
def test_last_step_is_what_nablab_grad_answers(index):
    """The steps end exactly on the partials of ``nablab.calculus.gradient`` (same form)."""
    from nablab.api import gradient

    expr, variables, params = CORPUS[index]
    expression = make(expr, variables, params)
    result = gradient(expression)
    for v, answer in zip(result.variables, result.partials, strict=True):
        root = derive_partial(expression, v.name)
        assert root.result == to_real(answer)[0], (v, root.result, answer)
