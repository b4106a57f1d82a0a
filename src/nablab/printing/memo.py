"""A bounded per-process memo for the renderers.

The page and the HTTP API ask about the same function at many points (every click on the
plot), and each answer prints the same partials, ∇f and input again in text, LaTeX and MathML —
a few milliseconds of SymPy printing per request, more than the rest of the work once the
symbolic answer is cached. SymPy expressions are immutable and compare structurally (a Float's
precision and a Symbol's assumptions included), so equal expressions print identically and the
printed string can be reused. Mutable matrices are not hashable and are printed every time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

import sympy

#: printed strings kept per renderer (a few hundred functions' worth of partials)
MEMO_SIZE = 2048

R = TypeVar("R")


def memoized(fn: Callable[..., R]) -> Callable[..., R]:
    """``fn(expr, …)`` remembered for immutable SymPy ``expr`` (thread-safe LRU)."""
    cached = lru_cache(maxsize=MEMO_SIZE)(fn)

    @wraps(fn)
    def render(expr: sympy.Basic, *args: object, **kwargs: object) -> R:
        if isinstance(expr, sympy.Basic):
            return cached(expr, *args, **kwargs)
        return fn(expr, *args, **kwargs)

    render.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    render.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return render
