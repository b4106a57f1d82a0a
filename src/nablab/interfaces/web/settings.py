"""What the server can be configured with (the CLI's ``serve`` options fill it)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nablab.interfaces.web.assets import PACKAGE_VENDOR_DIR, STATIC_DIR, find_node_modules
from nablab.interfaces.web.pool import TASKS_MODULE


@dataclass
class Settings:
    """Everything the server can be configured with."""

    workers: int = 2
    time_limit: float = 10.0
    memory_mb: int | None = 1024
    queue_limit: int = 64
    slow_after: float = 0.3
    max_demoted: int | None = None
    spares: int = 2
    cache_entries: int = 2048
    cache_bytes: int = 32 * 1024 * 1024  # keys and bodies; the server's memory grows by it
    max_body: int = 64 * 1024
    static_dir: Path = STATIC_DIR
    node_modules: Path = field(default_factory=find_node_modules)
    package_vendor: Path = PACKAGE_VENDOR_DIR
    require_vendor: bool = True
    embed_ancestors: str = "*"
    tasks_module: str = TASKS_MODULE


def settings_from_env(**overrides: object) -> Settings:
    """Settings with ``NABLAB_NODE_MODULES`` honoured (interfaces may read the environment)."""
    settings = Settings(**overrides)  # type: ignore[arg-type]
    env = os.environ.get("NABLAB_NODE_MODULES")
    if env:
        settings.node_modules = Path(env)
    return settings
