"""Check-my-answer and linear regression on the page, against independent references
(numpy's least squares for θ): with gradient descent and with the other optimizers chosen on the
card (their θ, their parameters named, the server's loss curve, their errors)."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from page_helpers import check_answer, open_page, plot_data, wait_ready

from nablab.optimize.regression import REGRESSION_METHODS

pytestmark = pytest.mark.browser

X = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
Y = 1.5 + 0.75 * X + np.array([0.1, -0.2, 0.05, 0.0, 0.15, -0.1, 0.2, -0.05])


def numbers(text: str) -> list[float]:
    return [float(v) for v in text.strip("() ").split(",")]


def test_check_my_answer_accepts_another_form_and_explains_a_wrong_sign(app):
    page = app.page
    assert "Correct" in check_answer(page, "y(2x + cos(xy))", "x")
    assert page.locator("#check-result.ok").count() == 1
    text = check_answer(page, "2xy - y cos(xy)")
    assert page.locator("#check-result.error").count() == 1
    assert "Not equal" in text and "sign" in text
    app.assert_clean()


def test_regression_fits_the_data_and_matches_least_squares(app):
    page = app.page
    card = page.locator("#regression-card")
    card.scroll_into_view_if_needed()
    page.fill("#reg-eta", "0.1")
    page.fill("#reg-epochs", "3000")
    page.check("#reg-scale")
    csv = "x,y\n" + "\n".join(f"{x},{y:.6f}" for x, y in zip(X, Y, strict=True))
    page.fill("#reg-data", csv)
    page.dispatch_event("#reg-data", "change")
    want = np.linalg.lstsq(np.column_stack([np.ones_like(X), X]), np.round(Y, 6), rcond=None)[0]
    page.wait_for_function(
        """(w) => { const td = document.querySelector("#reg-table td[data-key='theta']");
                    if (!td) return false;
                    const v = td.textContent.replace(/[()]/g, '').split(',').map(Number);
                    return Math.abs(v[1] - w) < 1e-2; }""", arg=float(want[1]))
    closed = numbers(page.inner_text("#reg-table td[data-key='closed_form']"))
    theta = numbers(page.inner_text("#reg-table td[data-key='theta']"))
    assert closed == pytest.approx(want, rel=1e-5)
    assert theta == pytest.approx(want, rel=1e-4)
    # the chapter's two partials, typeset
    tex = page.locator("#reg-partials annotation[encoding='application/x-tex']").all_text_contents()
    assert len(tex) == 2
    assert "\\theta_{0}" in tex[0] and "\\theta_{1}" in tex[1]
    assert all("\\sum" in t and "\\hat{y}" in t for t in tex)  # written as in the chapter
    # the pictures: fit, J contours with the path ending at the optimum, loss curve
    page.wait_for_selector("#reg-contour .main-svg")
    page.wait_for_selector("#reg-loss .main-svg")
    fit_line = page.evaluate("document.querySelector('#reg-fit').data.find(t => t.name === 'fit by descent')")
    slope = (fit_line["y"][1] - fit_line["y"][0]) / (fit_line["x"][1] - fit_line["x"][0])
    assert slope == pytest.approx(want[1], rel=1e-3)

    # drag the first point up by two units: the data and the fit follow
    page.wait_for_selector("#reg-fit .main-svg")
    page.locator("#reg-fit").scroll_into_view_if_needed()
    start = page.evaluate("""() => { const gd = document.querySelector('#reg-fit');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
        const px = (x, y) => [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)];
        return {from: px(gd.data[0].x[0], gd.data[0].y[0]),
                to: px(gd.data[0].x[0], gd.data[0].y[0] + 2)}; }""")
    page.mouse.move(*start["from"])
    page.mouse.down()
    page.mouse.move(*start["to"], steps=5)
    # while the point is held, the least-squares line already follows it
    held = page.evaluate("""() => { const d = document.querySelector('#reg-fit').data;
        const ls = d.find(t => t.name === 'least squares');
        return {x: d[0].x, y: d[0].y, lx: ls.x, ly: ls.y}; }""")
    live = np.polyfit(np.array(held["x"]), np.array(held["y"]), 1)
    assert held["y"][0] == pytest.approx(Y[0] + 2, abs=0.15)
    assert (held["ly"][1] - held["ly"][0]) / (held["lx"][1] - held["lx"][0]) == pytest.approx(live[0], rel=1e-6)
    page.mouse.up()
    page.wait_for_function(
        "(y0) => { const l = document.querySelector('#reg-data').value.split('\\n')[1]; return Math.abs(Number(l.split(',')[1]) - y0) > 1.5; }",
        arg=float(Y[0]))
    first = page.input_value("#reg-data").splitlines()[1].split(",")
    assert float(first[0]) == pytest.approx(X[0], abs=0.1)
    assert float(first[1]) == pytest.approx(Y[0] + 2, abs=0.15)
    # J's contours: a square window with equal scales, however unequal θ0 and θ1 are
    contour = page.evaluate("document.querySelector('#reg-contour').data.find(t => t.type === 'contour')")
    assert contour["x"][-1] - contour["x"][0] == pytest.approx(contour["y"][-1] - contour["y"][0], rel=1e-9)
    app.assert_clean()


def test_regression_defaults_converge_and_turning_scaling_off_shows_its_effect(app):
    page = app.page
    page.locator("#regression-card").scroll_into_view_if_needed()
    # defaults: η left to the server (1/L) and x standardised
    assert page.input_value("#reg-eta") == ""
    assert page.is_checked("#reg-scale")
    page.wait_for_function("() => document.querySelector('#reg-status').textContent.includes('With feature scaling')")
    rows = [line.split(",") for line in page.input_value("#reg-data").splitlines()[1:]]
    x, y = np.array([[float(a), float(b)] for a, b in rows]).T
    want = np.linalg.lstsq(np.column_stack([np.ones_like(x), x]), y, rcond=None)[0]
    assert numbers(page.inner_text("#reg-table td[data-key='theta']")) == pytest.approx(want, rel=1e-6)
    assert "(converged)" in page.inner_text("#reg-table td[data-key='iterations']")
    # 1/L for standardised x: J's Hessian is 2·I, so η = 0.5
    assert numbers(page.inner_text("#reg-table td[data-key='rate']").split("(")[0])[0] == pytest.approx(0.5)
    status = page.inner_text("#reg-status")
    assert "gradient descent converged in" in status and "—" not in status
    # the unscaled condition number, computed here: J's Hessian ∝ [[1, E x], [E x, E x²]]
    eig = np.linalg.eigvalsh(np.array([[1, x.mean()], [x.mean(), (x**2).mean()]]))
    kappa = eig[-1] / eig[0]
    assert kappa > 50  # the generated data make the unscaled problem ill-conditioned

    page.uncheck("#reg-scale")
    page.wait_for_function("() => document.querySelector('#reg-status').textContent.includes('Without feature scaling')")
    status = page.inner_text("#reg-status")
    assert "did not converge within 500 epochs" in status
    assert "With it, the same rule converged in" in status
    shown = float(status.split("condition number is ")[1].split(" ")[0])
    assert shown == pytest.approx(kappa, rel=5e-3)
    theta = numbers(page.inner_text("#reg-table td[data-key='theta']"))
    assert theta != pytest.approx(want, rel=1e-3)  # 500 epochs are not enough without scaling
    # the server's path (θ per epoch) is drawn: start, 500 updates (plots are drawn once in view)
    page.locator("#reg-contour").scroll_into_view_if_needed()
    page.wait_for_function("""() => { const t = (document.querySelector('#reg-contour').data || [])
                                        .find(t => t.name === 'descent path'); return t && t.x.length === 501; }""")
    page.check("#reg-scale")
    page.wait_for_function("() => document.querySelector('#reg-status').textContent.includes('With feature scaling')")
    app.assert_clean()


# -- the optimizer on the regression card ------------------------------------------------------
def regression_body(**optimizer) -> dict:
    csv = "x,y\n" + "\n".join(f"{x},{y:.6f}" for x, y in zip(X, Y, strict=True))
    return {"data": csv, "x": "x", "y": "y", "scale": True, "compare_scaling": True, **optimizer}


def least_squares() -> np.ndarray:
    return np.linalg.lstsq(np.column_stack([np.ones_like(X), X]), np.round(Y, 6), rcond=None)[0]


def set_box(page, box: str, value: str) -> None:
    page.fill(box, value)
    page.dispatch_event(box, "change")


def fit_with(page, method: str, eta: str, epochs: str, **boxes: str) -> None:
    """The card's data set to X, Y (scaled), then the method, η, epochs and the other boxes
    (``opt_beta="0.5"`` is the β box, ``batch``, ``seed``)."""
    page.locator("#regression-card").scroll_into_view_if_needed()
    page.check("#reg-scale")
    page.fill("#reg-eta", eta)
    page.fill("#reg-epochs", epochs)
    page.fill("#reg-data", regression_body()["data"])
    page.dispatch_event("#reg-data", "change")
    page.select_option("#reg-method", method)
    for name, value in boxes.items():
        set_box(page, f"#reg-{name.replace('_', '-')}", value)


def wait_for_row(page, key: str, text: str) -> None:
    page.wait_for_function("([k, t]) => document.querySelector(`#reg-table td[data-key='${k}']`)"
                           "?.textContent.includes(t)", arg=[key, text])


def test_the_method_select_offers_the_descent_cards_methods_but_newton(app):
    page = app.page
    options = page.evaluate("() => Array.from(document.querySelectorAll('#reg-method option'))"
                            ".map(o => [o.value, o.textContent])")
    assert [v for v, _ in options] == list(REGRESSION_METHODS)
    for value, text in options:  # the same words as the descent card's checkbox
        assert page.inner_text(f"#methods .method[data-method='{value}'] label.check").strip() == text
    # each method's parameter boxes: the descent card's symbols and usual values
    for method, boxes in {"gd": [], "momentum": [("β", "0.9")], "nesterov": [("μ", "0.9")],
                          "adagrad": [("ε", "1e-8")], "rmsprop": [("ρ", "0.9"), ("ε", "1e-8")],
                          "adam": [("β1", "0.9"), ("β2", "0.999"), ("ε", "1e-8")]}.items():
        page.select_option("#reg-method", method)
        shown = page.evaluate("() => Array.from(document.querySelectorAll('#reg-opts input.opt'))"
                              ".map(i => [document.querySelector(`label[for='${i.id}']`).textContent, i.placeholder])")
        assert [tuple(b) for b in shown] == boxes, method
    # shuffling is for mini-batches, a seed for shuffling
    assert page.is_disabled("#reg-shuffle") and page.is_disabled("#reg-seed")
    set_box(page, "#reg-batch", "4")
    assert page.is_enabled("#reg-shuffle") and page.is_disabled("#reg-seed")
    page.check("#reg-shuffle")
    assert page.is_enabled("#reg-seed")
    app.assert_clean()


def test_momentum_on_the_card_is_named_and_reaches_least_squares(app):
    page = app.page
    want = least_squares()
    fit_with(page, "momentum", "0.1", "3000", opt_beta="0.5")
    wait_for_row(page, "method", "momentum (heavy ball): β = 0.5")
    page.wait_for_function(
        """(w) => { const td = document.querySelector("#reg-table td[data-key='theta']");
                    const v = td.textContent.replace(/[()]/g, '').split(',').map(Number);
                    return Math.abs(v[0] - w[0]) < 1e-4 && Math.abs(v[1] - w[1]) < 1e-4; }""",
        arg=want.tolist())
    assert numbers(page.inner_text("#reg-table td[data-key='theta']")) == pytest.approx(want, rel=1e-5)
    assert numbers(page.inner_text("#reg-table td[data-key='closed_form']")) == pytest.approx(want, rel=1e-5)
    assert page.inner_text("#reg-table tr:has(td[data-key='theta']) th") == "θ by momentum (server)"
    assert "With feature scaling, momentum converged in" in page.inner_text("#reg-status")
    # the loss curve and the path are the server's run for the same request
    run = httpx.post(app.base_url + "/api/regress", timeout=60, json=regression_body(
        method="momentum", opt={"beta": 0.5}, rate=0.1, epochs=3000)).json()
    assert run["converged"] and run["hyper"] == {"beta": 0.5}
    page.locator("#reg-loss").scroll_into_view_if_needed()
    page.wait_for_function("(n) => (document.querySelector('#reg-loss').data || [])[0]?.y.length === n",
                           arg=len(run["losses"]))
    assert plot_data(page, "#reg-loss")[0]["y"] == pytest.approx(run["losses"], rel=1e-12)
    # the permalink keeps the optimizer (written shortly after each change)
    page.wait_for_function("() => location.hash.includes('rm=momentum') && location.hash.includes('ropt=beta%3D0.5')")
    app.assert_clean()


def test_adam_on_shuffled_mini_batches_with_a_seed_is_the_servers_reproducible_run(app):
    page = app.page
    fit_with(page, "adam", "0.05", "400", batch="4")
    page.check("#reg-shuffle")
    set_box(page, "#reg-seed", "3")
    wait_for_row(page, "batch", "4 rows per batch (sgd), shuffled every epoch (seed 3)")
    wait_for_row(page, "method", "Adam: β1 = 0.9, β2 = 0.999, ε = 1.0e-8")
    run = httpx.post(app.base_url + "/api/regress", timeout=60, json=regression_body(
        method="adam", rate=0.05, epochs=400, batch=4, shuffle=True, seed=3)).json()
    theta = numbers(page.inner_text("#reg-table td[data-key='theta']"))
    assert theta == pytest.approx(run["theta"], rel=1e-5)  # the same shuffles: the same θ
    assert theta == pytest.approx(least_squares(), abs=0.1)
    assert page.inner_text("#reg-table tr:has(td[data-key='theta']) th") == "θ by Adam (server)"
    app.assert_clean()


def test_a_momentum_of_one_on_the_card_is_refused_with_the_valid_range(app):
    page = app.page
    fit_with(page, "momentum", "0.1", "100", opt_beta="1")
    page.wait_for_function("() => document.querySelector('#reg-status.error')"
                           "?.textContent.includes('out of range')")
    status = page.inner_text("#reg-status")
    assert "The server could not fit: β (beta) = 1 is out of range for momentum: it must be in [0, 1)" in status
    assert "the usual value is 0.9" in status
    # no replayed gd θ is passed off as momentum's; the least-squares θ is still shown
    assert page.locator("#reg-table td[data-key='theta']").count() == 0
    assert numbers(page.inner_text("#reg-table td[data-key='closed_form']")) == pytest.approx(least_squares(), rel=1e-5)
    app.assert_clean()


def test_a_permalink_restores_the_optimizer(context, base_url):
    rec = open_page(context, base_url, "/#rm=adam&ropt=beta1%3D0.8&rb=4&rsh=1&rseed=3&reta=0.05&ep=50")
    page = rec.page
    try:
        wait_ready(page)
        assert page.input_value("#reg-method") == "adam"
        assert page.input_value("#reg-opt-beta1") == "0.8" and page.input_value("#reg-opt-beta2") == ""
        assert page.input_value("#reg-batch") == "4" and page.is_checked("#reg-shuffle")
        assert page.input_value("#reg-seed") == "3"
        wait_for_row(page, "method", "Adam: β1 = 0.8")
        wait_for_row(page, "batch", "shuffled every epoch (seed 3)")
        rec.assert_clean()
    finally:
        page.close()
