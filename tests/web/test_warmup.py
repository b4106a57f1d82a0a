"""Workers start warm: after the tasks module's warm-up (which runs in the forkserver, before any
worker forks), ordinary requests import nothing more. A lazy import inside SymPy (``simplify``
imports ``sympy.physics.units`` on first use, ~0.2 s) would otherwise land on a user's request
in every new worker."""

from __future__ import annotations

import json
import subprocess
import sys

ORDINARY = ["x^2 y + sin(xy)", "log(x^2 + y^2 + 1)", "sqrt(x^2 + y^2 + 1)", "atan(y / (x^2 + 1))",
            "sigmoid(x + 2 y)", "abs(x) + max(0, y)", "(1 - x)^2 + 100 (y - x^2)^2",
            "x exp(y) + y exp(x)", "tanh(x y) + x"]

SCRIPT = """
import json, sys
import nablab.interfaces.web.tasks as tasks
before = set(sys.modules)
for text in json.loads(sys.argv[1]):
    for task, payload in (("gradient", {"text": text, "at": {"x": 0.5, "y": 1.25}}),
                          ("gradient", {"text": text, "steps": True}),
                          ("plot", {"text": text, "n": 9, "arrows": 3}),
                          ("check", {"text": text, "var": "x", "answer": "1"})):
        status, _ = tasks.run(task, payload)
        assert status in (200, 422), (task, text, status)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_ordinary_requests_import_nothing_after_the_warm_up():
    out = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(ORDINARY)],
                         capture_output=True, text=True, timeout=300, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
