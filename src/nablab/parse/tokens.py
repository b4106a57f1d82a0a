"""The token type shared by the lexer, the name splitter and the grammar."""

from __future__ import annotations

from typing import Any

# kinds
NUM, WORD, OP, CMD, END = "num", "word", "op", "cmd", "end"
SYM, FUNC, CONST = "sym", "func", "const"  # what words become after name splitting

OPENERS = {"(": ")", "[": "]", "{": "}"}

#: ``Token.base`` of a ``log`` whose base is a whole {…} group read by the grammar
#: (``\\log_{x+1}(y)``, ``\\log_{\\frac{1}{2}} x``)
BASE_GROUP = "{base}"
CLOSERS = {v: k for k, v in OPENERS.items()}


class Token:
    """One token: ``kind`` and ``text``; ``col``/``end`` are 1-based source columns.

    Words carry ``digits`` and ``sub`` (subscript parts) until the splitter turns them into
    SYM/FUNC/CONST pieces; pieces of one word share ``word`` (an id) and all but the first are
    ``glued`` to it. Numbers carry their SymPy ``value``.
    """

    __slots__ = ("atomic", "base", "col", "digits", "end", "glued", "kind", "pos", "space",
                 "sub", "text", "value", "word")

    def __init__(self, kind: str, text: str, col: int, end: int, pos: int = 0,
                 space: bool = False) -> None:
        self.kind = kind
        self.text = text
        self.col = col
        self.end = end
        self.pos = pos
        self.space = space
        self.value: Any = None
        self.digits = ""
        self.sub: tuple[str, ...] = ()
        self.atomic = False
        self.word = -1
        self.glued = False
        self.base: Any = None

    def is_op(self, *texts: str) -> bool:
        return self.kind == OP and self.text in texts

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Token({self.kind}, {self.text!r}, col={self.col})"
