"""The facade every interface calls (CLI, HTTP API, notebook).

Each function takes plain values (text, names, numbers), returns a result dataclass with
``to_dict()``; the dict is the JSON object that ``nablab … --json`` prints and the HTTP API
returns. User errors raise :class:`nablab.errors.NablabError` subclasses.
"""

from __future__ import annotations

from typing import Any

from nablab.parse import parse

__all__ = ["check_answer", "clear_caches", "descent", "gradient", "parse", "regress"]


def gradient(
    text: Any,
    variables: Any = None,
    *,
    steps: bool = False,
    **options: Any,
):
    """∂f/∂xₖ for every variable, ∇f, and with ``at=`` the values and the finite-difference
    check; ``steps=True`` adds the step-by-step derivation of each partial.

    The steps are built from the core's own answers, so the derivation ends exactly where the
    answer does (they cannot disagree).
    """
    from nablab.calculus.gradient import gradient as _gradient

    result = _gradient(text, variables, **options)
    if steps:
        from nablab.calculus.point import parse_point
        from nablab.steps import derive_gradient

        forward = {plain: real for real, plain in result.back.items()}
        names = [v.name for v in result.variables]
        answers = {n: p.xreplace(forward) for n, p in zip(names, result.partials, strict=True)}
        notes = dict(zip(names, result.notes, strict=True))
        at = options.get("at")
        point = None
        if at is not None and result.at is not None:
            point = {k: v for k, v in parse_point(at).items() if k in names}
        result.steps = derive_gradient(
            result.expression, result.form, point, answers=answers, notes=notes
        )
    return result


def check_answer(text: Any, variable: str, answer: str, variables: Any = None, **options: Any):
    """Is ``answer`` equal to ∂f/∂``variable``? Symbolically where cheap, numerically always."""
    from nablab.calculus.answer_check import check_answer as _check

    return _check(text, variable, answer, variables, **options)


def descent(f: Any, start: Any, rate: float, **options: Any):
    """Gradient descent θ ← θ − η∇f from ``start`` with learning rate ``rate``."""
    from nablab.optimize.descent import descent as _descent

    return _descent(f, start, rate, **options)


def regress(data: Any, x: Any, y: str, **options: Any):
    """Linear regression by gradient descent on the MSE, compared with least squares."""
    from nablab.optimize.regression import regress as _regress

    return _regress(data, x, y, **options)


def clear_caches() -> None:
    """Forget remembered answers: the per-process memo of symbolic results and the renderers'
    memo of printed formulas (benchmarks call this so that figures measure work, not lookups)."""
    from nablab.calculus.gradient import _SYMBOLIC_CACHE
    from nablab.render.latex import to_latex
    from nablab.render.mathml import to_mathml
    from nablab.render.text import to_echo, to_text

    _SYMBOLIC_CACHE.clear()
    for render in (to_text, to_echo, to_latex, to_mathml):
        render.cache_clear()
