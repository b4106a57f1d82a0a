"""nablab — a gradient lab.

Read a function the way people type it, get every partial derivative and ∇f with a
step-by-step derivation, check it numerically, and run gradient descent on it.

The public surface is below; heavy parts load on first use so ``import nablab`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from nablab import display as _display
from nablab.errors import (
    ComputeLimitError,
    DataError,
    DomainError,
    LimitError,
    NablabError,
    ParseError,
)
from nablab.parse import parse  # bound eagerly: the name must be the function, not the package

__version__ = "0.1.0"

# Result objects display typeset in notebooks (nablab/display.py): the renderer that builds their
# MIME bundles sits above them, so it is named here and imported on the first display only.
_display.provide("nablab.render.html")

# public name -> module that defines it
_LAZY = {
    "Expression": "nablab.expression",
    "gradient": "nablab.api",
    "check_answer": "nablab.api",
    "descent": "nablab.api",
    "graph": "nablab.api",
    "regress": "nablab.api",
    "plot": "nablab.api",
    "widget": "nablab.interfaces.notebook.widget",
}

__all__ = [
    "ComputeLimitError",
    "DataError",
    "DomainError",
    "Expression",
    "LimitError",
    "NablabError",
    "ParseError",
    "__version__",
    "check_answer",
    "descent",
    "gradient",
    "graph",
    "parse",
    "plot",
    "regress",
    "widget",
]


def __dir__() -> list[str]:
    # the lazy names too: help(nablab) and tab completion list the whole public surface
    return sorted({*globals(), *_LAZY})


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nablab' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
