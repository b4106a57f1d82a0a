"""The facade every interface calls (CLI, HTTP API, notebook).

Each function takes plain values (text, names, numbers), returns a result dataclass with
``to_dict()``; the dict is the JSON object that ``nablab … --json`` prints and the HTTP API
returns. User errors raise :class:`nablab.errors.NablabError` subclasses.
"""

from __future__ import annotations

from typing import Any

from nablab.parse import parse

__all__ = ["check_answer", "descent", "gradient", "parse", "regress"]


def gradient(text: Any, variables: Any = None, **options: Any):
    """∂f/∂xₖ for every variable, ∇f, and with ``at=`` the values and the finite-difference
    check; ``steps=True`` adds the step-by-step derivation of each partial."""
    from nablab.calculus.gradient import gradient as _gradient

    return _gradient(text, variables, **options)


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
