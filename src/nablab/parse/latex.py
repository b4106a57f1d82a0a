"""LaTeX input: when it is detected. The commands themselves are tokens (``lexer``, with the
command tables in ``vocabulary``) and ``\\frac``, ``\\sqrt``, ``\\sum`` have grammar rules
(``grammar``), so LaTeX and typed input share one parser and one set of limits.
"""

from __future__ import annotations


def looks_like_latex(text: str) -> bool:
    """Input is LaTeX when it has a backslash command or is wrapped in ``$…$``."""
    stripped = text.strip()
    return "\\" in text or (stripped.startswith("$") and stripped.endswith("$"))
