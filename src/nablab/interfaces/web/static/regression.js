// Linear regression, the chapter's opening: data (generated, uploaded CSV or dragged), the fit,
// contours of J(θ0, θ1) with the descent path and the closed-form optimum, the two partials as
// the chapter writes them, the loss curve, the feature-scaling switch, and the optimizer: the
// methods of the descent card but Newton's (the same labels and parameter boxes, from
// optimizers.js), mini-batches, shuffling and its seed.
//
// The symbolic partials, the reported θ / least-squares θ and the path come from /api/regress.
// For full-batch gradient descent the path on the J contours is first replayed here with the
// same update θ ← θ − η∇J (a few multiply-adds per point), so that dragging a point redraws at
// once without a server round trip; the other methods and mini-batches are drawn from the
// server's answer only (the page does not re-implement them).

import { post } from "./api.js";
import { $, clear, debounce, el, fmt, setStatus, whenVisible } from "./dom.js";
import { partialTex, renderTex, texNode } from "./math.js";
import { hyperText, METHODS, methodSelect, parameterBox, parametersText, parseParameters, readParameters, writeParameters } from "./optimizers.js";
import { eventToData, pixelDistance } from "./plotcoords.js";
import { OKABE_ITO, plotColors, PLOT_CONFIG } from "./theme.js";
import { loadPlotly } from "./vendor.js";

const CHAPTER_PARTIALS = "\\frac{\\partial J}{\\partial \\theta_0} = -\\frac{2}{N} \\sum_n (y_n-\\hat{y}_n), \\qquad "
  + "\\frac{\\partial J}{\\partial \\theta_1} = -\\frac{2}{N} \\sum_n x_n\\,(y_n-\\hat{y}_n)";

let points = [];
let fit = null;
let hooks = {};

/** Deterministic noise so a permalink reproduces generated data. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generate(n, noise, seed = 7) {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const out = [];
  for (let i = 0; i < n; i++) {
    const x = 10 * r();
    out.push([round(x), round(2 + 0.8 * x + noise * gauss())]);
  }
  return out;
}

const round = (v) => Math.round(v * 1000) / 1000;

export function toCsv(data) {
  return "x,y\n" + data.map(([x, y]) => `${x},${y}`).join("\n");
}

/** CSV text with a header row -> [[x, y]]; the first two numeric columns, or columns named x, y. */
export function fromCsv(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length < 2) throw new Error("The CSV needs a header row and at least two rows of data.");
  const header = lines[0].split(",").map((h) => h.trim());
  let xi = header.indexOf("x"), yi = header.indexOf("y");
  if (xi < 0 || yi < 0) { xi = 0; yi = 1; }
  const data = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(",");
    const x = Number(cells[xi]), y = Number(cells[yi]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`Row ${i + 2}: "${line}" has no numbers in columns ${header[xi]}, ${header[yi]}.`);
    data.push([x, y]);
  });
  return data;
}

export function getPoints() { return points; }

export function setPoints(data, { refit = true } = {}) {
  points = data;
  $("#reg-data").value = toCsv(points);
  if (refit) scheduleFit();
}

/** Full-batch gradient descent on the MSE: the chapter's update, replayed for the picture
 * until the server's path arrives. ``eta`` null or 0 means the server's automatic rate 1/L
 * (L the largest eigenvalue of J's Hessian); it stops, like the server, when
 * ‖∇J‖ ≤ 1e-10·‖∇J(θ₀)‖. */
export function descend(data, eta, epochs, scale, scaling = null) {
  const n = data.length;
  const xs = data.map((p) => p[0]), ys = data.map((p) => p[1]);
  const mean = scaling ? scaling.mean : xs.reduce((a, b) => a + b, 0) / n;
  const sd = scaling ? scaling.sd : Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n) || 1;
  const u = scale ? xs.map((x) => (x - mean) / sd) : xs;
  // J's Hessian is (2/N)[[N, Σu], [Σu, Σu²]]: its largest eigenvalue L gives the automatic η
  const su = u.reduce((a, b) => a + b, 0), suu = u.reduce((a, b) => a + b * b, 0);
  const h = [2, (2 * su) / n, (2 * suu) / n];
  const L = (h[0] + h[2]) / 2 + Math.hypot((h[0] - h[2]) / 2, h[1]);
  const rate = eta > 0 ? eta : 1 / L;
  let t0 = 0, t1 = 0;
  const path = [[t0, t1]], losses = [];
  const loss = (a, b) => u.reduce((s, x, i) => s + (ys[i] - (a + b * x)) ** 2, 0) / n;
  let converged = false, diverged = false, epochsRun = 0, g0norm = null;
  for (let e = 0; e < epochs; e++) {
    let g0 = 0, g1 = 0;
    for (let i = 0; i < n; i++) { const r = ys[i] - (t0 + t1 * u[i]); g0 += r; g1 += u[i] * r; }
    g0 *= -2 / n; g1 *= -2 / n;
    if (g0norm === null) g0norm = Math.hypot(g0, g1);
    if (Math.hypot(g0, g1) <= 1e-10 * g0norm) { converged = true; break; }
    losses.push(loss(t0, t1));
    t0 -= rate * g0; t1 -= rate * g1;
    path.push([t0, t1]);
    epochsRun = e + 1;
    const l = loss(t0, t1);
    if (!Number.isFinite(l) || l > 1e12) { diverged = true; break; }
  }
  losses.push(loss(t0, t1));
  // closed form (least squares) in the same coordinates
  const um = su / n, ym = ys.reduce((a, b) => a + b, 0) / n;
  const sxy = u.reduce((s, x, i) => s + (x - um) * (ys[i] - ym), 0), sxx = u.reduce((s, x) => s + (x - um) ** 2, 0);
  const b1 = sxx > 0 ? sxy / sxx : NaN, b0 = ym - b1 * um;
  const back = ([a, b]) => (scale ? [a - (b * mean) / sd, b / sd] : [a, b]);
  const forward = ([a, b]) => (scale ? [a + b * mean, b * sd] : [a, b]);
  return { path, losses, converged, diverged, epochsRun, optimum: [b0, b1], loss, back, forward, scale, mean, sd, rate, L };
}

const scheduleFit = debounce(() => runFit(), 200);

/** The learning rate typed in the η box, or null for the server's automatic 1/L. */
function typedEta() {
  const text = $("#reg-eta").value.trim();
  const eta = Number(text);
  return text && Number.isFinite(eta) && eta > 0 ? eta : null;
}

const plural = (k, word) => `${k} ${word}${k === 1 ? "" : "s"}`;

/** The server's rule for an automatic η (`rate_rule`), in words. */
const RATE_RULES = { "1/L": "1/L", "1/L_batch": "1/L of the steepest mini-batch", "default 0.01": "the adaptive methods' usual 0.01" };
const ruleWords = (rule) => RATE_RULES[rule] || rule || "1/L";

/** The parameter boxes made so far, by name: a box keeps what was typed in it while another
 *  method is chosen. */
const optBoxes = new Map();

export function regressionMethod() {
  const m = $("#reg-method").value;
  return m in METHODS ? m : "gd";
}

/** The mini-batch size typed, or null for the full batch (a number the server refuses, like
 *  2.5, is sent as typed: its answer says why). */
function typedBatch() {
  const raw = $("#reg-batch").value.trim();
  return raw === "" || !Number.isFinite(Number(raw)) ? null : Number(raw);
}

/** The chosen method's parameter boxes; shuffling only with mini-batches, a seed only when
 *  shuffling (the server refuses a seed without it). */
function syncMethodControls() {
  const method = regressionMethod();
  $("#reg-opts").replaceChildren(...METHODS[method].opts.map((opt) => {
    if (!optBoxes.has(opt)) optBoxes.set(opt, el("span", { class: "pair" }, ...parameterBox(opt, "reg-opt-")));
    return optBoxes.get(opt);
  }));
  $("#reg-method-box").dataset.method = method;
  const batched = typedBatch() !== null;
  $("#reg-shuffle").disabled = !batched;
  $("#reg-seed").disabled = !batched || !$("#reg-shuffle").checked;
}

/** The optimizer's part of the request: the method, the typed parameters (empty boxes: the
 *  usual values), the mini-batch size, shuffle and its seed. */
function methodRequest() {
  const out = { method: regressionMethod() };
  const opt = readParameters($("#reg-opts"));
  if (Object.keys(opt).length) out.opt = opt;
  const batch = typedBatch();
  if (batch !== null) {
    out.batch = batch;
    if ($("#reg-shuffle").checked) {
      out.shuffle = true;
      const seed = $("#reg-seed").value.trim();
      if (seed !== "" && Number.isFinite(Number(seed))) out.seed = Number(seed);
    }
  }
  return out;
}

/** The optimizer's controls for the permalink (gd, the full batch and no shuffle are left out). */
export function regressionState() {
  const m = methodRequest();
  return {
    regMethod: m.method === "gd" ? "" : m.method, regOpt: parametersText(m.opt || {}),
    regBatch: m.batch ?? "", regShuffle: m.shuffle ? "1" : "", regSeed: m.seed ?? "",
  };
}

export function applyRegressionState(s) {
  if (s.regMethod !== undefined) $("#reg-method").value = s.regMethod in METHODS && s.regMethod !== "newton" ? s.regMethod : "gd";
  syncMethodControls();
  if (s.regOpt !== undefined) writeParameters($("#reg-opts"), parseParameters(s.regOpt));
  if (s.regBatch !== undefined) $("#reg-batch").value = s.regBatch;
  if (s.regShuffle !== undefined) $("#reg-shuffle").checked = s.regShuffle === "1";
  if (s.regSeed !== undefined) $("#reg-seed").value = s.regSeed;
  syncMethodControls();
}

/** How a run ended, as a sentence about θ (server fields: converged, diverged, iterations);
 *  ``rule`` is the server's rule for an automatic η, null for a typed one. */
function outcome(run, rate, rule) {
  const eta = `η = ${fmt(rate, 4)}${rule ? `, chosen automatically as ${ruleWords(rule)}` : ""}`;
  if (run.diverged) return `diverged after ${plural(run.iterations, "epoch")} (${eta}): η is too large for this data.`;
  if (run.converged) return `converged in ${plural(run.iterations, "epoch")} (${eta}).`;
  return `did not converge within ${plural(run.iterations, "epoch")} (${eta}); θ is still short of the least-squares θ.`;
}

/** Plain sentences for the status line: this run, then the same settings in the other coordinates. */
export function fitMessage(d, scale, auto) {
  const rule = auto ? d.rate_rule : null;
  const who = METHODS[d.method]?.words || "gradient descent";
  const own = `With${scale ? "" : "out"} feature scaling, ${who} ${outcome(d, d.rate, rule)}`;
  const other = scale ? d.comparison?.unscaled : d.comparison?.scaled;
  if (!other) return own;
  const kappa = (c) => (c && Number.isFinite(c.condition_number) ? fmt(c.condition_number, 3) : "?");
  const otherText = `With${scale ? "out" : ""} it, the same ${auto ? "rule" : "η"} ${outcome(other, other.rate, null)}`;
  const why = ` J's condition number is ${kappa(d.comparison.unscaled)} without scaling and ${kappa(d.comparison.scaled)} with it:`
    + " the larger it is, the more elongated J's contours and the slower descent.";
  // with standardised x, J's contours are circles: η = 1/L lands on the optimum at once
  const oneStep = d.converged && d.iterations <= 2
    ? " Here the contours are (nearly) circles, so one step of η = 1/L lands on the optimum: type a smaller η, e.g. 0.1, to watch the steps."
    : "";
  return `${own} ${otherText}${why}${oneStep}`;
}

export async function runFit() {
  if (points.length < 2) { setStatus($("#reg-status"), "error", "Regression needs at least two points."); return; }
  const eta = typedEta(), epochs = Math.round(Number($("#reg-epochs").value)) || 500;
  const scale = $("#reg-scale").checked;
  const optimizer = methodRequest();
  // full-batch gd is replayed and drawn at once; other runs start from θ = 0 until the answer
  const replayed = optimizer.method === "gd" && optimizer.batch === undefined ? epochs : 0;
  fit = descend(points, eta, replayed, scale);  // replaced by the server's path below
  draw();
  hooks.onChange?.();
  const result = await post("regress", { data: toCsv(points), x: "x", y: "y", rate: eta, epochs, scale, compare_scaling: true, ...optimizer }, "regress");
  if (result.aborted) return;
  const body = clear($("#reg-table tbody"));
  const row = (label, value, key) => body.append(el("tr", {}, el("th", { scope: "row", text: label }), el("td", { text: value, dataset: { key } })));
  if (result.ok) {
    const d = result.data;
    if (scale && d.scaling && Array.isArray(d.scaling.mean)) {
      fit = descend(points, d.rate, replayed, scale, { mean: d.scaling.mean[0], sd: d.scaling.std[0] });
    }
    if (Array.isArray(d.path) && d.path.length) {
      // the server's θ per epoch (original coordinates), drawn in the coordinates descent used
      fit.path = d.path.map((p) => fit.forward(p));
      fit.losses = d.losses || fit.losses;
      fit.converged = Boolean(d.converged);
      fit.diverged = Boolean(d.diverged);
      fit.epochsRun = d.iterations;
      draw();
    }
    const box = clear($("#reg-partials"));
    const parts = (d.partials || []).map((p) => `${partialTex(p.variable || "theta", "J")} = ${p.latex_chapter || p.latex}`);
    if (!parts.length) parts.push(CHAPTER_PARTIALS);
    for (const tex of parts) box.append(texNode(tex, true, "div"));
    const m = METHODS[d.method] || METHODS.gd;
    const hyper = hyperText(d.hyper);
    row("method", `${m.choice}${hyper ? `: ${hyper}` : ""}`, "method");
    if (d.batch) {
      const order = d.shuffle ? `, shuffled every epoch${d.seed === null || d.seed === undefined ? "" : ` (seed ${d.seed})`}` : "";
      row("mini-batches", `${plural(d.batch, "row")} per batch (${d.batch_method})${order}`, "batch");
    }
    row(`θ by ${m.words} (server)`, `(${(d.theta || []).map((v) => fmt(v, 6)).join(", ")})`, "theta");
    row("θ by least squares (closed form)", `(${(d.closed_form || []).map((v) => fmt(v, 6)).join(", ")})`, "closed_form");
    row("largest relative difference to least squares", fmt(d.max_rel_diff, 3), "max_rel_diff");
    row("final loss J", fmt(d.loss, 6), "loss");
    row("J at least squares", fmt(d.closed_form_loss, 6), "closed_form_loss");
    row("learning rate η", `${fmt(d.rate, 6)}${eta === null ? ` (automatic: ${ruleWords(d.rate_rule)})` : ""}`, "rate");
    row("epochs", `${d.iterations}${d.converged ? " (converged)" : d.diverged ? " (diverged)" : " (not converged)"}`, "iterations");
    setStatus($("#reg-status"), d.diverged ? "error" : "info", `Fitted ${plural(points.length, "point")}. ${fitMessage(d, scale, eta === null)}`,
      d.diverged ? d.reason : null);
  } else {
    const thetaOrig = fit.back(fit.path[fit.path.length - 1]);
    const optimumOrig = fit.back(fit.optimum);
    renderTex($("#reg-partials"), CHAPTER_PARTIALS, true);
    if (replayed) row("θ by gradient descent (in the page)", `(${thetaOrig.map((v) => fmt(v, 6)).join(", ")})`, "theta");
    row("θ by least squares (closed form, in the page)", `(${optimumOrig.map((v) => fmt(v, 6)).join(", ")})`, "closed_form");
    const how = outcome({ iterations: fit.epochsRun, converged: fit.converged, diverged: fit.diverged }, fit.rate, eta === null ? "1/L" : null);
    setStatus($("#reg-status"), "error", `The server could not fit: ${result.error.message}`,
      result.error.hint || (replayed ? `Shown instead: the page's own replay, which ${how}` : null));
  }
}

function draw() {
  if (!fit) return;
  if (!window.Plotly) { loadPlotly().then(draw); return; }
  const colors = plotColors();
  const base = { paper_bgcolor: colors.bg, plot_bgcolor: colors.bg, font: { color: colors.fg }, margin: { l: 50, r: 10, t: 10, b: 45 },
    legend: { orientation: "h", y: -0.2 } };
  const xs = points.map((p) => p[0]);
  const lo = Math.min(...xs), hi = Math.max(...xs);
  const [a, b] = fit.back(fit.path[fit.path.length - 1]);
  const [oa, ob] = fit.back(fit.optimum);
  whenVisible($("#reg-fit"), () => window.Plotly.react($("#reg-fit"), [
    { type: "scatter", mode: "markers", name: "data (drag me)", x: xs, y: points.map((p) => p[1]), marker: { size: 9, color: OKABE_ITO.blue } },
    { type: "scatter", mode: "lines", name: "fit by descent", x: [lo, hi], y: [a + b * lo, a + b * hi], line: { color: OKABE_ITO.vermillion, width: 3 } },
    { type: "scatter", mode: "lines", name: "least squares", x: [lo, hi], y: [oa + ob * lo, oa + ob * hi], line: { color: OKABE_ITO.green, dash: "dash" } },
  ], { ...base, dragmode: false, hovermode: "closest", xaxis: { title: { text: "x" }, gridcolor: colors.grid }, yaxis: { title: { text: "y" }, gridcolor: colors.grid } }, PLOT_CONFIG)
    .then(bindDrag));
  // J contours in the coordinates descent works in (scaled x when scaling is on)
  const finite = fit.path.filter((p) => p.every(Number.isFinite));
  const all = finite.concat([fit.optimum]);
  // a square window (equal scales show that each step is perpendicular to the contours) sized
  // by the longer extent, so data with θ0 ≈ 60 and θ1 ≈ 7 gives a square, not a thin strip
  const span = (k) => { const v = all.map((p) => p[k]); return [Math.min(...v), Math.max(...v)]; };
  const [s0, s1] = [span(0), span(1)];
  const half = Math.max(0.5, 0.625 * Math.max(s0[1] - s0[0], s1[1] - s1[0]));
  const around = ([mn, mx]) => [(mn + mx) / 2 - half, (mn + mx) / 2 + half];
  const r0 = around(s0), r1 = around(s1);
  const n = 60, t0 = [], t1 = [];
  for (let i = 0; i < n; i++) { t0.push(r0[0] + ((r0[1] - r0[0]) * i) / (n - 1)); t1.push(r1[0] + ((r1[1] - r1[0]) * i) / (n - 1)); }
  const z = t1.map((bb) => t0.map((aa) => Math.log10(fit.loss(aa, bb) + 1e-12)));
  const names = fit.scale ? ["θ0 (scaled x)", "θ1 (scaled x)"] : ["θ0", "θ1"];
  whenVisible($("#reg-contour"), () => window.Plotly.react($("#reg-contour"), [
    { type: "contour", x: t0, y: t1, z, colorscale: "Viridis", ncontours: 25, contours: { coloring: "lines" }, name: "log₁₀ J",
      colorbar: { title: { text: "log₁₀ J" }, thickness: 12 } },
    { type: "scatter", mode: "lines+markers", name: "descent path", x: finite.map((p) => p[0]), y: finite.map((p) => p[1]),
      line: { color: OKABE_ITO.purple, width: 2 }, marker: { size: 4, color: OKABE_ITO.purple } },
    { type: "scatter", mode: "markers", name: "closed-form optimum", x: [fit.optimum[0]], y: [fit.optimum[1]],
      marker: { symbol: "star", size: 15, color: OKABE_ITO.orange, line: { color: colors.fg, width: 1 } } },
  ], { ...base, xaxis: { title: { text: names[0] }, gridcolor: colors.grid, constrain: "domain" },
    yaxis: { title: { text: names[1] }, gridcolor: colors.grid, scaleanchor: "x", scaleratio: 1, constrain: "domain" } }, PLOT_CONFIG));
  whenVisible($("#reg-loss"), () => window.Plotly.react($("#reg-loss"), [
    { type: "scatter", mode: "lines", name: "J per epoch", x: fit.losses.map((_, i) => i), y: fit.losses.map((v) => (Number.isFinite(v) ? v : null)), line: { color: OKABE_ITO.blue } },
  ], { ...base, xaxis: { title: { text: "epoch" }, gridcolor: colors.grid }, yaxis: { title: { text: "J (log)" }, type: "log", gridcolor: colors.grid } }, PLOT_CONFIG));
  $("#reg-fit-summary").textContent = `${points.length} points with x from ${fmt(lo, 3)} to ${fmt(hi, 3)}; fitted line ŷ = ${fmt(a, 4)} + ${fmt(b, 4)}·x; least squares ŷ = ${fmt(oa, 4)} + ${fmt(ob, 4)}·x.`;
  $("#reg-contour-summary").textContent = `Contours of log₁₀ J over (${names.join(", ")}) with equal scales; descent path of ${plural(finite.length - 1, "step")} from (0, 0) towards the closed-form optimum (star) at (${fmt(fit.optimum[0], 4)}, ${fmt(fit.optimum[1], 4)})${fit.scale ? "; with scaling the contours are nearly round, so descent heads straight for it." : "; without scaling the contours are elongated and descent zig-zags or crawls."}`;
  $("#reg-loss-summary").textContent = `Loss J per epoch, log scale: from ${fmt(fit.losses[0], 4)} to ${fmt(fit.losses[fit.losses.length - 1], 4)} after ${plural(fit.losses.length - 1, "epoch")}${fit.diverged ? "; the run diverged (η too large)." : "."}`;
}

/** Intercept and slope of the least-squares line through (xs, ys). */
function leastSquares(xs, ys) {
  const n = xs.length, mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return [my - slope * mx, slope];
}

let dragging = null;
function bindDrag(gd) {
  if (gd.dataset.dragBound) return;
  gd.dataset.dragBound = "1";
  gd.addEventListener("pointerdown", (event) => {
    let best = -1, bestD = 14;
    points.forEach(([x, y], i) => {
      const d = pixelDistance(gd, event, x, y);
      if (d < bestD) { best = i; bestD = d; }
    });
    if (best < 0) return;
    dragging = best;
    gd.setPointerCapture?.(event.pointerId);
    event.preventDefault();
  });
  gd.addEventListener("pointermove", (event) => {
    if (dragging === null) return;
    const at = eventToData(gd, event);
    if (!at) return;  // dragged outside the plot area: the point stays at the edge
    const [x, y] = at;
    points[dragging] = [round(x), round(y)];
    // the data and the least-squares line follow the pointer; descent reruns on release
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const lo = Math.min(...xs), hi = Math.max(...xs);
    const [b0, b1] = leastSquares(xs, ys);
    window.Plotly.restyle(gd, { x: [xs, [lo, hi]], y: [ys, [b0 + b1 * lo, b0 + b1 * hi]] }, [0, 2]);
  });
  const end = () => { if (dragging !== null) { dragging = null; setPoints(points); } };
  gd.addEventListener("pointerup", end);
  gd.addEventListener("pointercancel", end);
}

export function initRegression(options) {
  hooks = options;
  $("#reg-generate").addEventListener("click", () => {
    const n = Math.max(2, Math.min(500, Math.round(Number($("#reg-n").value) || 20)));
    const noise = Math.max(0, Number($("#reg-noise").value) || 0);
    setPoints(generate(n, noise, Math.floor(Math.random() * 1e9)));
  });
  $("#reg-file").addEventListener("change", async () => {
    const file = $("#reg-file").files[0];
    if (!file) return;
    try { setPoints(fromCsv(await file.text())); } catch (err) { setStatus($("#reg-status"), "error", err.message); }
  });
  $("#reg-data").addEventListener("change", () => {
    try { setPoints(fromCsv($("#reg-data").value)); } catch (err) { setStatus($("#reg-status"), "error", err.message); }
  });
  for (const id of ["#reg-eta", "#reg-epochs", "#reg-scale"]) $(id).addEventListener("change", () => scheduleFit());
  methodSelect($("#reg-method"));
  syncMethodControls();
  // the method, its parameters, the batch, shuffle and seed: one listener for the whole box
  $("#reg-method-box").addEventListener("change", () => { syncMethodControls(); scheduleFit(); });
  $("#reg-run").addEventListener("click", () => runFit());
}

export function redrawRegression() { draw(); }
