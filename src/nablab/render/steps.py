"""Printers for step trees: terminal text, LaTeX and Markdown (the JSON tree is
:func:`nablab.render.json.to_json`).

Printers format, they never differentiate or simplify: every value they show is a node's
expression or result (the "algebra" detail only arranges those values around the rule's
pattern). The terminal printer uses the human reading (``render.text.to_echo``).
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy

from nablab.render.latex import to_latex as latex_of
from nablab.render.text import to_echo
from nablab.steps import rules as R
from nablab.steps.wording import wording

DETAILS = ("rules", "algebra")


def step_ids(root: R.StepNode) -> dict[int, str]:
    """Pre-order path ids ("1", "1.2", "1.2.1") keyed by node identity."""
    out: dict[int, str] = {}

    def visit(node: R.StepNode, path: str) -> None:
        out.setdefault(id(node), path)
        for i, sub in enumerate(node.substeps, 1):
            visit(sub, f"{path}.{i}")

    visit(root, "1")
    return out


def ref_id(node: R.RepeatRule, ids: dict[int, str]) -> str:
    if id(node.ref) in ids:
        return ids[id(node.ref)]
    if isinstance(node.ref, R.PartialRule):
        return f"partial:{node.ref.variable.name}"
    return "above"


# --- terminal text -------------------------------------------------------------------------


def _held(node: R.PartialRule, verb: str = "treat") -> str:
    names = [to_echo(c) for c in node.constants]
    noun = "a constant" if len(names) == 1 else "constants"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{verb} {listed} as {noun}"


def _root_vars(root: R.StepNode) -> tuple[sympy.Symbol, ...]:
    """Variables written with ∂ (the partial's own); substitution letters get d."""
    if isinstance(root, R.PartialRule):
        return (root.variable,)
    if isinstance(root, R.GradientRule):
        return root.variables
    return ()


def _d(node: R.StepNode, root_vars: tuple[sympy.Symbol, ...]) -> str:
    v = node.variable
    if v is None:
        return ""
    return f"∂/∂{v.name}" if v in root_vars else f"d/d{v.name}"


def _kink(node: R.StepNode) -> str:
    """Where a non-smooth rule's result is not a derivative (shown with the step)."""
    v = node.variable
    if isinstance(node, R.AbsRule):
        return f"not differentiable at {v.name} = 0"
    if isinstance(node, R.ReluRule):
        return f"kink at {v.name} = 0: not differentiable there"
    if isinstance(node, R.SignRule):
        return f"a jump at {v.name} = 0; 0 everywhere else"
    if isinstance(node, R.MaxMinRule):
        a = node.expr.args
        where = " = ".join(to_echo(t) for t in a)
        return f"kink where {where}: not differentiable there"
    return ""


def _first_line(cls: type) -> str:
    return (cls.__doc__ or "").strip().splitlines()[0]


def _algebra(node: R.StepNode) -> str | None:
    """The rule's pattern filled in with this node's values (text), or None."""
    e = to_echo
    if isinstance(node, R.ConstantMultipleRule):
        return f"= {e(node.constant)} · ({e(node.inner.result)})"
    if isinstance(node, R.SumRule):
        return "= " + " + ".join(f"({e(t.result)})" for t in node.terms)
    if isinstance(node, R.ProductRule):
        parts = []
        for i, step in enumerate(node.steps):
            others = [f"({e(f)})" for j, f in enumerate(node.factors) if j != i]
            parts.append("·".join([f"({e(step.result)})", *others]))
        return "= " + " + ".join(parts)
    if isinstance(node, R.QuotientRule):
        f, g = e(node.numerator), e(node.denominator)
        return (f"= (({e(node.numerator_step.result)})·({g}) − ({f})·"
                f"({e(node.denominator_step.result)})) / ({g})^2")
    if isinstance(node, R.ChainRule):
        return (f"= ({e(node.outer_step.result)}) at {node.u.name} = {e(node.inner)}, "
                f"times ({e(node.inner_step.result)})")
    if isinstance(node, R.LogDiffRule):
        return (f"ln y = {e(node.exponent)}·ln({e(node.base)}), so y' = y · "
                f"({e(node.log_step.result)})")
    if isinstance(node, R.SumOverDataRule):
        return f"= Σ ({e(node.inner.result)})"
    return None


def to_text(root: R.StepNode, detail: str = "rules", indent: str = "  ") -> str:
    """The tree as indented lines for a terminal; ``detail="algebra"`` adds each rule's
    pattern, its explanation and the values filled into it."""
    if detail not in DETAILS:
        raise ValueError(f"detail must be one of {DETAILS}, got {detail!r}")
    ids = step_ids(root)
    root_var = _root_vars(root)
    lines: list[str] = []

    def visit(node: R.StepNode, depth: int) -> None:
        pad = indent * depth
        w = wording(node.rule)
        lines.append(pad + _headline(node, w.title, root_var, ids))
        if detail == "algebra" and not isinstance(node, R.PartialRule):
            lines.append(pad + indent + "rule: " + _first_line(type(node)))
            lines.append(pad + indent + "why: " + w.explanation)
            extra = _algebra(node)
            if extra:
                lines.append(pad + indent + extra)
        for sub in node.substeps:
            visit(sub, depth + 1)

    visit(root, 0)
    if isinstance(root, R.PartialRule):  # end on the answer, where a student looks for it
        lines.append(indent + f"so ∂f/∂{root.variable.name} = {to_echo(root.result)}")
    return "\n".join(lines)


def _headline(node: R.StepNode, title: str, root_var, ids: dict[int, str]) -> str:
    e = to_echo
    if isinstance(node, R.PartialRule):
        held = f", {_held(node, 'treating')}" if node.constants else ""
        return f"∂f/∂{node.variable.name}{held}, where f = {e(node.expr)}:"
    if isinstance(node, R.SimplifyRule):
        note = f" ({node.note})" if node.note else ""
        if node.expr == node.result:
            return f"{title}: {e(node.expr)} is already in {node.form} form{note}"
        return f"{title} ({node.form} form): {e(node.expr)} = {e(node.result)}{note}"
    if isinstance(node, R.GradientRule):
        names = ", ".join(v.name for v in node.variables)
        rows = ", ".join(e(r) for r in node.result)
        return f"∇f({names}) = [{rows}]ᵀ (a column)"
    if isinstance(node, R.EvaluateRule):
        at = ", ".join(f"{s.name} = {e(v)}" for s, v in node.point)
        rows = ", ".join(e(r) for r in node.result)
        return f"{title} {at}: ∇f = [{rows}]ᵀ"
    if isinstance(node, R.RepeatRule) and isinstance(node.ref, R.PartialRule):
        return f"∂f/∂{node.ref.variable.name} = {e(node.result)} (derived above)"
    let = ""
    if node.substitution is not None:
        u, inner = node.substitution
        let = f", let {u.name} = {e(inner)}"
    head = f"{title}{let}: {_d(node, root_var)} ({e(node.expr)}) = {e(node.result)}"
    kink = _kink(node)
    if kink:
        head += f" ({kink})"
    if isinstance(node, R.RepeatRule):
        head += f" (as in step {ref_id(node, ids)})"
    return head


# --- LaTeX and Markdown --------------------------------------------------------------------


def _latex_d(node: R.StepNode, root_var) -> str:
    v = node.variable
    if v is None:
        return ""
    name = latex_of(v)
    if v in root_var:
        return rf"\frac{{\partial}}{{\partial {name}}}"
    return rf"\frac{{d}}{{d{name}}}"


def _latex_line(node: R.StepNode, root_var) -> str:
    if isinstance(node, R.PartialRule):
        return (rf"\frac{{\partial f}}{{\partial {latex_of(node.variable)}}} = "
                rf"\frac{{\partial}}{{\partial {latex_of(node.variable)}}}\left[{latex_of(node.expr)}"
                rf"\right] = {latex_of(node.result)}")
    if isinstance(node, R.SimplifyRule):
        if node.expr == node.result:
            return rf"{latex_of(node.expr)} \quad \text{{(already in {node.form} form)}}"
        return rf"{latex_of(node.expr)} = {latex_of(node.result)}"
    if isinstance(node, (R.GradientRule, R.EvaluateRule)):
        return rf"\nabla f = {latex_of(node.result)}"
    return (rf"{_latex_d(node, root_var)}\left[{latex_of(node.expr)}\right] = "
            rf"{latex_of(node.result)}")


def _walk_depth(root: R.StepNode) -> Iterator[tuple[R.StepNode, int]]:
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((s, depth + 1) for s in reversed(node.substeps))


def _note(node: R.StepNode) -> str:
    if isinstance(node, R.PartialRule) and node.constants:
        return _held(node)
    if node.substitution is not None:
        u, inner = node.substitution
        return f"let {u.name} = {to_echo(inner)}"
    if isinstance(node, R.SimplifyRule) and node.note:
        return node.note
    return _kink(node)


def to_latex(root: R.StepNode, detail: str = "rules") -> str:
    """The tree as one LaTeX ``array``, one line per step, indented by depth."""
    root_var = _root_vars(root)
    rows = []
    for node, depth in _walk_depth(root):
        w = wording(node.rule)
        row = r"\quad " * depth + _latex_line(node, root_var) + rf" \quad \text{{({w.title}"
        if node.substitution is not None:
            u, inner = node.substitution
            row += rf"; let }} {latex_of(u)} = {latex_of(inner)} \text{{)}}"
        elif isinstance(node, R.PartialRule) and node.constants:
            held = ", ".join(latex_of(c) for c in node.constants)
            noun = "a constant" if len(node.constants) == 1 else "constants"
            row += rf"; treat }} {held} \text{{ as {noun})}}"
        else:
            note = _note(node)
            row += (f"; {note}" if note else "") + ")}"
        if detail == "algebra" and not isinstance(node, R.PartialRule):
            row += r"\\ " + r"\quad " * (depth + 1) + w.formula
        rows.append(row)
    return r"\begin{array}{l}" + r"\\ ".join(rows) + r"\end{array}"


def to_markdown(root: R.StepNode, detail: str = "rules") -> str:
    """The tree as a nested Markdown list with ``$…$`` math."""
    root_var = _root_vars(root)
    lines = []
    for node, depth in _walk_depth(root):
        w = wording(node.rule)
        note = _note(node)
        line = "  " * depth + f"- **{w.title}**" + (f" ({note})" if note else "")
        line += f": ${_latex_line(node, root_var)}$"
        lines.append(line)
        if detail == "algebra" and not isinstance(node, R.PartialRule):
            # a hard line break inside the same item: the why belongs to the step, not below it
            lines[-1] += "\\"
            lines.append("  " * (depth + 1) + f"*{w.explanation}* ${w.formula}$")
    return "\n".join(lines)
