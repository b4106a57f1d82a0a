"""∇f at a point the way frameworks compute it: the expression as a computational graph,
a forward pass for the values and a backward pass (reverse mode) for the adjoints.

The graph is SymPy's expression DAG: equal subexpressions are one node, however often they
occur. Each node has an operation (``add``, ``mul``, ``pow``, ``sin``, …), its inputs, its
value at the point, its adjoint ∂f/∂node and the local derivatives ∂node/∂input, named with the
rule names of the step tree (:mod:`nablab.steps.rules`: ``sum``, ``product``,
``constant_multiple``, ``power``, ``exponential``, ``log_diff``, ``exp``, ``log``, ``sin``, …,
``variable``, ``other_symbol``, ``constant``; ``table`` for a function the steps look up). The
chain rule is the backward pass itself: adjoint(input) += adjoint(node) · ∂node/∂input, in
reverse topological order. At the end every variable's adjoint is ∂f/∂x at the point, which
the tests compare with the symbolic gradient.

Takes an Expression (or a SymPy expression) and already-read numbers; reading text is the
facade's job.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy

from nablab.calculus.point import check_point_names
from nablab.errors import DomainError, NablabError
from nablab.expression import Expression


@dataclass
class GraphNode:
    """One operation: inputs by id, value and adjoint at the point, local derivatives."""

    id: int
    op: str
    inputs: list[int]
    value: float
    rule: str
    expr: sympy.Expr
    adjoint: float = 0.0
    local: list[float] = field(default_factory=list)  # ∂node/∂input, per input
    name: str | None = None  # variables and parameters


@dataclass
class Graph:
    """The computational graph of f at a point, after the forward and backward passes."""

    nodes: list[GraphNode]
    output: int
    variables: list[str]
    point: dict[str, float]
    gradient: list[float]
    backward: list[int]  # node ids in the order the backward pass visits them

    @property
    def value(self) -> float:
        return self.nodes[self.output].value


def _sec(u: float) -> float:
    return 1 / math.cos(u)


def _csc(u: float) -> float:
    return 1 / math.sin(u)


def _cot(u: float) -> float:
    return math.cos(u) / math.sin(u)


def _acot(u: float) -> float:
    return math.atan(1 / u) if u != 0 else math.pi / 2


def _coth(u: float) -> float:
    return 1 / math.tanh(u)


def _sign(u: float) -> float:
    return float((u > 0) - (u < 0))


#: f(u) and f'(u) for the functions of the step vocabulary, with the step rule's name
_UNARY: dict[type, tuple[str, Callable[[float], float], Callable[[float, float], float]]] = {
    sympy.exp: ("exp", math.exp, lambda u, v: v),
    sympy.log: ("log", math.log, lambda u, v: 1 / u),
    sympy.sin: ("sin", math.sin, lambda u, v: math.cos(u)),
    sympy.cos: ("cos", math.cos, lambda u, v: -math.sin(u)),
    sympy.tan: ("tan", math.tan, lambda u, v: 1 + v * v),
    sympy.sec: ("sec", _sec, lambda u, v: v * math.tan(u)),
    sympy.csc: ("csc", _csc, lambda u, v: -v * _cot(u)),
    sympy.cot: ("cot", _cot, lambda u, v: -(1 + v * v)),
    sympy.asin: ("asin", math.asin, lambda u, v: 1 / math.sqrt(1 - u * u)),
    sympy.acos: ("acos", math.acos, lambda u, v: -1 / math.sqrt(1 - u * u)),
    sympy.atan: ("atan", math.atan, lambda u, v: 1 / (1 + u * u)),
    sympy.acot: ("acot", _acot, lambda u, v: -1 / (1 + u * u)),
    sympy.sinh: ("sinh", math.sinh, lambda u, v: math.cosh(u)),
    sympy.cosh: ("cosh", math.cosh, lambda u, v: math.sinh(u)),
    sympy.tanh: ("tanh", math.tanh, lambda u, v: 1 - v * v),
    sympy.asinh: ("table", math.asinh, lambda u, v: 1 / math.sqrt(u * u + 1)),
    sympy.atanh: ("table", math.atanh, lambda u, v: 1 / (1 - u * u)),
    sympy.coth: ("table", _coth, lambda u, v: 1 - v * v),
    sympy.erf: ("table", math.erf, lambda u, v: 2 / math.sqrt(math.pi) * math.exp(-u * u)),
    sympy.Abs: ("abs", abs, lambda u, v: _sign(u)),
    sympy.sign: ("sign", _sign, lambda u, v: 0.0 if u != 0 else math.nan),
}


def graph(f: Expression | sympy.Expr, point: Mapping[str, float],
          variables: Sequence[str] | None = None) -> Graph:
    """The graph of f with forward values and backward adjoints at ``point`` (numbers by
    name; parameters need values too). ``variables`` default to the Expression's (or, for a
    SymPy expression, its symbols by name)."""
    if isinstance(f, Expression):
        expr, names = f.expr, [v.name for v in f.variables]
    elif isinstance(f, sympy.Basic):
        expr = f
        names = sorted(s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol))
    else:
        raise NablabError(f"cannot draw the graph of a {type(f).__name__}",
                          hint="pass a parsed Expression or a SymPy expression")
    if variables is not None:
        names = list(variables)
    if expr.has(sympy.Sum):
        raise NablabError("a sum over data has no value at a point without the data, so it has "
                          "no computational graph here",
                          hint="the graph needs a function of the variables alone")
    symbols = sorted(s.name for s in expr.free_symbols if isinstance(s, sympy.Symbol))
    check_point_names(point, [*names, *(s for s in symbols if s not in names)], symbols)
    builder = _Builder({k: float(v) for k, v in point.items()}, set(names))
    out = builder.node(expr)
    nodes = builder.nodes
    for n in nodes:
        if n.op == "variable":
            assert n.name is not None  # invariant: _add names every symbol's node
            builder.by_name[n.name] = n.id
    for name in names:  # a variable f does not depend on is still a node (adjoint 0)
        if name not in builder.by_name:
            node = GraphNode(len(nodes), "variable", [], float(point.get(name, math.nan)),
                             "variable", sympy.Symbol(name), name=name)
            nodes.append(node)
            builder.by_name[name] = node.id
    nodes[out].adjoint = 1.0
    order = sorted(builder.reachable(out), reverse=True)  # ids are a topological order
    for i in order:
        n = nodes[i]
        if n.adjoint == 0.0:
            continue
        for j, d in zip(n.inputs, n.local, strict=True):
            nodes[j].adjoint += n.adjoint * d
    grad = [nodes[builder.by_name[nm]].adjoint for nm in names]
    return Graph(nodes=nodes, output=out, variables=names,
                 point={k: float(v) for k, v in point.items()}, gradient=grad, backward=order)


class _Builder:
    """Memoised post-order over the DAG: a node's inputs get smaller ids than the node."""

    def __init__(self, point: dict[str, float], variables: set[str]) -> None:
        self.point = point
        self.variables = variables
        self.nodes: list[GraphNode] = []
        self.ids: dict[sympy.Basic, int] = {}
        self.depends: list[bool] = []
        self.by_name: dict[str, int] = {}

    def reachable(self, out: int) -> set[int]:
        seen = {out}
        stack = [out]
        while stack:
            for j in self.nodes[stack.pop()].inputs:
                if j not in seen:
                    seen.add(j)
                    stack.append(j)
        return seen

    def node(self, e: sympy.Basic) -> int:
        # an explicit stack: deep expressions must not hit Python's recursion limit
        stack: list[tuple[sympy.Basic, bool]] = [(e, False)]
        while stack:
            cur, ready = stack.pop()
            if cur in self.ids:
                continue
            if ready or not cur.args or isinstance(cur, sympy.Symbol):
                self._add(cur)
                continue
            stack.append((cur, True))
            stack.extend((a, False) for a in reversed(cur.args) if a not in self.ids)
        return self.ids[e]

    def _add(self, e: sympy.Basic) -> None:
        i = len(self.nodes)
        inputs = [self.ids[a] for a in e.args] if e.args and not isinstance(e, sympy.Symbol) else []
        vals = [self.nodes[j].value for j in inputs]
        dep = [self.depends[j] for j in inputs]
        try:
            op, rule, value, local = self._evaluate(e, vals, dep)
        except (ValueError, ZeroDivisionError, OverflowError, TypeError) as exc:
            raise DomainError(f"f is not defined at this point: {type(e).__name__.lower()} of "
                              f"{', '.join(f'{v:g}' for v in vals)} ({exc})",
                              hint="choose a point inside the domain of f") from None
        if isinstance(value, complex):
            raise DomainError(f"f is not real at this point ({e.func.__name__} of "
                              f"{', '.join(f'{v:g}' for v in vals)})",
                              hint="choose a point inside the domain of f")
        name = e.name if isinstance(e, sympy.Symbol) else None
        self.nodes.append(GraphNode(i, op, inputs, float(value), rule, e, local=local, name=name))
        self.depends.append(op == "variable" or any(dep))
        self.ids[e] = i

    def _evaluate(self, e: sympy.Basic, vals: list[float], dep: list[bool]
                  ) -> tuple[str, str, Any, list[float]]:
        if isinstance(e, sympy.Symbol):
            value = self.point[e.name]
            if e.name in self.variables:
                return "variable", "variable", value, []
            return "parameter", "other_symbol", value, []
        if (e.is_number and not e.args) or isinstance(e, (sympy.NumberSymbol, sympy.Rational)):
            return "constant", "constant", float(e), []
        if isinstance(e, sympy.Add):
            return "add", "sum", math.fsum(vals), [1.0] * len(vals)
        if isinstance(e, sympy.Mul):
            local = [math.prod(vals[:k] + vals[k + 1:]) for k in range(len(vals))]
            rule = "constant_multiple" if sum(dep) == 1 and len(vals) > 1 else "product"
            return "mul", rule, math.prod(vals), local
        if isinstance(e, sympy.Pow):
            b, x = vals
            value = b**x
            db = x * b ** (x - 1) if b != 0 or x >= 1 else (0.0 if x > 1 else math.inf)
            dx = value * math.log(b) if dep[1] else 0.0
            rule = ("log_diff" if dep[0] and dep[1] else "exponential" if dep[1]
                    else "power")
            return "pow", rule, value, [db, dx]
        if isinstance(e, (sympy.Max, sympy.Min)):
            best = max(vals) if isinstance(e, sympy.Max) else min(vals)
            ties = [v == best for v in vals]
            share = 1.0 / sum(ties)
            return e.func.__name__.lower(), "max_min", best, [share if t else 0.0 for t in ties]
        if isinstance(e, sympy.atan2):
            a, b = vals
            r2 = a * a + b * b
            return "atan2", "atan2", math.atan2(a, b), [b / r2, -a / r2]
        entry = _UNARY.get(type(e))
        if entry is not None and len(vals) == 1:
            rule, fn, deriv = entry
            value = fn(vals[0])
            return e.func.__name__.lower(), rule, value, [deriv(vals[0], value)]
        if len(vals) == 1:  # any other one-argument function: its derivative from SymPy
            u = sympy.Dummy("u")
            d = sympy.diff(e.func(u), u).subs(u, sympy.Float(vals[0]))
            return (e.func.__name__.lower(), "table", complex(e.func(sympy.Float(vals[0])).evalf()).real,
                    [float(d.evalf())])
        raise NablabError(f"the graph has no node for {e.func.__name__}",
                          hint="the computational graph covers the step vocabulary")
