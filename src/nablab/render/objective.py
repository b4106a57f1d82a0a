"""The chapter's objective written out: J(θ) = (1/N) Σₙ (yₙ − ŷₙ)² and each ∂J/∂θₖ in the
chapter's arrangement, −(2/N) Σₙ wₙ (yₙ − ŷₙ), as SymPy text, LaTeX and the human reading.

:class:`nablab.optimize.mse.MSE` holds the symbolic J and its derived partials (and checks that
the chapter's arrangement equals them); this module only writes them. The JSON of a regression
(``partials`` and ``model``) and the command line's summary are built from these.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from nablab.optimize.mse import MSE, N
from nablab.printing.text import to_echo, to_text
from nablab.render.latex import to_latex

__all__ = ["chapter_echo", "chapter_latex", "chapter_text", "model_dict", "partials_list"]


def chapter_text(m: MSE, k: int) -> str:
    """∂J/∂θₖ as SymPy text in the chapter's arrangement (sympify reads it back)."""
    w = m.weights[k]
    body = f"{to_text(m.target)} - ({to_text(m.yhat)})"
    body = f"{to_text(w)}*({body})" if w != 1 else body
    return f"-2*Sum({body}, (n, 1, {to_text(N)}))/{to_text(N)}"


def chapter_latex(m: MSE, k: int, hat: bool = False) -> str:
    """∂J/∂θₖ in LaTeX as the chapter writes it; ``hat`` keeps ŷₙ instead of expanding it."""
    w = m.weights[k]
    yhat = r"\hat{y}_{n}" if hat else rf"\left({to_latex(m.yhat)}\right)"
    body = rf"{to_latex(m.target)} - {yhat}"
    wl = "" if w == 1 else to_latex(w) + " "
    return rf"-\frac{{2}}{{N}} \sum_{{n=1}}^{{N}} {wl}\left({body}\right)"


def chapter_echo(m: MSE, k: int) -> str:
    """The human reading: ``−(2/N) Σₙ x_n·(y_n − ŷ_n)``."""
    w = m.weights[k]
    lead = "" if w == 1 else to_echo(w) + "·"
    return f"−(2/N) Σₙ {lead}({to_echo(m.target)} − ŷ_n)"


def model_dict(m: MSE, data: dict[str, str]) -> dict[str, Any]:
    """ŷ as text, LaTeX and the human reading, J, and ``data``: which data name is which
    column (``{"x": "sqft", "y": "price"}``)."""
    return {"yhat": to_text(m.yhat), "yhat_latex": to_latex(m.yhat),
            "echo": f"ŷ_n = {to_echo(m.yhat)}",
            "J": to_text(m.J), "J_latex": to_latex(m.J), "data": dict(data)}


def partials_list(m: MSE) -> list[dict[str, str]]:
    """One entry per θₖ: the chapter's form (text, LaTeX, LaTeX with ŷₙ, the reading) and the
    derived partial it equals (text, LaTeX)."""
    return [dict(p) for p in _partials(m)]


@lru_cache(maxsize=32)  # J's partials are the same for every fit with d features
def _partials(m: MSE) -> tuple[dict[str, str], ...]:
    return tuple(
        {
            "variable": t.name,
            "text": chapter_text(m, k),
            "latex": chapter_latex(m, k),
            "latex_chapter": chapter_latex(m, k, hat=True),
            "echo": chapter_echo(m, k),
            "derived": to_text(m.partials[k]),
            "derived_latex": to_latex(m.partials[k]),
        }
        for k, t in enumerate(m.thetas)
    )
