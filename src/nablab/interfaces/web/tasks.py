"""What a worker process does with one API request: call the facade, encode the answer.

Runs only inside worker processes (see ``workers.py``). Each task takes the validated request
body as a plain dict (keys named like the CLI options, ``None`` values already dropped) and
returns ``(status, JSON bytes)``: 200 and ``nablab.api.<fn>(...).to_dict()``, 422 and the
``{"error": …}`` object for a :class:`~nablab.errors.NablabError`, 501 while a core function
is not built yet. The answer is encoded here so that anything unserialisable, NaN or infinity
is caught in the worker, never in the server.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
from collections.abc import Callable
from typing import Any

import numpy  # noqa: F401  (preloaded by the forkserver: workers start warm)
import sympy  # noqa: F401

from nablab.errors import NablabError
from nablab.render.json import error_body, to_json

# Preload the facade (it imports the parser, which lands first); until then every task is 501.
with contextlib.suppress(ImportError):
    importlib.import_module("nablab.api")

# task name -> the core module that must exist for it
REQUIRES: dict[str, str] = {
    "parse": "nablab.parse",
    "gradient": "nablab.calculus.gradient",
    "check": "nablab.calculus.answer_check",
    "descent": "nablab.optimize.descent",
    "regress": "nablab.optimize.regression",
    "plot": "nablab.parse",
}


def available() -> dict[str, bool]:
    """Which tasks can run in this installation (the core is being built piece by piece)."""
    out = {}
    for task, module in REQUIRES.items():
        try:
            importlib.import_module(module)
            importlib.import_module("nablab.api")
            out[task] = True
        except ImportError:
            out[task] = False
    return out


def _api() -> Any:
    return importlib.import_module("nablab.api")


def _parse(p: dict) -> dict:
    opts = {"latex": p["latex"]} if "latex" in p else {}
    result = _api().parse(p["text"], p.get("variables"), **opts)
    return to_json(result)


def _gradient(p: dict) -> dict:
    # ``detail`` only changes how the CLI prints steps as text; the JSON tree is the same.
    opts = {k: p[k] for k in ("at", "direction", "form", "hessian", "steps") if k in p}
    return to_json(_api().gradient(p["text"], p.get("variables"), **opts))


def _check(p: dict) -> dict:
    return to_json(_api().check_answer(p["text"], p["var"], p["answer"], p.get("variables")))


def _descent(p: dict) -> dict:
    opts = {k: p[k] for k in ("variables", "iterations", "method", "tol", "params") if k in p}
    if "iterations" in opts:
        opts["steps"] = opts.pop("iterations")
    return _api().descent(p["text"], p["start"], p["rate"], **opts).to_dict()


def _read_csv(text: str) -> Any:
    """CSV text (with a header row) as a DataFrame; unreadable text is a DataError."""
    import io

    import pandas

    from nablab.errors import DataError

    try:
        return pandas.read_csv(io.StringIO(text))
    except pandas.errors.EmptyDataError:
        raise DataError("the data is empty", hint="paste CSV text with a header row") from None
    except (pandas.errors.ParserError, ValueError, UnicodeError) as exc:
        raise DataError(f"the data is not readable CSV: {exc}",
                        hint="one header row, then rows of numbers separated by commas") from None


def _regress(p: dict) -> dict:
    opts = {k: p[k] for k in ("rate", "epochs", "tol", "scale", "compare_scaling", "batch")
            if k in p}
    return _api().regress(_read_csv(p["data"]), p.get("x"), p.get("y"), **opts).to_dict()


def _plot(p: dict) -> dict:
    from nablab.sampling import sample

    expression = _api().parse(p["text"], p.get("variables"))
    return to_json(sample(
        expression,
        x_var=p.get("x_var"),
        y_var=p.get("y_var"),
        x_range=p.get("x_range", (-3.0, 3.0)),
        y_range=p.get("y_range", (-3.0, 3.0)),
        fixed=p.get("fixed") or {},
        n=p.get("n", 61),
        arrows=p.get("arrows", 15),
        one_dimensional=bool(p.get("one_dimensional")),
    ))


TASKS: dict[str, Callable[[dict], dict]] = {
    "parse": _parse,
    "gradient": _gradient,
    "check": _check,
    "descent": _descent,
    "regress": _regress,
    "plot": _plot,
    "available": lambda _payload: available(),
}


def _clean(obj: Any) -> Any:
    """JSON-safe copy: NaN/±inf become null (never NaN in JSON), tuples lists, numbers plain."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return _clean(obj.item())
    if hasattr(obj, "tolist"):  # numpy array
        return _clean(obj.tolist())
    if hasattr(obj, "to_dict"):
        return _clean(obj.to_dict())
    return str(obj)


def _encode(obj: Any) -> bytes:
    return json.dumps(_clean(obj), ensure_ascii=False, allow_nan=False).encode()


def _error(status: int, message: str, hint: str | None = None) -> tuple[int, bytes]:
    return status, _encode({"error": {"message": message, "column": None, "hint": hint}})


WARM_UP = [
    ("parse", {"text": "x^2 y + sin(xy) + 1"}),
    ("parse", {"text": r"\frac{1}{N}\sum_{n=1}^{N}(y_n - (\theta_0 + \theta_1 x_n))^2"}),
    ("gradient", {"text": "x^2 y + sin(xy) + exp(x) log(y)", "at": {"x": 1, "y": 2}}),
    ("gradient", {"text": "x^2 y + sin(xy) + exp(x) log(y)", "steps": True}),
    # a quotient with a root runs SymPy's full simplify, whose first call imports
    # sympy.physics.units (~0.2 s): in the forkserver, not in some user's request
    ("gradient", {"text": "(x - y)/(x + y) + sqrt(x^2 + 1)"}),
    ("check", {"text": "x^2 y + sin(xy)", "var": "x", "answer": "2xy + y cos(xy)"}),
    ("plot", {"text": "x^2 y + sin(xy)", "n": 5, "arrows": 3}),
    ("descent", {"text": "x^2 + 10 y^2", "start": {"x": 1, "y": 1}, "rate": 0.05,
                 "iterations": 20}),
    ("regress", {"data": "x,y\n0,1\n1,3.1\n2,4.9\n3,7.2\n", "x": ["x"], "y": "y",
                 "epochs": 20}),
]


def warm() -> None:
    """Run a few representative requests once, so that SymPy's lazy imports and caches are
    filled in the forkserver and every forked worker starts warm (the first ``Add`` with a
    number alone imports modules for ~0.5 s)."""
    for task, payload in WARM_UP:
        with contextlib.suppress(Exception):
            run(task, payload)


def run(task: str, payload: dict) -> tuple[int, bytes]:
    """Run one task; never raises for user errors (422) or missing parts of the core (501)."""
    fn = TASKS.get(task)
    if fn is None:
        return _error(404, f"unknown task {task!r}")
    try:
        return 200, _encode(fn(payload))
    except NablabError as err:
        return 422, _encode({"error": error_body(err)})
    except (ImportError, AttributeError, NotImplementedError) as exc:
        if isinstance(exc, AttributeError) and "nablab" not in str(exc):
            raise
        return _error(
            501,
            f"'{task}' is not available in this version of nablab yet",
            hint=f"{type(exc).__name__}: {exc}",
        )
    except TypeError as exc:
        if "unexpected keyword argument" in str(exc):
            return _error(501, f"an option of '{task}' is not supported yet: {exc}")
        raise
    except RecursionError:
        return _error(422, "the expression is nested too deeply to work with",
                      hint="simplify or split the function")


warm()
