"""What a worker process does with one API request: call the facade, encode the answer.

Runs only inside worker processes (see ``pool.py`` and ``worker_child.py``). Each task takes the validated request
body as a plain dict (keys named like the CLI options, ``None`` values already dropped) and
returns ``(status, JSON bytes)``: 200 and ``nablab.api.<fn>(...)``, 422 and the
``{"error": …}`` object for a :class:`~nablab.errors.NablabError`. Anything else is a bug: it
propagates to the worker loop, which logs the traceback and answers 500. The answer is encoded
here so that anything unserialisable, NaN or infinity is caught in the worker, never in the
server.
"""

from __future__ import annotations

import io
import json
import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy  # noqa: F401  (preloaded by the forkserver: workers start warm)
import pandas
import sympy  # noqa: F401

from nablab import api
from nablab.errors import DataError, NablabError
from nablab.interfaces.web.errors import error_json
from nablab.optimize.descent import DescentRuns
from nablab.optimize.methods import ALIASES, PARAMETERS, method_names, resolve
from nablab.render.json import to_json
from nablab.sampling import sample


def _parse(p: dict) -> dict:
    opts = {"latex": p["latex"]} if "latex" in p else {}
    result = api.parse(p["text"], p.get("variables"), **opts)
    return to_json(result)


def _gradient(p: dict) -> dict:
    # ``detail`` only changes how the CLI prints steps as text; the JSON tree is the same.
    opts = {k: p[k] for k in ("at", "direction", "form", "hessian", "steps") if k in p}
    if not p.get("graph"):
        return to_json(api.gradient(p["text"], p.get("variables"), **opts))
    expression = api.parse(p["text"], p.get("variables"))  # read once: ∇f and the graph
    out = to_json(api.gradient(expression, None, **opts))
    out["graph"] = _graph(expression, p)
    return out


def _graph(expression: Any, p: dict) -> dict:
    """``nablab grad TEXT --at … --graph --json``'s ``graph`` key: the computational graph at
    the request's point (read by the one value reader, as the CLI reads it)."""
    if p.get("at") in (None, {}, ""):
        raise NablabError("graph needs a point", hint='add at, e.g. "at": "x=1,y=2"')
    return to_json(api.graph(expression, p["at"]))


def _check(p: dict) -> dict:
    return to_json(api.check_answer(p["text"], p["var"], p["answer"], p.get("variables")))


def _method_options(p: dict, methods: list[str]) -> dict[str, Any]:
    """The request's ``opt`` (the methods' parameters by name), checked by the core against the
    methods before it becomes keyword arguments: a name no method takes — ``rate``, ``epochs``,
    ``gamma`` — is the core's 422 naming the ones they take, never a clash with the call's own
    arguments (a TypeError, a 500) or a way around the schema's limits."""
    hyper = p.get("opt") or {}
    resolve(methods, hyper)
    return hyper


def _descent(p: dict) -> dict:
    """One method → one run; several (``"gd,adam"`` or a list) → ``{"runs": [...]}``, as
    ``nablab descent --method gd,adam --json``. A line search given per method
    (``{"gd": "armijo"}``) runs the methods in groups of one step-size rule each, reassembled
    in the order asked for."""
    opts = {k: p[k] for k in ("variables", "iterations", "method", "tol", "params") if k in p}
    if "iterations" in opts:
        opts["steps"] = opts.pop("iterations")
    names = method_names(opts.get("method", "gd"))
    hyper = _method_options(p, names)
    search = p.get("line_search", "fixed")
    if not isinstance(search, dict):
        return to_json(api.descent(p["text"], p["start"], p.get("rate"), line_search=search,
                                   **opts, **hyper))
    method = opts.pop("method", "gd")
    stray = [m for m in search if m not in names]
    if stray:
        raise NablabError(f"line_search names {stray[0]}, which is not among the methods "
                          f"({', '.join(names)})", hint=f"add {stray[0]} to method, or leave "
                          "it out of line_search")
    groups: dict[str, list[str]] = {}
    for m in names:
        groups.setdefault(search.get(m, "fixed"), []).append(m)
    runs: dict[str, list[Any]] = {}
    first = None
    for rule, members in groups.items():
        taken = {h.name for m in members for h in PARAMETERS[m]}
        mine = {k: v for k, v in hyper.items() if ALIASES.get(k, k) in taken}
        result = api.descent(p["text"], p["start"], p.get("rate"), line_search=rule,
                             method=list(members), **opts, **mine)
        first = first or result
        runs[rule] = list(getattr(result, "runs", [result]))
    ordered = [runs[search.get(m, "fixed")].pop(0) for m in names]
    assert first is not None
    if isinstance(method, str) and "," not in method:
        return to_json(ordered[0])
    return to_json(DescentRuns(function=first.function, variables=first.variables,
                               start=first.start, runs=ordered))


def _read_csv(text: str) -> Any:
    """CSV text (with a header row) as a DataFrame; unreadable text is a DataError."""
    try:
        return pandas.read_csv(io.StringIO(text))
    except pandas.errors.EmptyDataError:
        raise DataError("the data is empty", hint="paste CSV text with a header row") from None
    except (pandas.errors.ParserError, ValueError, UnicodeError) as exc:
        raise DataError(f"the data is not readable CSV: {exc}",
                        hint="one header row, then rows of numbers separated by commas") from None


def _regress(p: dict) -> dict:
    """``nablab regress DATA --json`` on the CSV text, with the method and its parameters."""
    opts = {k: p[k] for k in ("rate", "epochs", "tol", "scale", "compare_scaling", "batch",
                              "batch_method", "method", "shuffle", "seed") if k in p}
    hyper = _method_options(p, [opts.get("method", "gd")])
    return to_json(api.regress(_read_csv(p["data"]), p.get("x"), p.get("y"), **opts, **hyper))


def _plot(p: dict) -> dict:
    return _sample(api.parse(p["text"], p.get("variables")), p)


def _sample(expression: Any, p: dict) -> dict:
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


class _Encoded(bytes):
    """A part of an answer already encoded as JSON (``_encode`` splices it in as it is)."""


#: the plot part of /api/lab answers, encoded, per (function, grid): the page asks about one
#: function at many points (every click), and the samples do not depend on the point — without
#: this, every click re-compiles f and ∇f (lambdify) and re-samples the grid (~5 ms of a ~17 ms
#: warm answer). Bounded by bytes (an entry is ~25 KiB at the page's grid).
_PLOTS: OrderedDict[tuple[Any, ...], _Encoded] = OrderedDict()
PLOT_MEMO_BYTES = 8 * 1024 * 1024
_plot_bytes = 0


def _plot_part(expression: Any, plot: dict) -> _Encoded:
    global _plot_bytes
    key = (expression.expr, expression.variables, expression.parameters,
           json.dumps(plot, sort_keys=True))
    hit = _PLOTS.get(key)
    if hit is not None:
        _PLOTS.move_to_end(key)
        return hit
    part = _Encoded(_encode(_sample(expression, plot)))
    if len(part) <= PLOT_MEMO_BYTES // 8:
        _PLOTS[key] = part
        _plot_bytes += len(part)
        while _plot_bytes > PLOT_MEMO_BYTES:
            _plot_bytes -= len(_PLOTS.popitem(last=False)[1])
    return part


def _lab(p: dict) -> dict:
    """One edit on the page: read the text once, then ∇f (steps from the same partials, the
    point) and the plot samples from that one reading (remembered per function and grid)."""
    opts = {"latex": p["latex"]} if "latex" in p else {}
    expression = api.parse(p["text"], p.get("variables"), **opts)
    grad = {k: p[k] for k in ("at", "direction", "form", "hessian", "steps") if k in p}
    gradient = to_json(api.gradient(expression, None, **grad))
    if p.get("graph"):
        gradient["graph"] = _graph(expression, p)
    return {
        "parse": to_json(expression),
        "gradient": gradient,
        "plot": _plot_part(expression, p["plot"]) if p.get("plot") is not None else None,
    }


TASKS: dict[str, Callable[[dict], dict]] = {
    "parse": _parse,
    "gradient": _gradient,
    "check": _check,
    "descent": _descent,
    "regress": _regress,
    "plot": _plot,
    "lab": _lab,
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
    return str(obj)


def _encode(obj: Any) -> bytes:
    """JSON bytes of ``obj``; a top-level dict's ``_Encoded`` values are spliced in as they are
    (the same bytes ``json.dumps`` would write for them: its default separators)."""
    if isinstance(obj, dict) and any(isinstance(v, _Encoded) for v in obj.values()):
        parts = [json.dumps(str(k), ensure_ascii=False).encode() + b": " +
                 (v if isinstance(v, _Encoded) else _encode(v)) for k, v in obj.items()]
        return b"{" + b", ".join(parts) + b"}"
    return json.dumps(_clean(obj), ensure_ascii=False, allow_nan=False).encode()


def _error(status: int, message: str, hint: str | None = None) -> tuple[int, bytes]:
    return status, _encode(error_json(NablabError(message, hint=hint)))


WARM_UP: list[tuple[str, dict[str, Any]]] = [
    ("parse", {"text": "x^2 y + sin(xy) + 1"}),
    ("parse", {"text": r"\frac{1}{N}\sum_{n=1}^{N}(y_n - (\theta_0 + \theta_1 x_n))^2"}),
    ("gradient", {"text": "x^2 y + sin(xy) + exp(x) log(y)", "at": {"x": 1, "y": 2}}),
    ("gradient", {"text": "x^2 y + sin(xy) + exp(x) log(y)", "steps": True}),
    # a quotient with a root runs SymPy's full simplify, whose first call imports
    # sympy.physics.units (~0.2 s): in the forkserver, not in some user's request
    ("gradient", {"text": "(x - y)/(x + y) + sqrt(x^2 + 1)"}),
    ("check", {"text": "x^2 y + sin(xy)", "var": "x", "answer": "2xy + y cos(xy)"}),
    ("plot", {"text": "x^2 y + sin(xy)", "n": 5, "arrows": 3}),
    ("lab", {"text": "x^2 y + sin(xy) + 2", "at": {"x": 1, "y": 2}, "steps": True,
             "plot": {"n": 5, "arrows": 3}}),
    ("descent", {"text": "x^2 + 10 y^2", "start": {"x": 1, "y": 1}, "rate": 0.05,
                 "iterations": 20}),
    ("descent", {"text": "x^2 + 10 y^2", "start": {"x": 1, "y": 1}, "rate": 0.05,
                 "iterations": 20, "method": ["gd", "newton"], "line_search": {"gd": "armijo"}}),
    ("gradient", {"text": "x^2 y + sin(xy)", "at": {"x": 1, "y": 2}, "graph": True}),
    ("regress", {"data": "x,y\n0,1\n1,3.1\n2,4.9\n3,7.2\n", "x": ["x"], "y": "y",
                 "epochs": 20}),
]


def warm() -> None:
    """Run a few representative requests once, so that SymPy's lazy imports and caches are
    filled in the forkserver and every forked worker starts warm (the first ``Add`` with a
    number alone imports modules for ~0.5 s)."""
    for task, payload in WARM_UP:
        status, body = run(task, payload)
        if status != 200:  # a representative request fails: a bug, say so at start-up
            raise RuntimeError(f"warm-up request {task} {payload} answered {status}: {body!r}")


def run(task: str, payload: dict) -> tuple[int, bytes]:
    """Run one task; a user error is a 422 answer, anything else a bug that propagates."""
    fn = TASKS.get(task)
    if fn is None:
        return _error(404, f"unknown task {task!r}")
    try:
        return 200, _encode(fn(payload))
    except NablabError as err:
        return 422, _encode(error_json(err))
    except RecursionError:
        return _error(422, "the expression is nested too deeply to work with",
                      hint="simplify or split the function")


warm()
