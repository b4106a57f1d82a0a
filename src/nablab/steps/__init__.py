"""Step-by-step derivations: every partial as a tree of named rules, held as data.

``derive_partial(expression, "x")`` gives the tree of ∂f/∂x (a :class:`StepNode`);
``derive_gradient(expression)`` every partial plus the assembly of ∇f. Rules live in
:mod:`.rules`, the dispatch in :mod:`.engine`, the wording in :mod:`.wording`. Printing is the
renderers' job: :mod:`nablab.render.steps` (text, LaTeX, Markdown) and
:func:`nablab.render.json.to_json` (the JSON tree).
"""

from __future__ import annotations

from nablab.steps.partial import GradientSteps, derive_gradient, derive_partial
from nablab.steps.rules import StepNode

__all__ = [
    "GradientSteps",
    "StepNode",
    "derive_gradient",
    "derive_partial",
]
