"""The parser: typed math and LaTeX -> :class:`nablab.expression.Expression`, safely.

No text is ever evaluated: a hand-written lexer and recursive-descent grammar build a small
tree (SymEngine for symbolic parts, SymPy for numbers; see ``nodes``), with every size limit
(``limits``) checked before any engine does the work; ``Expression.expr`` (SymPy) is built from
it once, on first access. ``values`` reads the other things users type: points, directions,
start points, variable lists.
"""

from __future__ import annotations

from nablab.parse.reader import parse

__all__ = ["parse"]

