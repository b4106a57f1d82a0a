"""The parser: typed math and LaTeX -> :class:`nablab.expression.Expression`, safely.

No text is ever evaluated: a hand-written lexer and recursive-descent grammar build SymPy
objects directly, with every size limit (``limits``) checked before SymPy does the work.
"""

from __future__ import annotations

from nablab.parse.reader import parse

__all__ = ["parse"]

