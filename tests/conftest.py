"""Fixtures shared by several test folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from wheel_tools import build_wheel


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of this checkout, built once per run (tests/package, tests/notebook)."""
    return build_wheel(tmp_path_factory.mktemp("dist"))
