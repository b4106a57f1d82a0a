"""The README's console examples are real: each ``$ nablab …`` block is run as a user would run
it (a subprocess, output to a pipe, 100 columns) and its output must be what the README shows."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```console\n\$ (nablab [^\n]*)\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    return BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_readme_has_its_examples():
    commands = [c for c, _ in examples()]
    assert any("--steps" in c for c in commands) and any(c.startswith("nablab check") for c in commands)
    assert len(commands) >= 5


def normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


@pytest.mark.parametrize(("command", "shown"), examples(), ids=lambda v: v[:50])
def test_readme_example_is_the_real_output(command: str, shown: str):
    args = shlex.split(command)[1:]
    code = "import sys; from nablab.interfaces.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1"}
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert normalise(out.stdout + out.stderr) == normalise(shown)
