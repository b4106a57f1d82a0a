"""Unicode as people paste it, made plain; invisible and look-alike characters refused.

``normalize`` returns ASCII text for the lexer plus, for every output character, the 1-based
column of the input character it came from, so errors point at what the user typed. Superscripts
become powers (``x²`` -> ``x^(2)``), subscripts become ``_{…}``, ``· × − ÷ √`` their operators,
Greek letters their names (``θ`` -> ``theta``), full-width forms their ASCII twins. Nothing is
dropped silently: a zero-width space, a right-to-left override, a NUL or a Cyrillic ``а`` is an
error naming the character.
"""

from __future__ import annotations

import re
import unicodedata

from nablab.errors import ParseError
from nablab.parse.vocabulary import GREEK_CHARS

_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9", "⁺": "+", "⁻": "-", "⁽": "(", "⁾": ")",
                 "ⁿ": "n", "ⁱ": "i"}
_SUBSCRIPTS = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5", "₆": "6",
               "₇": "7", "₈": "8", "₉": "9", "ₙ": "n", "ᵢ": "i", "ⱼ": "j", "ₖ": "k", "ₘ": "m"}
_SYMBOLS = {
    "·": "*", "⋅": "*", "∙": "*", "×": "*", "∗": "*",
    "−": "-", "–": "-", "‐": "-", "‑": "-", "÷": "/", "∕": "/", "⁄": "/",
    "√": " sqrt ", "∛": " cbrt ", "∣": "|", "（": "(", "）": ")",
}


#: ASCII control characters other than tab and line breaks (and DEL)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed character")
    return f"U+{ord(ch):04X} {name}"


def _refuse(ch: str, col: int, source: str) -> ParseError:
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cf", "Co", "Cn", "Cs") or cat.startswith("Z"):
        return ParseError(
            f"invisible or control character {_describe(ch)} in the input",
            column=col, source=source,
            hint="delete it and retype that part; pasted text sometimes carries hidden characters",
        )
    if cat.startswith("L"):
        return ParseError(
            f"character '{ch}' ({_describe(ch)}) is not allowed",
            column=col, source=source,
            hint="it may look like a Latin or Greek letter but is a different character; "
                 "retype it from the keyboard",
        )
    return ParseError(f"character '{ch}' ({_describe(ch)}) is not allowed", column=col,
                      source=source, hint="use + - * / ^ ( ) and letters, digits")


def normalize(text: str) -> tuple[str, list[int] | None]:
    """Plain ASCII text and the source column of each of its characters (None: identity)."""
    if text.isascii():
        bad = _CONTROL.search(text)
        if bad is not None:
            raise _refuse(bad.group(), bad.start() + 1, text)
        if "\t" in text or "\n" in text or "\r" in text:
            text = text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return text, None
    out: list[str] = []
    cols: list[int] = []
    i, n = 0, len(text)

    def put(s: str, col: int) -> None:
        out.append(s)
        cols.extend([col] * len(s))

    while i < n:
        ch = text[i]
        col = i + 1
        o = ord(ch)
        if o < 128:
            if (o < 32 and ch not in "\t\n\r") or o == 127:
                raise _refuse(ch, col, text)
            put(" " if ch in "\t\n\r" else ch, col)
        elif ch in _SUPERSCRIPTS or ch in _SUBSCRIPTS:
            table, lead = (_SUPERSCRIPTS, "^(") if ch in _SUPERSCRIPTS else (_SUBSCRIPTS, "_{")
            j = i
            while j < n and text[j] in table:
                j += 1
            put(lead, col)
            for k in range(i, j):
                put(table[text[k]], k + 1)
            put(")" if lead == "^(" else "}", j)
            i = j
            continue
        elif ch in _SYMBOLS:
            put(_SYMBOLS[ch], col)
        elif ch in GREEK_CHARS:
            put(GREEK_CHARS[ch], col)
        elif 0xFF01 <= o <= 0xFF5E:  # full-width ASCII
            put(chr(o - 0xFEE0), col)
        elif ch == "\u00a0" or ch == "\u3000" or (
            unicodedata.category(ch) == "Zs" and ch not in "\u180e"
        ):
            put(" ", col)  # visible spaces (no-break, thin, ideographic) are spaces
        else:
            raise _refuse(ch, col, text)
        i += 1
    return "".join(out), cols
