"""Rich display of result objects (Jupyter, VS Code, Colab) without upward imports.

The result classes live in low layers (``expression``, ``calculus``, ``steps``, ``optimize``);
what typesets them, :mod:`nablab.render.html`, lives above them and may not be imported by them.
This module, at the bottom with :mod:`nablab.errors`, is where the two meet (dependency
inversion):

- every result class inherits :class:`RichDisplay`, whose ``_repr_mimebundle_`` asks
  :func:`mime_bundle` here;
- :mod:`nablab.render.html` registers one bundle builder per result type with :func:`register`
  when it is imported;
- the package root (``nablab/__init__.py``, run before any submodule) names that module with
  :func:`provide`; it is imported on the first display, not at ``import nablab``, so start-up
  time does not pay for the renderers.

A type with no builder gets ``None`` from ``_repr_mimebundle_``, which tells the front end to
fall back to the plain ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any, TypeVar

__all__ = ["Bundle", "RichDisplay", "builder_for", "mime_bundle", "provide", "register"]

#: ``{mime type: content}`` as Jupyter's display protocol wants it
Bundle = dict[str, str]
Builder = Callable[[Any], Bundle]
B = TypeVar("B", bound=Builder)

_builders: dict[type, Builder] = {}
_providers: list[str] = []  # modules that register builders, imported on the first display


def register(cls: type) -> Callable[[B], B]:
    """Decorator: ``builder(obj) -> Bundle`` displays instances of ``cls`` (and subclasses
    without a builder of their own)."""

    def add(builder: B) -> B:
        _builders[cls] = builder
        return builder

    return add


def provide(module: str) -> None:
    """Import ``module`` (which registers builders) before the first display needs it."""
    if module not in _providers:
        _providers.append(module)


def builder_for(cls: type) -> Builder | None:
    """The builder for ``cls`` (the nearest class in its MRO that has one), or None."""
    while _providers:  # popped first: a failing import is not retried on every display
        import_module(_providers.pop(0))
    for klass in cls.__mro__:
        found = _builders.get(klass)
        if found is not None:
            return found
    return None


def mime_bundle(obj: Any, include: Iterable[str] | None = None,
                exclude: Iterable[str] | None = None) -> Bundle | None:
    """The bundle for ``obj`` restricted to ``include`` and without ``exclude`` (the arguments
    of Jupyter's ``_repr_mimebundle_``); None when its type has no builder."""
    build = builder_for(type(obj))
    if build is None:
        return None
    data = build(obj)
    if include is not None:
        wanted = set(include)
        data = {k: v for k, v in data.items() if k in wanted}
    if exclude is not None:
        unwanted = set(exclude)
        data = {k: v for k, v in data.items() if k not in unwanted}
    return data


class RichDisplay:
    """Mixin of every result class: typeset in a notebook, plain text in a terminal."""

    __slots__ = ()

    def _repr_mimebundle_(self, include: Iterable[str] | None = None,
                          exclude: Iterable[str] | None = None) -> Bundle | None:
        return mime_bundle(self, include, exclude)
