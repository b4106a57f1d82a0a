"""SymPy's canonical sum built directly, without ``Add.flatten``'s general machinery.

The reader (parse/nodes.py) and the partials' assembly (calculus/partials.py) both build sums of
terms that are already canonical; ``Add(*terms)`` re-derives what is known and costs most of
their time on big inputs. :func:`direct_add` builds the very tree ``Add`` would — nested sums
flattened, like terms merged, the number first, the rest in SymPy's sort order — or says None
when a term is outside the shapes where that is certain, and the caller falls back to ``Add``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cmp_to_key

import sympy

S = sympy.S
#: SymPy's order of a sum's terms
sort_key = cmp_to_key(sympy.Basic.compare)


def direct_add(args: Iterable[sympy.Basic], factor_ok: Callable[[sympy.Basic], bool],
               scale: sympy.Rational = S.One) -> sympy.Basic | None:
    """The sum of canonical ``args`` (each times the number ``scale``: a number times a lone
    sum, which SymPy distributes), as ``Add.flatten`` builds it. ``factor_ok`` says which
    factors of a term's non-numeric part leave SymPy's Mul rules out of it (the callers know
    different shapes); any other term, a float, an infinity: None."""
    number = S.Zero
    terms: dict[sympy.Basic, sympy.Basic] = {}
    scaled = scale is not S.One
    stack = list(args)
    while stack:
        a = stack.pop()
        if a.is_Add:
            stack.extend(a.args)
            continue
        if a.is_Number:
            if not a.is_Rational:  # floats, oo, nan: SymPy's own rules
                return None
            number += a * scale if scaled else a
            continue
        coeff, key = a.as_coeff_Mul()
        if scaled:
            coeff = coeff * scale
        if not coeff.is_Rational or key.is_Add or not all(
                factor_ok(f) for f in sympy.Mul.make_args(key)):
            return None
        known = terms.get(key)
        terms[key] = coeff if known is None else known + coeff
    out = []
    for key, coeff in terms.items():
        if coeff.is_zero:
            continue
        if coeff is S.One:
            out.append(key)
        elif key.is_Mul:
            out.append(sympy.Mul._from_args((coeff, *key.args), is_commutative=True))
        else:
            out.append(sympy.Mul._from_args((coeff, key), is_commutative=True))
    if not out:
        return number
    if len(out) == 1 and number is S.Zero:
        return out[0]
    out.sort(key=sort_key)
    if number is not S.Zero:
        out.insert(0, number)
    return sympy.Add._from_args(out, is_commutative=True)
