"""docs/notebook.md's Python is real: its blocks run in order in one namespace (as cells of one
notebook would) and each block followed by a ```text block prints exactly that."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "notebook.md"
BLOCK = re.compile(r"```python\n(.*?)```\n(?:\n```text\n(.*?)```)?", re.S)


def test_docs_notebook_examples_print_what_the_page_shows():
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len([b for b in blocks if b[1]]) >= 2 and any("nablab.widget(" in c for c, _ in blocks)
    namespace: dict[str, object] = {}
    for code, shown in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            # the repository's own documentation code, run as a notebook would (never user text)
            exec(compile(code, str(DOC), "exec"), namespace)
        if shown:
            assert out.getvalue() == shown, code


def test_readme_links_the_notebook_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/notebook.md)" in readme
    assert (ROOT / "examples" / "gradient.ipynb").exists()
