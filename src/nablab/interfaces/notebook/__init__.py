"""The notebook interface: ``nablab.widget(...)``, the gradient lab as a Jupyter widget.

Rich display of results needs nothing extra; the widget needs anywidget (``nablab[notebook]``),
so it is imported only when asked for and a missing extra is named.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from nablab.extras import require

if TYPE_CHECKING:  # imported when called (an optional extra): for the annotation only
    from nablab.interfaces.notebook.widget import GradientWidget

__all__ = ["widget"]


def widget(function: str = "x^2 y + sin(xy)", variables: str | list[str] | None = None,
           at: str | dict[str, Any] | None = None, **options: Any) -> GradientWidget:
    """The gradient lab in a notebook cell: type a function, see its reading, every partial,
    ∇f, the steps, the values at the point ``at``, contours with ∇ arrows and a descent run
    with rate η. All the work runs in the kernel; the state is in synced traits
    (``function``, ``variables``, ``at``, … in; ``result``, ``error``, ``plot``, ``descent``,
    ``path`` out).

    ``options``: ``form`` (derived, simplified, factored, expanded), ``with_steps``,
    ``x_var``/``y_var`` and ``x_range``/``y_range`` (the picture), ``eta``, ``iterations``,
    ``start``, ``method`` (descent) and ``time_limit`` (seconds per change, 10 by default as
    on the page). A bad argument raises :class:`~nablab.errors.NablabError`.
    """
    require("notebook", "anywidget", "IPython")
    # optional extra: anywidget is imported only when a widget is asked for
    from nablab.interfaces.notebook.widget import GradientWidget

    return GradientWidget(function, variables, at, **options)
