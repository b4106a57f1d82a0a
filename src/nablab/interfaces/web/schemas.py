"""Request bodies of the HTTP API, named like the command-line options.

Pydantic checks shapes and bounds here (so the OpenAPI docs show them); everything about the
*meaning* of the text — parsing, domains — is the core's job in a worker. ``payload()`` gives the
dict a worker task receives: ``None`` dropped, comma lists split, ``x=1,y=2`` read into a dict.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_TEXT = 2000
MAX_CSV = 60_000
MAX_NAMES = 32
MAX_RATE = 1e6
MAX_ITERATIONS = 10_000
MAX_EPOCHS = 100_000

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
}

Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT, description="the function, "
                            "typed (`x^2 y + sin(xy)`) or LaTeX")]
Number = float | Annotated[str, Field(max_length=200)]
Names = str | Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=MAX_NAMES)]


def split_names(value: Any) -> list[str] | None:
    """``"x, y"`` or ``["x", "y"]`` → ``["x", "y"]``; empty → None (let the reading decide)."""
    if value is None:
        return None
    items = value.replace(" ", ",").split(",") if isinstance(value, str) else list(value)
    names = [s.strip() for s in items if s and s.strip()]
    return names or None


def read_assignments(value: Any, field: str) -> dict[str, Any] | None:
    """``"x=1,y=2"`` → ``{"x": "1", "y": "2"}``; a dict passes through. Values stay as given
    (numbers or short text like ``pi/2``): the core reads them."""
    if value is None or isinstance(value, dict):
        return value
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
    latex: bool | None = Field(None, description="force LaTeX (true) or typed (false) reading; "
                               "default: detected")

    @field_validator("variables", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)


class GradientRequest(ParseRequest):
    """`nablab grad TEXT [--vars] [--at] [--direction] [--form] [--hessian] [--steps]`"""

    at: dict[Annotated[str, Field(max_length=64)], Number] | str | None = Field(
        None, description='point, `{"x": 1, "y": "pi/2"}` or `"x=1,y=2"`')
    direction: list[Number] | str | None = Field(
        None, description="vector for the directional derivative, `[1, 1]` or `\"1,1\"`")
    form: Literal["derived", "simplified", "factored", "expanded"] | None = None
    hessian: bool | None = None
    steps: bool | None = None
    detail: Literal["rules", "algebra"] | None = None

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


class DescentRequest(_Request):
    """`nablab descent TEXT --from x=1,y=1 --rate 0.1 [--steps N]`"""

    text: Text
    variables: Names | None = None
    start: dict[Annotated[str, Field(max_length=64)], Number] | str = Field(
        ..., description='start point, `{"x": 1, "y": 1}` or `"x=1,y=1"`')
    rate: float = Field(..., gt=0, le=MAX_RATE, description="learning rate η")
    iterations: int | None = Field(None, ge=1, le=MAX_ITERATIONS,
                                   description="step limit (CLI --steps)")
    method: Literal["gd", "momentum", "adam"] | None = None
    tol: float | None = Field(None, gt=0, description="stop when ‖∇f‖ < tol")
    params: dict[Annotated[str, Field(max_length=64)], Number] | None = Field(
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
    [--compare-scaling] [--batch]` with the CSV as text (no file paths, no Dask scheduler)."""

    data: Annotated[str, Field(min_length=1, max_length=MAX_CSV,
                               description="CSV text with a header row")]
    x: Names | None = Field(None, description="feature columns (default: all but y)")
    y: Annotated[str, Field(min_length=1, max_length=64)] | None = Field(
        None, description="target column (default: the last column)")
    rate: float | None = Field(None, gt=0, le=MAX_RATE)
    epochs: int | None = Field(None, ge=1, le=MAX_EPOCHS)
    tol: float | None = Field(None, gt=0)
    scale: bool | None = None
    compare_scaling: bool | None = None
    batch: int | None = Field(None, ge=1, le=1_000_000)

    @field_validator("x", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)


class PlotRequest(_Request):
    """f and ∇f on a grid for the contour, surface and arrow pictures."""

    text: Text
    variables: Names | None = None
    x_var: Annotated[str, Field(max_length=64)] | None = None
    y_var: Annotated[str, Field(max_length=64)] | None = None
    x_range: tuple[float, float] = (-3.0, 3.0)
    y_range: tuple[float, float] = (-3.0, 3.0)
    fixed: dict[Annotated[str, Field(max_length=64)], float] = Field(default_factory=dict,
                                                                     max_length=MAX_NAMES)
    n: int = Field(61, ge=2, le=201, description="grid points per axis for f")
    arrows: int = Field(15, ge=0, le=41, description="arrow grid points per axis for ∇f")
    one_dimensional: bool = Field(False, description="plot along x_var only (a curve)")

    @field_validator("variables", mode="after")
    @classmethod
    def _names(cls, v: Any) -> list[str] | None:
        return split_names(v)


class ErrorDetail(BaseModel):
    message: str
    column: int | None = Field(None, description="1-based column into the text, if any")
    hint: str | None = None


class ErrorResponse(BaseModel):
    """Every failure: the same `error` object as `nablab … --json`."""

    error: ErrorDetail
