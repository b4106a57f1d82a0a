"""The longer, by-hand Schemathesis run of the API contract (``./dev fuzz`` calls it).

Runs tests/web/test_contract.py — a real server, ``st run`` with all checks — with more
examples per operation and a longer time budget than the suite's bounded run:

    python bench/contract_fuzz.py [--examples 500] [--seconds 900] [--seed N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=500, help="max examples per operation")
    ap.add_argument("--seconds", type=int, default=900, help="time budget of the run")
    ap.add_argument("--seed", type=int, default=None, help="default: a fresh one each run")
    args = ap.parse_args()
    env = {**os.environ, "NABLAB_CONTRACT_EXAMPLES": str(args.examples),
           "NABLAB_CONTRACT_SECONDS": str(args.seconds)}
    if args.seed is not None:
        env["NABLAB_CONTRACT_SEED"] = str(args.seed)
    else:
        env["NABLAB_CONTRACT_SEED"] = str(int.from_bytes(os.urandom(3), "big"))
    print(f"seed {env['NABLAB_CONTRACT_SEED']}", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", str(ROOT / "tests/web/test_contract.py"),
                            "-x", "-q", "-s", "-p", "no:cacheprovider"], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
