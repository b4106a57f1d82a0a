"""Coverage-guided fuzzing of the lexer and grammar with atheris (libFuzzer): bytes -> text ->
``nablab.parse`` (detected, and forced LaTeX), checked by ``fuzz_property.check``.

    python tests/fuzz/fuzz_atheris.py [--seconds N] [--merge]

The corpus lives in tests/data/fuzz_corpus/ and is replayed by the ordinary suite
(tests/fuzz/test_fuzz_replay.py). A run reads it as seeds and writes what it finds to a scratch
directory; ``--merge`` then keeps only the inputs that add coverage (libFuzzer's -merge=1,
which also deduplicates) back in the corpus, so it stays small. A finding (a crash) is saved as
``fuzz-crash-*`` in the working directory; add it to the corpus once its cause is fixed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["nablab.parse", "nablab.expression"]):
    import nablab.parse  # noqa: F401  instrumented for coverage

from fuzz_property import CORPUS, check_bytes


def one_input(data: bytes) -> None:
    """libFuzzer's entry point (the reading of bytes is shared with the corpus replay)."""
    check_bytes(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=120)
    ap.add_argument("--merge", action="store_true",
                    help="afterwards merge new coverage into tests/data/fuzz_corpus/")
    opts = ap.parse_args()
    CORPUS.mkdir(parents=True, exist_ok=True)
    before = len(list(CORPUS.iterdir()))
    with tempfile.TemporaryDirectory(prefix="nablab-fuzz-") as scratch:
        # libFuzzer exits the process when it is done, so each phase is a child process
        log = _libfuzzer([scratch, str(CORPUS), f"-max_total_time={opts.seconds}",
                          f"-max_len={MAX_LEN}", "-timeout=10", "-rss_limit_mb=4096",
                          "-print_final_stats=1", "-artifact_prefix=fuzz-"])
        if log.returncode != 0:
            # the property's own message (atheris prints the uncaught exception), not only
            # libFuzzer's tail, which names the input but not what was wrong with it
            start = log.stderr.find("=== Uncaught Python exception")
            sys.stderr.write(log.stderr[start:][:6000] if start >= 0 else log.stderr[-4000:])
            print(f"atheris: FINDING (exit {log.returncode}); the input is saved as fuzz-*")
            return 1
        if opts.merge:
            merged = _libfuzzer(["-merge=1", f"-max_len={MAX_LEN}", str(CORPUS), scratch])
            if merged.returncode != 0:
                sys.stderr.write(merged.stderr[-4000:])
                return 1
    print("atheris: " + _summary(log.stderr) + f"; corpus {before} files"
          + (f" -> {len(list(CORPUS.iterdir()))} after merge" if opts.merge else ""))
    return 0


MAX_LEN = 256


def _libfuzzer(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, __file__, "--libfuzzer", *args],
                          capture_output=True, text=True, env=os.environ)


def _summary(stderr: str) -> str:
    """The figures of libFuzzer's last status line (``#N DONE cov: … ft: … corp: …``) and its
    final stats."""
    status = [ln for ln in stderr.splitlines() if ln.startswith("#") and "cov:" in ln]
    stats = dict(ln.removeprefix("stat::").split(":", 1) for ln in stderr.splitlines()
                 if ln.startswith("stat::"))
    last = status[-1].split() if status else []
    fig = {k.rstrip(":"): v for k, v in zip(last[2::2], last[3::2], strict=False)}
    return (f"{stats.get('number_of_executed_units', '?').strip()} executions "
            f"({stats.get('average_exec_per_sec', '?').strip()}/s), coverage {fig.get('cov', '?')}"
            f" edges, {fig.get('ft', '?')} features, run corpus {fig.get('corp', '?')}, "
            f"0 findings")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--libfuzzer":
        # libFuzzer's merge re-runs argv[0] through the shell: make it this interpreter + script
        atheris.Setup([f"{sys.executable} {os.path.abspath(__file__)} --libfuzzer",
                       *sys.argv[2:]], one_input)
        atheris.Fuzz()
        sys.exit(0)
    sys.exit(main())
