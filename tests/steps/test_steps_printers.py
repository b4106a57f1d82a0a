"""Printers: the JSON tree's shape and round-trips, terminal text at both details, LaTeX and
Markdown; the gradient assembly and its evaluation step."""

from __future__ import annotations

import json

import pytest
import sympy
from steps_helpers import make

from nablab.api import gradient, parse
from nablab.errors import DomainError, NablabError
from nablab.expression import to_real
from nablab.render.json import to_json
from nablab.render.steps import to_latex, to_markdown, to_text
from nablab.steps import derive_gradient, derive_partial

x, y, a = sympy.symbols("x y a")
WORKED = make(x**2 * y + sympy.sin(x * y), "x y")
KEYS = {"rule", "title", "formula", "variable", "expression", "result", "substeps"}


def _nodes(d):
    yield d
    for s in d["substeps"]:
        yield from _nodes(s)


def test_json_tree_has_the_issue_keys_and_text_round_trips():
    tree = to_json(derive_partial(make(sympy.sin(x * y) * sympy.cos(x * y) + sympy.Abs(x), "x y"),
                          "x"))
    json.dumps(tree)  # plain JSON
    seen = 0
    for node in _nodes(tree):
        assert set(node) >= KEYS
        for field in ("expression", "result"):
            text = node[field]["text"]
            assert isinstance(sympy.sympify(text), sympy.Basic)
            assert node[field]["latex"]
            seen += 1
    assert seen > 10


def test_json_text_reads_back_to_the_node_values():
    root = derive_partial(WORKED, "x")
    tree = to_json(root)
    for node, d in zip(root.walk(), _nodes(tree), strict=True):
        got = to_real(sympy.sympify(d["result"]["text"]))[0]
        assert got == node.result
        assert to_real(sympy.sympify(d["expression"]["text"]))[0] == node.expr


def test_repeat_nodes_refer_to_the_first_derivation_by_id():
    tree = to_json(derive_partial(make(sympy.sin(x * y) * sympy.cos(x * y), "x y"), "x"))
    by_id = {n["id"]: n for n in _nodes(tree)}
    repeats = [n for n in _nodes(tree) if n["rule"] == "repeat"]
    assert len(repeats) == 1
    target = by_id[repeats[0]["ref"]]
    assert target["expression"] == repeats[0]["expression"]
    assert target["result"] == repeats[0]["result"]
    assert target["substeps"] and not repeats[0]["substeps"]


def test_chain_nodes_carry_the_substitution():
    tree = to_json(derive_partial(WORKED, "y"))
    chain = next(n for n in _nodes(tree) if n["rule"] == "chain")
    assert chain["substitution"] == {"variable": "u", "text": "x*y", "latex": "x y"}
    assert chain["substeps"][0]["variable"] == "u"


def test_algebra_detail_adds_the_pattern_and_values():
    root = derive_partial(WORKED, "x")
    short, long = to_text(root), to_text(root, detail="algebra")
    assert len(long.splitlines()) > 2 * len(short.splitlines())
    assert "rule: d/dx f(u(x)) = f'(u)·u'(x)" in long
    assert "= (cos(u)) at u = x·y, times (y)" in long
    assert "why: The derivative of a sum" in long
    with pytest.raises(ValueError):
        to_text(root, detail="everything")


def test_latex_and_markdown():
    root = derive_partial(WORKED, "x")
    tex = to_latex(root)
    assert tex.startswith(r"\begin{array}{l}") and tex.endswith(r"\end{array}")
    assert r"\text{(chain rule; let } u = x y \text{)}" in tex
    assert r"\frac{d}{du}\left[\sin{\left(u \right)}\right] = \cos{\left(u \right)}" in tex
    assert tex.count(r"\\") == len(list(root.walk())) - 1
    assert r"\frac{d}{dx} \sin x" not in tex and r"\sin x = \cos x" in to_latex(root, "algebra")
    md = to_markdown(root).splitlines()
    assert md[0].startswith("- **partial derivative** (treat y as a constant): $")
    assert md[1].startswith("  - **sum rule**: $")
    assert len(to_markdown(root, "algebra").splitlines()) > len(md)


def test_gradient_assembly_and_evaluation():
    steps = derive_gradient(WORKED, at={"x": 1, "y": 2})
    assert list(steps) == ["x", "y"]
    assembly = steps.assembly
    assert assembly.rule == "gradient"
    rx, ry = sympy.symbols("x y", real=True)
    assert assembly.result.shape == (2, 1)
    assert sympy.simplify(assembly.result[0] - (2 * rx * ry + ry * sympy.cos(rx * ry))) == 0
    refs = assembly.substeps[:2]
    assert [r.ref for r in refs] == [steps["x"], steps["y"]]
    evaluation = assembly.substeps[2]
    assert evaluation.rule == "evaluate"
    assert sympy.simplify(evaluation.result[0] - (4 + 2 * sympy.cos(2))) == 0
    assert sympy.simplify(evaluation.result[1] - (1 + sympy.cos(2))) == 0
    d = to_json(steps)
    assert set(d) == {"partials", "assembly"} and set(d["partials"]) == {"x", "y"}
    assert d["assembly"]["substeps"][0]["ref"] == "partial:x"
    assert d["assembly"]["substeps"][2]["point"]["x"]["text"] == "1"
    assert sympy.sympify(d["assembly"]["result"]["text"]).shape == (2, 1)
    text = to_text(assembly)
    assert text.splitlines()[0] == ("∇f(x, y) = [2·x·y + y·cos(x·y), x^2 + x·cos(x·y)]ᵀ "
                                    "(a column)")
    assert "evaluate at the point x = 1, y = 2: ∇f = [" in text


def test_gradient_without_a_point_has_no_evaluation():
    steps = derive_gradient(WORKED)
    assert [s.rule for s in steps.assembly.substeps] == ["repeat", "repeat"]


def test_evaluation_outside_the_domain_is_refused():
    with pytest.raises(DomainError, match="not defined"):
        derive_gradient(make(sympy.log(x) * y, "x y"), at={"x": 0, "y": 1})
    with pytest.raises(NablabError, match="no value for y"):
        derive_gradient(WORKED, at={"x": 1})
    with pytest.raises(NablabError, match="must be a"):
        derive_gradient(WORKED, at={"x": 1, "y": "z"})


def test_text_is_read_by_the_facade_not_by_the_steps():
    with pytest.raises(TypeError, match="parsed Expression"):
        derive_partial("x^2 y + sin(xy)", "y")
    steps = gradient("x^2 y + sin(xy)", steps=True).steps
    assert steps["y"].derivation.result == sympy.sympify("x**2 + x*cos(x*y)").xreplace(
        {s: sympy.Symbol(s.name, real=True) for s in (x, y)})


def test_a_given_answer_is_where_the_steps_end():
    rx, ry = sympy.symbols("x y", real=True)
    answer = ry * (2 * rx + sympy.cos(rx * ry))
    steps = derive_gradient(WORKED, answers={"x": answer}, notes={"x": "as asked"})
    assert steps["x"].result == answer
    assert steps["x"].final.expr == 2 * rx * ry + ry * sympy.cos(rx * ry)
    assert steps["x"].final.note == "as asked"
    assert steps.assembly.result[0] == answer


def test_every_printer_handles_every_rule():
    from steps_corpus import CORPUS

    from nablab.steps.rules import RULES

    seen: set[str] = set()
    for i, (expr, variables, params) in enumerate(CORPUS):
        steps = derive_gradient(make(expr, variables, params), form="derived")
        roots = [*steps.values(), steps.assembly]
        rules = {n.rule for root in roots for n in root.walk()}
        if rules <= seen and i % 5:
            continue  # nothing new to print (every 5th is printed anyway)
        seen |= rules
        for root in roots:
            for detail in ("rules", "algebra"):
                assert to_text(root, detail=detail).strip()
                tex = to_latex(root, detail=detail)
                assert tex.count("{") == tex.count("}")
                assert to_markdown(root, detail=detail).startswith("- **")
            json.dumps(to_json(root))
    assert seen >= set(RULES) - {"rewrite", "evaluate"}


def test_every_text_field_reads_back_to_the_same_expression():
    from steps_corpus import CORPUS

    from nablab.render.text import to_text as text_of

    checked = 0
    for expr, variables, params in CORPUS[::3]:
        for var in variables.split():
            for node in derive_partial(make(expr, variables, params), var, "derived").walk():
                for e in (node.expr, node.result):
                    plain = e.xreplace({s: sympy.Symbol(s.name) for s in e.free_symbols})
                    assert sympy.sympify(text_of(e)) == plain, (text_of(e), plain)
                    checked += 1
    assert checked > 500


def test_terminal_text_reads_left_to_right_and_ends_on_the_answer():
    lines = to_text(derive_partial(parse("sin(x^2 + 1) + cos(x^2 + 1)"), "x")).splitlines()
    assert lines[0] == "∂f/∂x, where f = sin(x^2 + 1) + cos(x^2 + 1):"
    # sub-steps in the order the sum is printed: sin first, then cos
    chains = [ln.strip() for ln in lines if ln.strip().startswith("chain rule")]
    assert chains[0].startswith("chain rule, let u = x^2 + 1: ∂/∂x (sin(x^2 + 1))")
    assert chains[1].startswith("chain rule, let u = x^2 + 1: ∂/∂x (cos(x^2 + 1))")
    assert any("(as in step 1.1.1.2)" in ln for ln in lines)  # the repeat names the step
    assert lines[-1] == "  so ∂f/∂x = 2·x·(-sin(x^2 + 1) + cos(x^2 + 1))"
    held = to_text(derive_partial(parse("a x^2 + b x y + c"), "x")).splitlines()[0]
    assert held == "∂f/∂x, treating a, b, c and y as constants, where f = a·x^2 + b·x·y + c:"


@pytest.mark.parametrize(
    ("text", "snippet"),
    [
        ("abs(x)", "= sign(x) (not differentiable at x = 0)"),
        ("relu(x)", "(kink at x = 0: not differentiable there)"),
        ("max(x, y)", "(kink where x = y: not differentiable there)"),
    ],
)
def test_non_smooth_steps_say_where_the_kink_is(text, snippet):
    root = derive_partial(parse(text), "x")
    assert snippet in to_text(root)
    assert snippet.split("(")[-1].rstrip(")") in to_markdown(root)
    assert snippet.split("(")[-1].rstrip(")") in to_latex(root)


def test_unchanged_simplify_step_is_not_printed_as_a_equals_a():
    root = derive_partial(parse("x y"), "x")
    assert "y is already in simplified form" in to_text(root)
    assert r"\text{(already in simplified form)}" in to_latex(root)
    assert "y = y" not in to_markdown(root)
