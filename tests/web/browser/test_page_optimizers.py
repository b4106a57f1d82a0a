"""Several optimizers on the page, and the computational graph at the point.

The descent runs are checked against /api/descent's own answer for the same request (the page
draws what the server computed) and against numbers worked out here: η = 0.15 > 2/λmax = 0.1 on
x² + 10y² diverges, the valley's Hessian eigenvalues 2 and 20 give the advice. The graph's
adjoints are checked against ∇f of the chapter's example written out by hand."""

from __future__ import annotations

import math

import httpx
import pytest
from page_helpers import contour_trace, fill_function, plot_data, wait_for_partials, wait_ready

pytestmark = pytest.mark.browser

VALLEY_START = "x=-2.5, y=1.5"


def choose_valley(page) -> None:
    page.select_option("#preset", "valley")
    page.wait_for_function("() => document.querySelector(\"#partials li[data-var='y']\")?.dataset.text === '20*y'")
    wait_for_partials(page)
    wait_ready(page)
    page.fill("#speed", "60")
    page.dispatch_event("#speed", "input")


def set_number(page, box: str, value: str) -> None:
    page.fill(box, value)
    page.dispatch_event(box, "change")


def run_and_wait(page) -> None:
    """Run, then wait until playback has reached the end of every run (the outcome box)."""
    page.click("#descent-run")
    page.wait_for_selector("#descent-explain:not([hidden])", timeout=120_000)


def api_runs(base_url: str, body: dict) -> list[dict]:
    r = httpx.post(base_url + "/api/descent", json=body, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["runs"]


def run_valley(app, eta: float, iterations: int, methods: list[str]) -> list[dict]:
    """On x² + 10y² from the preset's start: gd and ``methods`` at η, played to the end; the
    runs /api/descent answers for the same request."""
    page = app.page
    choose_valley(page)
    set_number(page, "#eta", str(eta))
    set_number(page, "#iterations", str(iterations))
    for m in methods:
        page.check(f"#m-{m}")
    assert page.is_checked("#m-gd")
    run_and_wait(page)
    return api_runs(app.base_url, {"text": "x^2 + 10 y^2", "start": VALLEY_START, "rate": eta,
                                   "iterations": iterations, "method": ["gd", *methods]})


def test_gd_momentum_and_adam_draw_three_paths_and_f_on_a_log_scale(app):
    page = app.page
    runs = run_valley(app, 0.05, 30, ["momentum", "adam"])
    paths = {label: contour_trace(page, f"descent path ({label})") for label in ("gd", "momentum", "Adam")}
    assert all(paths.values()), [t["name"] for t in plot_data(page, "#contour")]
    for label, run in zip(("gd", "momentum", "Adam"), runs, strict=True):
        assert paths[label]["x"] == pytest.approx([p[0] for p in run["path"]], abs=1e-12)
        assert paths[label]["y"] == pytest.approx([p[1] for p in run["path"]], abs=1e-12)
    # three colours, and a legend entry per path
    colors = page.evaluate("""() => document.querySelector('#contour').data
        .filter(t => t.name.startsWith('descent path')).map(t => [t.line.color, t.showlegend !== false])""")
    assert len({c for c, _ in colors}) == 3 and all(shown for _, shown in colors)
    # f per step on a log axis, each run's f as the server computed it
    page.locator("#descent-plot").scroll_into_view_if_needed()
    page.wait_for_function("() => (document.querySelector('#descent-plot').data || []).length === 6")
    chart = page.evaluate("""() => { const gd = document.querySelector('#descent-plot');
        return {type: gd.layout.yaxis.type, title: gd.layout.yaxis.title.text,
                f: Object.fromEntries(gd.data.filter(t => t.name.startsWith('f ')).map(t => [t.name, Array.from(t.y)]))}; }""")
    assert chart["type"] == "log" and chart["title"] == "f (log scale)"
    for label, run in zip(("gd", "momentum", "Adam"), runs, strict=True):
        assert chart["f"][f"f ({label})"] == pytest.approx(run["values"], rel=1e-12)
    # each run's stop reason, at its step; the advice from the eigenvalues 2 and 20
    rows = page.locator("#descent-runs tbody tr")
    assert rows.count() == 3
    for i, run in enumerate(runs):
        assert rows.nth(i).get_attribute("data-status") == run["status"] == "limit"
        assert rows.nth(i).get_attribute("data-step") == str(run["stopped_at"]) == "30"
    facts = page.locator("#descent-advice .advice-facts")
    assert facts.count() == 1  # a quadratic: the same advice for every run, said once
    assert float(facts.get_attribute("data-stable")) == pytest.approx(2 / 20)
    kappa = 20 / 2
    assert float(facts.get_attribute("data-momentum")) == pytest.approx(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2)
    assert "largest stable η for gd: 2/λmax = 0.1" in facts.inner_text()
    # the spread of |∂f/∂x|, |∂f/∂y| at the start (-2.5, 1.5): 5 and 30
    start = page.inner_text("#descent-sensitivity .sensitivity-start")
    assert "|∂f/∂x| = 5" in start and "|∂f/∂y| = 30" in start and "spread (largest / smallest) 6" in start
    app.assert_clean()


def test_a_diverging_rate_says_so_with_the_step(app):
    page = app.page
    runs = run_valley(app, 0.15, 60, ["momentum"])
    gd = runs[0]
    assert gd["status"] == "diverged"
    k = gd["stopped_at"]
    outcome = page.locator("#descent-explain .run-outcome[data-method='gd']")
    assert outcome.get_attribute("data-status") == "diverged"
    text = outcome.inner_text()
    assert f"diverged at step {k}" in text
    assert gd["reason"] in text  # the server's explanation, with its step, follows the title
    row = page.locator("#descent-runs tbody tr[data-method='gd']")
    assert row.get_attribute("data-status") == "diverged" and row.get_attribute("data-step") == str(k)
    assert f"diverged at step {k}" in row.inner_text()
    app.assert_clean()


def test_armijo_for_gd_shows_the_accepted_step_and_the_trials_of_each_iteration(app):
    page = app.page
    choose_valley(page)
    set_number(page, "#eta", "0.5")
    set_number(page, "#iterations", "20")
    page.select_option("#ls-gd", "armijo")
    page.click("#descent-run")
    page.wait_for_function("() => Number(document.querySelector('#descent-card').dataset.step) >= 0"
                           " && document.querySelector('#descent-runs tbody tr')")
    page.click("#descent-pause")
    page.click("#descent-reset")
    page.click("#descent-step")
    page.wait_for_function("() => document.querySelector('#descent-card').dataset.step === '1'")
    run = httpx.post(app.base_url + "/api/descent", json={
        "text": "x^2 + 10 y^2", "start": VALLEY_START, "rate": 0.5, "iterations": 20,
        "method": ["gd"], "line_search": {"gd": "armijo"}}, timeout=60).json()["runs"][0]
    assert run["line_search"] == "armijo" and run["trials"][0] > 1
    summary = page.inner_text("#descent-summary")
    alpha = run["step_sizes"][0]
    assert f"accepted step α = {alpha:g} after {run['trials'][0]} trial steps" in summary
    assert "Armijo backtracking" in page.inner_text("#descent-runs tbody tr")
    app.assert_clean()


def test_a_momentum_of_one_is_refused_with_the_valid_range(app):
    page = app.page
    choose_valley(page)
    page.check("#m-momentum")
    page.fill("#opt-beta", "1")
    page.click("#descent-run")
    page.wait_for_selector("#descent-status.error")
    status = page.inner_text("#descent-status")
    assert "β (beta) = 1 is out of range for momentum: it must be in [0, 1)" in status
    assert "the usual value is 0.9" in status
    app.assert_clean()


def test_newton_alone_needs_no_rate_and_lands_on_the_minimum(app):
    page = app.page
    choose_valley(page)
    page.uncheck("#m-gd")
    page.check("#m-newton")
    assert page.is_disabled("#opt-beta") and not page.is_disabled("#opt-alpha")
    run_and_wait(page)
    assert "Converged after 1 step." in page.inner_text("#descent-explain")
    path = contour_trace(page, "descent path")
    assert path["x"] == pytest.approx([-2.5, 0.0], abs=1e-12)
    assert path["y"] == pytest.approx([1.5, 0.0], abs=1e-12)
    app.assert_clean()


def graph_states(page) -> dict[int, str]:
    return page.evaluate("""() => Object.fromEntries(Array.from(document.querySelectorAll('#graph-drawing .node'))
        .map(n => [n.dataset.id, n.dataset.state]))""")


def test_the_graph_at_the_point_shows_its_nodes_and_the_backward_steps_highlight_them(app):
    page = app.page
    # the chapter's example at x=1, y=2 (the page opens with it)
    page.wait_for_selector("#graph-drawing .node")
    graph = httpx.post(app.base_url + "/api/gradient", json={"text": "x^2 y + sin(xy)", "at": "x=1, y=2",
                                                            "graph": True}, timeout=60).json()["graph"]
    assert page.locator("#graph-drawing .node").count() == len(graph["nodes"])
    assert page.locator("#graph-table tbody tr").count() == len(graph["nodes"])
    assert set(graph_states(page).values()) == {"pending"}
    order = graph["backward"]
    for k in (1, 2, 3):
        page.click("#graph-step")
        page.wait_for_function("(k) => document.querySelector('#graph-card').dataset.step === String(k)", arg=k)
        states = graph_states(page)
        assert states[str(order[k - 1])] == "current"
        assert sorted(int(i) for i, s in states.items() if s == "visited") == sorted(order[:k - 1])
        assert sum(s == "pending" for s in states.values()) == len(graph["nodes"]) - k
        # the current node's edges to its inputs are drawn as active
        inputs = graph["nodes"][order[k - 1]]["inputs"]
        active = page.evaluate("() => Array.from(document.querySelectorAll('#graph-drawing .edge.active')).map(e => Number(e.dataset.from))")
        assert sorted(active) == sorted(inputs)
        assert page.locator(f"#graph-table tr[data-id='{order[k - 1]}']").get_attribute("data-state") == "current"
    page.click("#graph-all")
    page.wait_for_function("(k) => document.querySelector('#graph-card').dataset.step === String(k)", arg=len(order))
    # ∂f/∂x = 2xy + y cos(xy), ∂f/∂y = x² + x cos(xy) at (1, 2): the variables' adjoints
    want = {"x": 4 + 2 * math.cos(2), "y": 1 + math.cos(2)}
    for name, value in want.items():
        node = next(n for n in graph["nodes"] if n.get("name") == name)
        cell = page.inner_text(f"#graph-table tr[data-id='{node['id']}'] td.adjoint")
        assert float(cell) == pytest.approx(value, rel=1e-4)
        svg_text = page.text_content(f"#graph-drawing .node[data-id='{node['id']}'] .adjoint")
        assert float(svg_text.replace("v̄ =", "").strip()) == pytest.approx(value, rel=1e-4)
    assert "Done: the variables' adjoints are ∇f" in page.inner_text("#graph-summary")
    # the rules are the step tree's names
    rules = set(page.evaluate("() => Array.from(document.querySelectorAll('#graph-drawing .node')).map(n => n.dataset.rule)"))
    assert {"sum", "product", "power", "sin", "variable"} <= rules
    app.assert_clean()


def test_a_shared_subexpression_is_one_node_read_twice(app):
    page = app.page
    page.wait_for_selector("#graph-drawing .node")
    fill_function(page, "sin(x y) + exp(x y)")
    page.wait_for_function("() => Array.from(document.querySelectorAll('#graph-drawing .node'))"
                           ".some(n => n.dataset.op === 'exp')")
    shared = page.evaluate("""() => Array.from(document.querySelectorAll('#graph-drawing .node'))
        .filter(n => n.querySelector('title').textContent.includes(' x*y:')).map(n => n.dataset.id)""")
    assert len(shared) == 1
    readers = page.locator(f"#graph-drawing .edge[data-from='{shared[0]}']").count()
    assert readers == 2
    assert "Shared subexpressions" in page.inner_text("#graph-summary")
    app.assert_clean()
