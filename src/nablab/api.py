"""The facade every interface calls (CLI, HTTP API, notebook).

Each function takes plain values (text, names, numbers), returns a result dataclass with
``to_dict()``; the dict is the JSON object that ``nablab … --json`` prints and the HTTP API
returns. User errors raise :class:`nablab.errors.NablabError` subclasses.
"""

from __future__ import annotations

from typing import Any

from nablab.errors import ParseError
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


def descent(f: Any, start: Any, rate: float | None = None, **options: Any):
    """Descent from ``start``: gd, momentum, nesterov, adagrad, rmsprop, adam or newton
    (``method="nesterov"``, or several: ``method="gd,adam"`` → one run each).

    The facade reads the user's text once: f (parsed), the start point and the parameters
    (names spelled as the function does, numbers as text); the optimizer gets values."""
    from nablab.optimize.descent import descent as _descent
    from nablab.parse.reader import canonical_name

    def number(name: str, value: Any, what: str) -> Any:
        if not isinstance(value, str):
            return value
        try:
            out = float(value.strip())  # a plain decimal: never evaluated as an expression
        except ValueError:
            raise ParseError(f"{what} for {name} is not a number: {value!r}",
                             hint="write a plain decimal number such as 1.5 or -2e-3") from None
        return out

    if isinstance(start, str):
        from nablab.calculus.point import parse_point

        start = {k: float(v) for k, v in parse_point(start).items()}
    if isinstance(start, dict):
        start = {canonical_name(k): number(canonical_name(k), v, "starting value")
                 for k, v in start.items()}
    if isinstance(f, str):  # without declared variables the start point names them
        names = options.get("variables") or (list(start) if isinstance(start, dict) else None)
        f = parse(f, variables=list(names) if names else None)
    elif isinstance(start, (list, tuple)):
        start = [number(f"coordinate {i + 1}", v, "starting value") for i, v in enumerate(start)]
    if options.get("params"):
        options["params"] = {canonical_name(k): number(canonical_name(k), v, "value")
                             for k, v in options["params"].items()}
    rate = number("the rate", rate, "value")
    plain = {"steps", "tol", "method", "variables", "params", "line_search", "progress"}
    options = {k: (v if k in plain else number(k, v, "value")) for k, v in options.items()}
    return _descent(f, start, rate, **options)


def regress(data: Any, x: Any = None, y: Any = None, **options: Any):
    """Linear regression by descent on the MSE (gd or a named method, full batch or
    mini-batches), compared with least squares. Method parameters given as text are read here."""
    from nablab.optimize.regression import regress as _regress

    plain = {"rate", "epochs", "scale", "batch", "batch_method", "method", "shuffle", "seed",
             "tol", "compare_scaling", "progress", "scheduler", "persist", "fused"}
    for k, v in list(options.items()):
        if k not in plain and isinstance(v, str):
            try:
                options[k] = float(v.strip())  # a plain decimal: never evaluated
            except ValueError:
                raise ParseError(f"the value for {k} is not a number: {v!r}",
                                 hint="write a plain decimal number such as 0.9") from None
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
