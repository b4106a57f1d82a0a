"""The wheel built from this checkout and fresh venvs to install it in, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def uv() -> str:
    local = Path(sys.executable).with_name("uv")
    found = str(local) if local.is_file() else shutil.which("uv")
    assert found, "uv is needed to build and install the wheel (./dev setup installs it)"
    return found


def run(*cmd: str, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """A command with none of this run's venv or NABLAB_ settings (as a user's shell would)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "NABLAB_"))}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def build_wheel(dist: Path) -> Path:
    """``uv build --wheel`` of this checkout into ``dist`` (what ``pip install nablab`` gets)."""
    built = run(uv(), "build", "--wheel", "-o", str(dist), str(ROOT))
    assert built.returncode == 0, built.stderr[-2000:]
    (found,) = dist.glob("nablab-*.whl")
    return found


def fresh_venv(where: Path, *requirements: str) -> Path:
    """A new venv at ``where`` with ``requirements`` installed at the versions of
    requirements.lock; returns its python."""
    assert run(uv(), "venv", "-q", "--python", sys.executable, str(where)).returncode == 0
    py = where / "bin" / "python"
    done = run(uv(), "pip", "install", "-q", "--python", str(py),
               "-c", str(ROOT / "requirements.lock"), *requirements)
    assert done.returncode == 0, done.stderr[-2000:]
    return py
