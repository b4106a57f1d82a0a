"""Names: splitting runs of letters, canonical subscripted names, natural order.

Rules (in this order):

1. A word equal to a declared variable is that variable (``xy`` declared -> one name).
2. ``log2``, ``log10``, ``atan2`` are functions; ``log_b`` is log to base b.
3. A word that is a known name (function, constant, Greek letter name) is that name.
4. Otherwise the letters are split into declared names, known names and single letters that
   also stand alone elsewhere in the input (``x^2 y + sin(xy)`` -> x·y); in LaTeX every letter
   is a name of its own, as in LaTeX itself.
5. Failing that, runs of up to three letters are split into letters and known names
   (``e^(xy)``, ``a/bc``), and longer runs when known names cover more letters than are left
   over (``pix`` -> π·x, ``xsin`` -> x·sin, but ``minute`` stays one name).
6. Otherwise the word is one name (``velocity``, ``time``).

Every split that was not forced by declared variables or LaTeX is reported as a warning.

Digits and subscripts belong to the last piece: ``x1``, ``x_1``, ``x_{1}`` all name ``x1``;
``theta_0`` and ``θ₀`` name ``theta0``; letter subscripts keep their underscore: ``x_n``,
``x_{1,n}`` -> ``x1_n`` (the data ``x1`` at index n inside a sum).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from nablab.expression import natural_key
from nablab.parse.vocabulary import (
    CONSTANTS,
    KNOWN_NAMES,
    LONGEST_KNOWN,
    WHOLE_WORD_ONLY,
    function_spec,
)

#: runs of at most this many letters are products even when their letters do not stand alone
#: (``e^(xy)``, ``a/bc``): short names are rarely meant as one word
SHORT_RUN = 3


def natural_sorted(names: Iterable[str]) -> list[str]:
    return sorted(names, key=natural_key)


def canonical(base: str, digits: str = "", sub: tuple[str, ...] = ()) -> str:
    """The symbol name for letters + digits + subscript parts (``x``, ``1``, ``(n,)`` -> x1_n)."""
    name = base + digits
    for k, part in enumerate(sub):
        if part.isdigit() and k == 0 and not digits:
            name += part
        else:
            name += "_" + part
    return name


def segment(letters: str, units: frozenset[str], singles: frozenset[str] | None,
            ) -> list[str] | None:
    """Split ``letters`` into the fewest pieces, each a unit or a letter in ``singles``
    (None: any letter). Ties prefer a longer first piece. None when impossible."""
    return _segment(letters, units, singles)


@lru_cache(maxsize=4096)
def _segment(letters: str, units: frozenset[str], singles: frozenset[str] | None):
    n = len(letters)
    longest = max(LONGEST_KNOWN, max((len(u) for u in units), default=1))
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        choice: list[str] | None = None
        for length in range(min(longest, n - i), 0, -1):
            piece = letters[i:i + length]
            if length == 1:
                ok = piece in units or singles is None or piece in singles
            else:
                ok = piece in units or piece in KNOWN_NAMES
            rest = best[i + length]
            if ok and rest is not None and (choice is None or len(rest) + 1 < len(choice)):
                choice = [piece, *rest]
        best[i] = choice
    return best[0]


def split_letters(letters: str, declared: frozenset[str], standalone: frozenset[str],
                  latex: bool, call: bool = False) -> tuple[list[str], bool]:
    """Pieces of a run of letters, and whether the reading was a guess worth a warning.

    ``call``: the word is directly followed by '(' -- then a short run is not split without
    evidence, so ``foo(x)`` is an unknown function rather than f·o·o·x."""
    if letters in declared or letters in KNOWN_NAMES or letters in WHOLE_WORD_ONLY \
            or len(letters) == 1:
        return [letters], False
    units = frozenset(d for d in declared if d.isalpha())
    pieces = segment(letters, units, None if latex else standalone | units)
    if pieces is not None:  # letters seen alone elsewhere: evidence, a guess only with known names
        return pieces, not latex and any(len(p) > 1 and p not in declared for p in pieces)
    pieces = segment(letters, units, None)
    if pieces is not None:
        known = sum(len(p) for p in pieces if len(p) > 1)
        if (len(letters) <= SHORT_RUN and not call) or known > len(letters) - known:
            return pieces, True
    return [letters], False


def is_function_name(name: str) -> bool:
    return function_spec(name) is not None


def is_constant_name(name: str) -> bool:
    return name in CONSTANTS
