"""The published API contract holds under Schemathesis: every generated request (valid and
invalid by /openapi.json) gets a documented status, content type and headers, a body that
matches the documented model (answers and errors), 405 with ``Allow``, never a 5xx.

A real server (uvicorn on a free loopback port, started and stopped here) and the ``st run``
CLI with all checks, a fixed seed and bounded examples and time. Longer by-hand runs:
``python bench/contract_fuzz.py`` (or set ``NABLAB_CONTRACT_EXAMPLES`` / ``_SECONDS``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from live_servers import start_server

HERE = Path(__file__).resolve().parent
ST = Path(sys.executable).with_name("st")
EXAMPLES = int(os.environ.get("NABLAB_CONTRACT_EXAMPLES", "25"))
SECONDS = int(os.environ.get("NABLAB_CONTRACT_SECONDS", "150"))
SEED = int(os.environ.get("NABLAB_CONTRACT_SEED", "20260"))


def run_schemathesis(url: str, examples: int, seconds: int, seed: int, cwd: Path,
                     workers: int = 2) -> subprocess.CompletedProcess:
    """``st run`` with all checks; it runs in ``cwd`` (it keeps a cache there)."""
    cmd = [str(ST), "--config-file", str(HERE / "schemathesis.toml"), "run",
           f"{url}/openapi.json", "--checks", "all", "--seed", str(seed),
           "--max-examples", str(examples), "--max-time", str(seconds),
           "--workers", str(workers), "--generation-database", "none",
           "--request-timeout", "30", "--no-color", "--suppress-health-check", "too_slow"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120,
                          check=False, cwd=cwd)


def test_schemathesis_finds_no_failure(tmp_path):
    server = start_server(workers=2, time_limit=3.0)
    try:
        run = run_schemathesis(server.url, EXAMPLES, SECONDS, SEED, tmp_path)
    finally:
        server.stop()
    out = run.stdout + run.stderr
    summary = [line for line in out.splitlines()
               if re.search(r"(test cases|passed|failed|generated|Operations|seconds)", line)]
    print("\n".join(summary))
    assert run.returncode == 0, out[-12000:]
    assert "No issues found" in out or " 0 failed" in out or "failed" not in out, out[-6000:]
    # it really ran: every operation was tested, with many generated cases
    assert re.search(r"\b8 (tested|selected)", out) or "8 operations" in out.lower() or \
        re.search(r"Operations:\s+8", out), out[-4000:]
