"""One error family for everything a user can get wrong.

Every error a user can cause is a :class:`NablabError`: it carries a message, an optional
1-based column into the text that caused it, and a hint. Interfaces print these; they never
show a traceback. Its JSON (the ``error`` object shared by the CLI's ``--json`` and the HTTP
API) is :func:`nablab.render.json.error_body`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class NablabError(Exception):
    """Something the user asked for cannot be done; says what, where and what to try."""

    message: str
    column: int | None = None
    hint: str | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def caret(self) -> str:
        """The offending input with a caret under the column (empty when there is no column)."""
        if self.source is None or self.column is None:
            return ""
        line = self.source.replace("\t", " ").replace("\n", " ")
        pad = " " * max(0, self.column - 1)
        return f"{line}\n{pad}^"

    def display(self) -> str:
        """Message, caret and hint as a person should read them in a terminal."""
        where = ""
        if self.column is not None and f"column {self.column}" not in self.message:
            where = f" (column {self.column})"
        parts = [f"error: {self.message}{where}"]
        caret = self.caret()
        if caret:
            parts.append("  " + caret.replace("\n", "\n  "))
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)


class ParseError(NablabError):
    """The text is not a function we can read."""


class LimitError(ParseError):
    """The text is readable but too big to work with safely (length, depth, size of numbers)."""


class DomainError(NablabError):
    """A point lies outside the real domain of the function or of one of its partials."""


class DataError(NablabError):
    """Data for regression is missing, non-numeric, too small or otherwise unusable."""


class ComputeLimitError(NablabError):
    """The work asked for exceeded its time or size budget."""
