"""Walking expressions as the DAGs they are.

SymPy shares repeated subexpressions in memory, but ``has``, ``atoms``, ``free_symbols`` and
``count_ops`` walk the *tree*: for e_k = sin(e_{k−1})·cos(e_{k−1}) + x that is 2^k nodes for a
DAG of 3k. These helpers visit each distinct node once. They sit with the shared type
(:mod:`nablab.expression`), below every stage: calculus, steps and render all walk expressions.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy
from sympy.core.function import AppliedUndef


def nodes(expr: sympy.Basic) -> Iterator[sympy.Basic]:
    """Every distinct subexpression of ``expr``, each once."""
    seen: set = set()
    stack = [expr]
    while stack:
        e = stack.pop()
        if e in seen:
            continue
        seen.add(e)
        yield e
        stack.extend(e.args)


def has_type(expr: sympy.Basic, *types: type) -> bool:
    """True when some subexpression is an instance of one of ``types``."""
    return any(isinstance(e, types) for e in nodes(expr))


def tree_size(expr: sympy.Basic) -> int:
    """Number of nodes of ``expr`` as a tree, computed on the DAG (cheap even when the tree is
    exponentially large)."""
    memo: dict = {}
    stack = [expr]
    while stack:
        e = stack[-1]
        if e in memo:
            stack.pop()
            continue
        pending = [a for a in e.args if a not in memo]
        if pending:
            stack.extend(pending)
            continue
        memo[e] = 1 + sum(memo[a] for a in e.args)
        stack.pop()
    return memo[expr]


def census(expr: sympy.Basic, *groups: tuple[type, ...]) -> tuple[int, list[bool]]:
    """:func:`tree_size` of ``expr`` and, for each group of types, whether some subexpression
    is an instance of one of them (:func:`has_type`): one walk over the DAG instead of one per
    question."""
    sizes: dict = {}
    found = [False] * len(groups)
    stack: list[tuple[sympy.Basic, bool]] = [(expr, False)]
    while stack:
        e, ready = stack.pop()
        if ready:
            sizes[e] = 1 + sum([sizes[a] for a in e.args])
            continue
        if e in sizes:
            continue
        for k, types in enumerate(groups):
            if not found[k] and isinstance(e, types):
                found[k] = True
        args = e.args
        if not args:
            sizes[e] = 1
            continue
        stack.append((e, True))
        stack.extend([(a, False) for a in args if a not in sizes])
    return sizes[expr], found


def has_data(expr: sympy.Basic) -> bool:
    """True when ``expr`` contains data such as ``y(n)`` (an applied undefined function)."""
    return has_type(expr, AppliedUndef)
