"""Request and response bodies of the HTTP API, named like the command-line options.

Pydantic checks shapes and bounds here (so the OpenAPI docs show them: lengths, ranges and the
patterns of the ``x=1,y=2`` strings); everything about the *meaning* of the text — parsing,
domains — is the core's job in a worker and is answered with a documented 422. Requests are
validated strictly (a number is a JSON number, a flag a JSON boolean), exactly as the schema
says. ``payload()`` gives the dict a worker task receives: ``None`` dropped, comma lists split,
``x=1,y=2`` read into a dict. The response models mirror the JSON that ``nablab … --json``
prints; the server does not re-validate answers (the workers encode them), the schema documents
them and the contract test (tests/web/test_contract.py) checks them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator
from pydantic_core import PydanticCustomError

from nablab.errors import NablabError
from nablab.optimize.linear import BATCH_METHODS
from nablab.optimize.methods import LINE_SEARCHES, METHODS, PARAMETERS, Hyper
from nablab.optimize.regression import CHOOSE_METHOD, REGRESSION_METHODS, check_method
from nablab.parse.values import split_names

MAX_TEXT = 2000
MAX_CSV = 60_000
MAX_NAMES = 32
MAX_RATE = 1e6
MAX_ITERATIONS = 10_000
MAX_EPOCHS = 100_000
MAX_BATCH = 1_000_000

# Human words for the numbers people type (the page shows them next to the control), by field
# name: pydantic's own ("Input should be greater than 0") names no quantity and offers no way on.
FIELD_HELP: dict[str, tuple[str, str]] = {
    "rate": (f"the learning rate η must be a positive number (at most {MAX_RATE:,.0f})",
             "try η = 0.1; if the run diverges, try a smaller one such as 0.01"),
    "iterations": (f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}",
                   "100 steps is a good start; raise it if the run stops before converging"),
    "epochs": (f"epochs must be a whole number from 1 to {MAX_EPOCHS:,}",
               "a few hundred is a good start"),
    "tol": ("the tolerance must be a positive number", "e.g. 1e-8: stop when ‖∇f‖ < tol"),
    "batch": (f"the batch size must be a whole number from 1 to {MAX_BATCH:,}",
              "leave it out for the full batch"),
    "seed": ("the seed must be a whole number from 0 to 2⁶³ − 1",
             "e.g. 3: the same seed gives the same shuffles"),
}

# Fields whose values are names from a fixed list: a name outside it is answered in the core's
# words ("unknown method 'lbfgs'", hint "the methods are gd, …"), not pydantic's union errors.
FIELD_CHOICES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "method": ("method", "the methods are", METHODS),
    "line_search": ("line search", "the step sizes are", LINE_SEARCHES),
    "batch_method": ("batch method", "the batch methods are", BATCH_METHODS),
}

#: the error type of a value refused in the core's own words while validating (its ctx carries
#: the core's message and hint; errors.validation_message answers them as they are)
CORE_ERROR = "nablab"


def core_error(err: NablabError) -> PydanticCustomError:
    """A refusal by the core (a :class:`NablabError`) raised from a validator: the 422 is the
    core's error object, not pydantic's wording."""
    return PydanticCustomError(CORE_ERROR, "{message}", {"message": err.message,
                                                         "hint": err.hint})

# JSON numbers and booleans only, as the schema says (no "1.5" strings, no 1 for true)
Float = Annotated[float, Strict()]
Int = Annotated[int, Strict()]
Bool = Annotated[bool, Strict()]
Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, description="the function, "
                            "typed (`x^2 y + sin(xy)`) or LaTeX")]
Number = Float | Annotated[str, Field(min_length=1, max_length=200)]
Name = Annotated[str, Field(min_length=1, max_length=64)]
Names = str | Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=MAX_NAMES)]
#: ``x=1,y=2``: comma-separated name=value pairs (empty parts between commas are skipped)
_PAIR = r"[^,=\s][^,=]*=\s*[^,=\s][^,=]*"
ASSIGNMENTS = rf"^[\s,]*{_PAIR}(,[\s,]*{_PAIR})*[\s,]*$"
Assignments = Annotated[str, Field(max_length=MAX_TEXT, pattern=ASSIGNMENTS)]
Point = dict[Name, Number]


def read_assignments(value: Any, field: str) -> dict[str, Any] | None:
    """``"x=1,y=2"`` → ``{"x": "1", "y": "2"}``; a dict passes through. Values stay as given
    (numbers or short text like ``pi/2``): the core reads them. A string must match
    :data:`ASSIGNMENTS` as Python reads it too (the schema's readers do), not only as pydantic's
    regex engine does, so that the server never takes what the published schema refuses."""
    if value is None or isinstance(value, dict):
        return value
    if str(value).strip() and not re.search(ASSIGNMENTS, str(value)):
        raise ValueError(f"{field} expects name=value pairs like x=1,y=2")
    out: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in str(value).split(","))):
        name, sep, number = (s.strip() for s in part.partition("="))
        if not sep or not name or not number:
            raise ValueError(f"{field} expects name=value pairs like x=1,y=2, got {part!r}")
        out[name] = number
    return out


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    def payload(self) -> dict:
        """The dict handed to a worker task (also the cache key)."""
        return self.model_dump(exclude_none=True)


class ParseRequest(_Request):
    """`nablab parse TEXT [--vars x,y]`"""

    text: Text
    variables: Names | None = Field(None, description="variables in order, e.g. `x,y`")
    latex: Bool | None = Field(None, description="force LaTeX (true) or typed (false) reading; "
                               "default: detected")

    @field_validator("variables", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)


class GradientRequest(ParseRequest):
    """`nablab grad TEXT [--vars] [--at] [--direction] [--form] [--hessian] [--steps]`"""

    at: Annotated[Point, Field(max_length=MAX_NAMES)] | Annotated[str, Field(
        max_length=MAX_TEXT, pattern=r"^\s*$|" + ASSIGNMENTS)] | None = Field(
        None, description='point, `{"x": 1, "y": "pi/2"}` or `"x=1,y=2"` (empty: none)')
    direction: Annotated[list[Number], Field(min_length=1, max_length=MAX_NAMES)] | Annotated[
        str, Field(max_length=MAX_TEXT, pattern=r"[^,\s]")] | None = Field(
        None, description="vector for the directional derivative, `[1, 1]` or `\"1,1\"`")
    form: Literal["derived", "simplified", "factored", "expanded"] | None = None
    hessian: Bool | None = None
    steps: Bool | None = None
    detail: Literal["rules", "algebra"] | None = None
    graph: Bool | None = Field(None, description="with `at`: the computational graph at the "
                               "point, forward values and backward adjoints (CLI --graph)")

    @field_validator("at", mode="after")
    @classmethod
    def _at(cls, v: Any) -> dict | None:
        v = read_assignments(v, "at")
        if v is not None and len(v) > MAX_NAMES:
            raise ValueError(f"at names at most {MAX_NAMES} variables")
        return v

    @field_validator("direction", mode="after")
    @classmethod
    def _direction(cls, v: Any) -> list | None:
        if isinstance(v, str):
            v = [s.strip() for s in v.split(",") if s.strip()]
        if v is not None and not 1 <= len(v) <= MAX_NAMES:
            raise ValueError(f"direction needs 1 to {MAX_NAMES} components")
        return v


class CheckRequest(_Request):
    """`nablab check TEXT --var x --answer ANSWER [--vars]`"""

    text: Text
    var: Annotated[str, Field(min_length=1, max_length=64)]
    answer: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    variables: Names | None = None

    @field_validator("variables", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)


MethodName = Literal["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton"]
RegressMethod = Literal["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
BatchMethod = Literal["sgd", "svrg"]
LineSearch = Literal["fixed", "armijo", "wolfe"]
#: ``"gd"``, ``"gd,momentum,adam"``: one method or several, comma-separated
METHOD_LIST = rf"^\s*({'|'.join(METHODS)})(\s*,\s*({'|'.join(METHODS)}))*\s*$"

#: ``opt``: method parameters by name → value (CLI --opt), the one shape of every endpoint that
#: runs named methods (/api/descent, /api/regress)
MethodOptions = dict[Annotated[str, Field(min_length=1, max_length=16)], Float]


def _hypers(methods: Sequence[str]) -> list[tuple[Hyper, list[str]]]:
    """The parameters the methods take, each once, with the methods that take it."""
    out: dict[str, tuple[Hyper, list[str]]] = {}
    for m in methods:
        for h in PARAMETERS[m]:
            out.setdefault(h.name, (h, []))[1].append(m)
    return list(out.values())


def _hyper_schema(h: Hyper, methods: list[str]) -> dict[str, Any]:
    """One parameter in JSON Schema: its range and usual value, as the core checks it."""
    out: dict[str, Any] = {"type": "number", "default": h.default,
                           "description": f"{h.symbol} ({', '.join(methods)}): the {h.meaning}"}
    out["exclusiveMinimum" if h.low_open else "minimum"] = h.low
    if math.isfinite(h.high):
        out["exclusiveMaximum" if h.high_open else "maximum"] = h.high
    return out


def method_options(methods: Sequence[str]) -> Any:
    """The ``opt`` field (a :data:`MethodOptions`) for an endpoint running ``methods``: the
    schema states each parameter's range and usual value under its name (other spellings such
    as ``"β1"`` are further keys); which names the chosen method takes, and the ranges, are the
    core's to check, so a refusal is its 422 naming the valid names or the range."""
    hypers = _hypers(methods)
    props = {h.name: _hyper_schema(h, ms) for h, ms in hypers}

    def extra(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "object":
                branch["properties"] = props

    names = "; ".join(f"{h.name} ({h.symbol}, {', '.join(ms)}: in {h.range_text()}, usually "
                      f"{h.default:g})" for h, ms in hypers)
    return Field(None, max_length=len(hypers), json_schema_extra=extra, description=(
        f"method parameters by their names in the literature (CLI --opt): {names}; Greek keys "
        '("β1") work too; a name the chosen method does not take, or a value out of range, is '
        "a 422 naming the valid ones"))


class DescentRequest(_Request):
    """`nablab descent TEXT --from x=1,y=1 --rate 0.1 [--steps N] [--method gd,nesterov,adam]
    [--opt beta=0.9] [--line-search armijo]`"""

    text: Text
    variables: Names | None = None
    start: Annotated[Point, Field(min_length=1, max_length=MAX_NAMES)] | Assignments = Field(
        ..., description='start point, `{"x": 1, "y": 1}` or `"x=1,y=1"`')
    rate: Float | None = Field(None, gt=0, le=MAX_RATE, description="learning rate η (every "
                               "method but newton needs it; with a line search: the first "
                               "trial step)")
    iterations: Int | None = Field(None, ge=1, le=MAX_ITERATIONS,
                                   description="step limit (CLI --steps)")
    method: Annotated[str, Field(max_length=200, pattern=METHOD_LIST)] | Annotated[
        list[MethodName], Field(min_length=1, max_length=len(METHODS))] | None = Field(
        None, description="one method (`\"adam\"`: one result) or several (`\"gd,adam\"` or "
        "`[\"gd\", \"adam\"]`: `{\"runs\": [...]}`, one result each, in the order given) of "
        + ", ".join(METHODS))
    opt: MethodOptions | None = method_options(METHODS)
    line_search: LineSearch | dict[Literal["gd", "newton"], LineSearch] | None = Field(
        None, description="step size for gd and newton (CLI --line-search): fixed η, armijo "
        "(backtracking) or wolfe (strong Wolfe); one for every method, or per method, "
        '`{"gd": "armijo"}` (the methods not named use a fixed η)')
    tol: Float | None = Field(None, gt=0, description="stop when ‖∇f‖ < tol")
    params: Point | None = Field(
        None, max_length=MAX_NAMES, description="values of the parameters, e.g. {\"a\": 2}")

    @field_validator("variables", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)

    @field_validator("start", mode="after")
    @classmethod
    def _start(cls, v: Any) -> dict:
        out = read_assignments(v, "start")
        if not out:
            raise ValueError("start needs a value for each variable, e.g. x=1,y=1")
        return out


class RegressRequest(_Request):
    """`nablab regress DATA.csv [--x COL[,COL…]] [--y COL] [--rate] [--epochs] [--tol] [--scale]
    [--compare-scaling] [--batch] [--batch-method] [--method adam] [--opt beta1=0.9] [--shuffle]
    [--seed]` with the CSV as text (no file paths, no Dask scheduler)."""

    data: Annotated[str, Field(min_length=1, max_length=MAX_CSV,
                               description="CSV text with a header row")]
    x: Names | None = Field(None, description="feature columns (default: all but y)")
    y: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="target column (default: the last column)")
    rate: Float | None = Field(None, gt=0, le=MAX_RATE)
    epochs: Int | None = Field(None, ge=1, le=MAX_EPOCHS)
    tol: Float | None = Field(None, gt=0)
    scale: Bool | None = None
    compare_scaling: Bool | None = None
    batch: Int | None = Field(None, ge=1, le=MAX_BATCH, description="mini-batch size "
                              "(default: the full batch)")
    batch_method: BatchMethod | None = Field(
        None, description="mini-batch updates (CLI --batch-method): sgd, each batch's gradient "
        "at the constant rate, or svrg, variance-reduced, which converges to least squares")
    method: RegressMethod | None = Field(
        None, description="the update rule (CLI --method), one of " + ", ".join(
            REGRESSION_METHODS) + " (default gd; newton is not offered: one Newton step on "
        "the quadratic J is the closed form, which every answer carries)")
    opt: MethodOptions | None = method_options(REGRESSION_METHODS)
    shuffle: Bool | None = Field(None, description="mini-batches: reorder the rows every epoch")
    seed: Int | None = Field(None, ge=0, le=2**63 - 1, description="the shuffle's seed "
                             "(reproducible runs; needs shuffle)")

    @field_validator("x", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)

    @field_validator("method", mode="before")
    @classmethod
    def _method(cls, v: Any) -> Any:
        """A name outside the list is refused in the core's words (newton: why it is not
        offered; "gd,adam": one at a time), or, for a spelling the core would read ("Adam"),
        as an unknown method: the API takes the names as listed."""
        if v is None or (isinstance(v, str) and v in REGRESSION_METHODS):
            return v
        if not isinstance(v, str):
            raise core_error(NablabError('method takes one method\'s name, e.g. "adam"',
                                         hint=CHOOSE_METHOD))
        try:
            check_method(v, {})
        except NablabError as err:
            raise core_error(err) from None
        raise core_error(NablabError(f"unknown method {v!r}", hint=CHOOSE_METHOD))


class PlotOptions(_Request):
    """How to sample f and ∇f on a grid (the options of ``/api/plot`` without the function)."""

    x_var: Annotated[str, Field(max_length=64)] | None = None
    y_var: Annotated[str, Field(max_length=64)] | None = None
    x_range: tuple[Float, Float] = (-3.0, 3.0)
    y_range: tuple[Float, Float] = (-3.0, 3.0)
    fixed: dict[Annotated[str, Field(max_length=64)], Float] = Field(default_factory=dict,
                                                                     max_length=MAX_NAMES)
    n: Int = Field(61, ge=2, le=201, description="grid points per axis for f")
    arrows: Int = Field(15, ge=0, le=41, description="arrow grid points per axis for ∇f")
    one_dimensional: Bool = Field(False, description="plot along x_var only (a curve)")


class PlotRequest(PlotOptions):
    """f and ∇f on a grid for the contour, surface and arrow pictures."""

    text: Text
    variables: Names | None = None

    @field_validator("variables", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)


class LabRequest(GradientRequest):
    """One edit on the page: the reading, ∇f (with ``steps``, ``at``) and the plot samples
    (with ``plot``), computed from one reading of the text."""

    plot: PlotOptions | None = Field(None, description="sample f and ∇f for the pictures, with "
                                     "the options of /api/plot (`{}`: the defaults)")

    def payload(self) -> dict:
        out = super().payload()
        if self.plot is not None:  # defaults kept: the sampler needs them all
            out["plot"] = self.plot.model_dump()
        return out


class ErrorDetail(BaseModel):
    message: str
    column: int | None = Field(None, description="1-based column into the text, if any")
    hint: str | None = None


class ErrorResponse(BaseModel):
    """Every failure: the same `error` object as `nablab … --json`."""

    error: ErrorDetail


# -- responses: the JSON that `nablab … --json` prints ------------------------------------------
Num = float | None  # every non-finite or undefined value is null, never NaN


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


#: MathML sits next to LaTeX in the answers of the gradient (reading, partials, ∇f, Hessian,
#: domain, exact values at the point); the step trees and the answer check carry LaTeX only
def _mathml() -> Any:
    return Field(None, description="presentation MathML (`<math>…</math>`), for readers that "
                 "render MathML natively; null for a formula of more than 2000 nodes")


class Formula(_Answer):
    text: str
    latex: str
    mathml: str | None = _mathml()


class Reading(Formula):
    echo: str = Field(description="the reading written back in the input's own notation")


class ParseWarning(_Answer):
    message: str
    column: int | None = None


class ParseResponse(_Answer):
    """`nablab parse TEXT --json`"""

    input: str
    expression: Reading
    variables: list[str]
    parameters: list[str]
    warnings: list[ParseWarning]
    sums_over_data: bool = Field(description="a Σ over data (the MSE): no value, picture or "
                                 "descent without the data")


class Partial(Reading):
    variable: str
    note: str | None = None


class Condition(_Answer):
    condition: str
    latex: str
    mathml: str | None = _mathml()
    reason: str | None = None


class Value(_Answer):
    exact: str | None = None
    latex: str | None = None
    mathml: str | None = _mathml()
    float: Num = None


class PointAnswer(_Answer):
    point: dict[str, Num]
    value: Value | None = None
    gradient: list[Value] | None = None
    norm: Num = None
    direction: list[Num] | None = None
    directional_derivative: dict[str, Any] | None = None
    check: list[dict[str, Any]] | None = None
    notes: list[Any] = []
    hessian: list[list[Num]] | None = None


class GraphNodeAnswer(_Answer):
    """One node of the computational graph: its operation, inputs (node ids), forward value,
    backward adjoint ∂f/∂node, the step tree's rule for its local derivatives ∂node/∂input."""

    id: int
    op: str
    inputs: list[int]
    value: Num
    adjoint: Num
    rule: str
    local: list[Num]
    expression: str
    name: str | None = Field(None, description="variables and parameters: the name")


class GraphAnswer(_Answer):
    """`nablab grad TEXT --at … --graph --json`, its `graph` key: shared subexpressions are
    one node; `backward` is the order the reverse pass visits the nodes; `gradient` the
    variables' adjoints, ∇f at the point."""

    nodes: list[GraphNodeAnswer]
    output: int
    variables: list[str]
    point: dict[str, Num]
    value: Num
    gradient: list[Num]
    backward: list[int]


class GradientResponse(ParseResponse):
    """`nablab grad TEXT … --json`"""

    form: str
    partials: list[Partial]
    gradient: Formula
    hessian: Formula | None = None
    domain: list[Condition]
    at: PointAnswer | None
    steps: dict[str, dict[str, Any]] | None = Field(
        None, description="with `steps`: the derivation tree of each partial, by variable")
    gradient_steps: dict[str, Any] | None = Field(
        None, description="with `steps`: ∇f assembled from the partials")
    graph: GraphAnswer | None = Field(
        None, description="with `graph`: the computational graph at `at` (CLI --graph --json)")


class CheckResponse(_Answer):
    """`nablab check TEXT --var x --answer … --json`"""

    equivalent: bool
    variable: str
    expected: Formula
    answer: Formula
    method: str
    points_checked: int
    counterexample: dict[str, Any] | None
    wrong_terms: list[Any]


class CurvatureAnswer(_Answer):
    L: Num
    smallest_eigenvalue: Num
    quadratic: bool
    max_stable_rate: Num
    at: list[Num] | None


class AdviceAnswer(_Answer):
    """What the Hessian's eigenvalues imply (exact for a quadratic f, else the quadratic model
    at `at`): the largest stable fixed η for gd (2/λmax), the best (2/(λmin + λmax)), the
    condition number and the heavy-ball momentum it suggests with its η."""

    eigenvalues: list[Num]
    quadratic: bool
    at: list[Num] | None
    max_stable_rate: Num
    best_rate: Num
    condition: Num
    momentum: Num
    momentum_rate: Num
    note: str


class SensitivityAnswer(_Answer):
    """|∂f/∂xₖ| per variable at one point: largest, smallest, spread, vanishing, dominant."""

    variables: list[str]
    at: list[Num]
    magnitudes: list[Num]
    largest: str
    smallest: str
    spread: Num
    vanishing: list[str]
    dominant: list[str]


class RunSensitivityAnswer(_Answer):
    at_start: SensitivityAnswer
    at_end: SensitivityAnswer
    largest_spread: Num
    largest_spread_step: int
    vanishing_steps: dict[str, int]
    dominant_steps: dict[str, int]
    steps: int


class DescentResponse(_Answer):
    """`nablab descent TEXT --from … --rate … --json` (one method)"""

    variables: list[str]
    path: list[list[Num]]
    values: list[Num]
    grad_norms: list[Num]
    converged: bool
    diverged: bool
    reason: str
    steps: int
    point: list[Num]
    value: Num
    method: str
    rate: Num
    options: dict[str, Num] | None = None
    start: list[Num] | None = None
    function: str | None = None
    gradient: list[str] | None = None
    parameters: dict[str, Num] | None = None
    curvature: CurvatureAnswer | None = None
    status: Literal["converged", "limit", "diverged", "left_domain", "hessian",
                    "line_search"] | None = Field(None, description="why the run stopped")
    stopped_at: int | None = Field(None, description="the step it stopped at")
    line_search: LineSearch | None = None
    hyper: dict[str, Num] | None = Field(None, description="the method's parameters, by name")
    step_sizes: list[Num] | None = Field(None, description="the accepted step α per iteration "
                                         "(gd and newton)")
    trials: list[int] | None = Field(None, description="trial steps per iteration")
    advice: AdviceAnswer | None = None
    sensitivity: RunSensitivityAnswer | None = None


class DescentRunsResponse(_Answer):
    """`nablab descent TEXT --method gd,adam … --json`: several methods from the same start,
    one run each, in the order given."""

    function: str
    variables: list[str]
    start: list[Num]
    methods: list[str]
    runs: list[DescentResponse]


class RegressResponse(_Answer):
    """`nablab regress DATA --x … --y … --json`"""

    partials: list[dict[str, Any]]
    theta: list[Num]
    closed_form: list[Num] | None
    loss: Num
    iterations: int
    converged: bool
    diverged: bool
    reason: str
    losses: list[Num]
    path: list[list[Num]]
    rate: Num
    rate_rule: str | None = None
    scaling: dict[str, Any] | None = None
    curvature: dict[str, Any] | None = None
    comparison: dict[str, Any] | None = None
    closed_form_loss: Num = Field(description="J at the least-squares θ")
    max_rel_diff: Num = Field(description="the largest relative difference of θ to the "
                              "least-squares θ")
    method: RegressMethod = Field(description="the update rule")
    hyper: dict[str, Num] = Field(description="the method's parameters as used, by name")
    batch: int | None = Field(description="the mini-batch size (null: the full batch)")
    batch_method: BatchMethod | None = Field(description="with a batch: sgd or svrg")
    shuffle: bool
    seed: int | None


class Arrows(_Answer):
    """∇f on the arrow grid; ``{}`` when ``arrows`` is 0."""

    x: list[Num] | None = None
    y: list[Num] | None = None
    u: list[list[Num]] | list[Num] | None = None
    v: list[list[Num]] | None = None
    norm: list[list[Num]] | list[Num] | None = None
    max_norm: Num = None


class PlotResponse(_Answer):
    """f and ∇f sampled on a grid (docs/http-api.md); `z[i][j] = f(x[j], y[i])`."""

    variables: list[str]
    x_var: str
    y_var: str | None
    fixed: dict[str, Num]
    x: list[Num]
    y: list[Num] | None
    z: list[list[Num]] | list[Num]
    z_min: Num
    z_max: Num
    arrows: Arrows


class LabResponse(_Answer):
    """One edit: `parse` as /api/parse answers, `gradient` as /api/gradient (with `steps` and
    `at` when asked), `plot` as /api/plot or null when not asked."""

    parse: ParseResponse
    gradient: GradientResponse
    plot: PlotResponse | None


class CacheStats(_Answer):
    size: int
    bytes: int
    hits: int
    misses: int


class HealthResponse(_Answer):
    """Liveness and load of the server and its worker pool."""

    status: Literal["ok", "starting"]
    workers: int
    alive: int = Field(description="ordinary workers holding a place (== workers when whole)")
    busy: int
    queued: int
    queue_limit: int
    time_limit: float
    demoted_now: int
    completed: int
    killed: int
    died: int
    replaced: int
    demoted: int
    shed: int
    rejected: int
    cache: CacheStats
    endpoints: list[str] = Field(description="the API operations this server answers")
