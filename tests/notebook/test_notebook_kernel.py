"""Notebooks executed by nbclient in a real ipykernel: the example notebook, and the widget
driven through the kernel's comm channel the way a front end drives it."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "gradient.ipynb"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.slow


def stdout(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"
                   and o.name == "stdout")


def result_data(cell: Any) -> dict[str, Any]:
    results = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert len(results) == 1, cell.outputs
    return dict(results[0].data)


def test_example_notebook_is_stored_without_outputs():
    nb = nbformat.read(EXAMPLE, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert any("nablab.widget(" in c.source for c in code)


def test_example_notebook_runs_and_its_widget_updates(tmp_path):
    nb = nbformat.read(EXAMPLE, as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    # the gradient result displays typeset: MathML for the notebook, offline (no script or
    # link to load), with the plain text for terminals and the LaTeX next to it
    shown = result_data(code[0])
    html = shown["text/html"]
    assert "<math" in html and "<details" in html  # the partials typeset, the steps folded
    assert "<script" not in html and "src=" not in html and "<link" not in html
    assert "2·x·y + y·cos(x·y)" in shown["text/plain"]
    assert "text/latex" in shown
    printed = stdout(code[1])
    assert "∂f/∂x = 2·x·y + y·cos(x·y)" in printed and "∂f/∂y = x^2 + x·cos(x·y)" in printed
    assert "MISMATCH" not in printed and printed.count(" ok") == 2
    view = result_data(code[2])[WIDGET_MIME]
    assert view["model_id"]
    assert result_data(code[3])["text/plain"] == "['y^3', '3·x·y^2']"
    # x·y³ has no minimum: from (1, −1) with η = 0.01 the run stops early, with a new path
    assert re.fullmatch(r"new path of \d+ points\n", stdout(code[4]))
    assert stdout(code[5]).strip() == "None"


def comm_update(client: NotebookClient, model_id: str, state: dict[str, Any]) -> None:
    """What a front end sends when the user edits the widget: a comm ``update`` message."""
    msg = client.kc.session.msg("comm_msg", {
        "comm_id": model_id, "data": {"method": "update", "state": state, "buffer_paths": []}})
    client.kc.shell_channel.send(msg)


def test_widget_updates_from_front_end_messages_in_the_kernel(tmp_path):
    cells = [
        new_code_cell("import json, threading, time, nablab\n"
                      "from nablab.render.json import to_json\n"
                      'w = nablab.widget("x^2 y + sin(xy)", at={"x": 1, "y": 2}, time_limit=1.0)\n'
                      "threads = []\n"
                      "w.observe(lambda c: threads.append(threading.current_thread() is "
                      'threading.main_thread()), names="computed")\n'
                      "print(w.model_id)"),
        new_code_cell('print(json.dumps({"function": w.function, "at": w.at, '
                      '"echo": [p["echo"] for p in w.result["partials"]], '
                      '"same": w.result == to_json(nablab.gradient(w.function, at=w.at, steps=True)), '
                      '"main_thread": threads, "path": len(w.path), "eta": w.eta}))'),
        new_code_cell('print(json.dumps({"error": w.error, "input": w.result["input"], '
                      '"elapsed_ms": w.elapsed_ms}))'),
        new_code_cell('w.function = "x - y"\n'
                      'print(json.dumps({"error": w.error, "echo": [p["echo"] for p in w.result["partials"]]}))'),
    ]
    nb = new_notebook(cells=cells)
    client = NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel():
        client.execute_cell(cells[0], 0)
        model_id = stdout(cells[0]).strip()
        assert model_id
        # the user types a function and moves η: the kernel recomputes before the next cell
        comm_update(client, model_id, {"function": "x^3 y"})
        comm_update(client, model_id, {"eta": 0.01, "result": {"forged": True}})
        client.execute_cell(cells[1], 1)
        state = json.loads(stdout(cells[1]))
        assert state["function"] == "x^3 y" and state["echo"] == ["3·x^2·y", "x^3"]
        assert state["same"] is True and state["eta"] == 0.01 and state["path"] == 101
        # Jupyter delivers widget messages in the main thread: the SIGALRM time limit holds there
        assert state["main_thread"] and all(state["main_thread"])
        # a runaway function typed in the widget: stopped at the limit, the kernel answers again
        began = time.perf_counter()
        comm_update(client, model_id, {"function": "(sin(x)+cos(y))^25/(1+x^2 y^2)^7"})
        client.execute_cell(cells[2], 2)
        waited = time.perf_counter() - began
        after = json.loads(stdout(cells[2]))
        assert after["error"] is not None and "longer than 1 s" in after["error"]["message"]
        assert after["input"] == "x^3 y"  # the last good result stays
        assert after["elapsed_ms"] < 1500 and waited < 5
        client.execute_cell(cells[3], 3)
        assert json.loads(stdout(cells[3])) == {"error": None, "echo": ["1", "-1"]}
