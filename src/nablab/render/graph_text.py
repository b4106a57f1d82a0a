"""The computational graph as text: one line per node in forward order, then the backward pass.

Formats a :class:`nablab.calculus.graph.Graph`; computes nothing.
"""

from __future__ import annotations

from nablab.calculus.graph import Graph, GraphNode
from nablab.render.text import to_text


def _label(n: GraphNode) -> str:
    if n.name is not None:
        return n.name
    if n.op == "constant":
        return to_text(n.expr)
    return n.op


def graph_text(g: Graph) -> str:
    """Forward values and backward adjoints, node by node (shared subexpressions once)."""
    at = ", ".join(f"{k}={v:g}" for k, v in g.point.items())
    lines = [f"computational graph of f at {at}: {len(g.nodes)} nodes, f = {g.value:.12g}",
             f"{'node':>5}  {'operation':<22} {'value':>14} {'adjoint ∂f/∂node':>18}  rule"]
    for n in g.nodes:
        args = ", ".join(f"#{j}" for j in n.inputs)
        op = _label(n) + (f"({args})" if args else "")
        lines.append(f"{'#' + str(n.id):>5}  {op:<22} {n.value:>14.8g} {n.adjoint:>18.8g}  "
                     f"{n.rule}")
    lines.append("backward pass (reverse mode): " + " → ".join(f"#{i}" for i in g.backward))
    lines.append("∇f = (" + ", ".join(f"∂f/∂{v} = {d:.12g}" for v, d in
                                      zip(g.variables, g.gradient, strict=True)) + ")")
    return "\n".join(lines)
