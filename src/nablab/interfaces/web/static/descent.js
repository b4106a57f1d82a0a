// Gradient descent θ ← θ − η∇f and the other optimizers (momentum, Nesterov, AdaGrad, RMSProp,
// Adam, Newton): the runs come from one /api/descent request (one run per chosen method, from the
// same start); the page plays them back together on the contours and the surface
// (play/pause/step/reset, speed), plots f per step on a log scale, and says why each run stopped,
// what the Hessian's eigenvalues advise and how the partials spread across the variables.

import { post, variablesField } from "./api.js";
import { track } from "./busy.js";
import { $, clear, el, fmt, setStatus, whenVisible } from "./dom.js";
import { METHODS, methodChoices, readParameters, settingsText, writeParameters } from "./optimizers.js";
import { DEFAULT_ITERATIONS, presetOf } from "./presets.js";
import { OKABE_ITO, plotColors, PLOT_CONFIG } from "./theme.js";
import { loadPlotly } from "./vendor.js";

let runs = [];         // /api/descent's runs: {method, variables, path, values, grad_norms, status, stopped_at, reason, …}
let run = null;        // the first run (the one the η presets and the old single-run view speak of)
let index = 0;
let timer = null;
let hooks = {};
let stride = 1;        // steps per playback tick: long runs play in at most MAX_FRAMES ticks
const MAX_FRAMES = 600;
const ETA_WORDS = { slow: "slow", good: "good", oscillating: "oscillating", diverging: "diverging" };

export function etaFromSlider(value) { return 10 ** Number(value); }
export function sliderFromEta(eta) { return Math.log10(eta); }

export function setEta(eta) {
  if (!(eta > 0)) return;
  $("#eta").value = String(eta);
  const slider = $("#eta-slider");
  slider.value = String(Math.min(Number(slider.max), Math.max(Number(slider.min), sliderFromEta(eta))));
  slider.setAttribute("aria-valuetext", `η = ${eta}`);
}

export function currentRun() { return run; }

/** The chosen methods, in the page's order. */
export function chosenMethods() {
  return Array.from(document.querySelectorAll("#methods input[name='method']:checked")).map((b) => b.value);
}

/** Tick exactly these methods (unknown names are ignored; none → gd). */
export function chooseMethods(names) {
  const want = new Set(names.filter((m) => m in METHODS));
  if (!want.size) want.add("gd");
  for (const box of document.querySelectorAll("#methods input[name='method']")) box.checked = want.has(box.value);
  syncMethodControls();
}

/** The line search per method (only the non-fixed ones), e.g. {gd: "armijo"}. */
export function lineSearches() {
  const out = {};
  for (const select of document.querySelectorAll("#methods select.line-search")) {
    if (select.value !== "fixed") out[select.dataset.method] = select.value;
  }
  return out;
}

export function setLineSearches(map) {
  for (const select of document.querySelectorAll("#methods select.line-search")) {
    select.value = map[select.dataset.method] || "fixed";
  }
}

/** The parameters typed in (empty boxes take the method's usual value). */
export function typedOptions() { return readParameters($("#methods")); }

export function setOptions(map) { writeParameters($("#methods"), map); }

/** A parameter box or line search only matters while its method is chosen: the others are
 *  disabled (and not sent; the server refuses a parameter no chosen method takes). */
function syncMethodControls() {
  const chosen = new Set(chosenMethods());
  const takes = (opt) => [...chosen].some((m) => METHODS[m].opts.includes(opt));
  for (const input of document.querySelectorAll("#methods input.opt")) input.disabled = !takes(input.dataset.opt);
  for (const select of document.querySelectorAll("#methods select.line-search")) select.disabled = !chosen.has(select.dataset.method);
}

/** The η and iterations boxes, checked against their own min/max before anything is sent; a
 * message appears next to the box (not a server error after the fact). Returns the values, or
 * null when one is invalid. */
const NUMBER_FIELDS = {
  eta: { integer: false, what: "η", words: (min, max) => `η must be a positive number from ${min} to ${max}.` },
  iterations: { integer: true, what: "Iterations", words: (min, max) => `Iterations must be a whole number from ${min} to ${max}.` },
};

function fieldMessage(input) {
  let node = document.getElementById(`${input.id}-error`);
  if (!node) {
    node = el("span", { id: `${input.id}-error`, class: "field-error", role: "alert" });
    input.insertAdjacentElement("afterend", node);
    input.setAttribute("aria-describedby", node.id);
  }
  return node;
}

export function checkNumber(id) {
  const input = $(`#${id}`);
  const spec = NUMBER_FIELDS[id];
  const raw = input.value.trim();
  const value = Number(raw);
  const min = Number(input.min), max = Number(input.max);
  const ok = raw !== "" && Number.isFinite(value) && value >= min && value <= max
    && (!spec.integer || Number.isInteger(value)) && value > 0;
  const message = fieldMessage(input);
  if (ok) {
    input.removeAttribute("aria-invalid");
    message.textContent = "";
    message.hidden = true;
  } else {
    input.setAttribute("aria-invalid", "true");
    message.textContent = spec.words(min, max);
    message.hidden = false;
  }
  return ok ? value : null;
}

function pointList(raw, variables) {
  return (raw || []).map((p) => (Array.isArray(p) ? p.map(Number) : variables.map((v) => Number(p[v]))));
}

export function initDescent(options) {
  hooks = options;
  methodChoices($("#methods-help"));  // the choices, built from the one table of optimizers
  $("#descent-explain").setAttribute("aria-live", "polite");  // it replaces the status line's news
  const slider = $("#eta-slider");
  slider.addEventListener("input", () => {
    const eta = Number(etaFromSlider(slider.value).toPrecision(3));
    $("#eta").value = String(eta);
    slider.setAttribute("aria-valuetext", `η = ${eta}`);
    hooks.onChange?.();
  });
  $("#eta").addEventListener("change", () => {
    if (checkNumber("eta") !== null) setEta(Number($("#eta").value));
    hooks.onChange?.();
  });
  $("#iterations").addEventListener("change", () => { checkNumber("iterations"); hooks.onChange?.(); });
  $("#eta-slider").addEventListener("input", () => checkNumber("eta"));
  for (const node of document.querySelectorAll("#methods input, #methods select")) {
    node.addEventListener("change", () => { syncMethodControls(); hooks.onChange?.(); });
  }
  syncMethodControls();
  $("#start").addEventListener("change", () => hooks.onChange?.());
  $("#descent-run").addEventListener("click", () => start());
  $("#descent-play").addEventListener("click", () => (run ? play() : start()));
  $("#descent-pause").addEventListener("click", pause);
  $("#descent-step").addEventListener("click", () => { pause(); if (run) { index = Math.min(index + 1, longest() - 1); show(); } });
  $("#descent-reset").addEventListener("click", () => { pause(); index = 0; if (run) show(); hideExplain(); });
  $("#speed").addEventListener("input", () => { if (timer) { pause(); play(); } });
  for (const button of document.querySelectorAll(".eta-preset")) {
    button.addEventListener("click", () => choosePreset(button.dataset.eta));
  }
  syncPresetButtons();
}

/** An η preset: its rate and the iteration count it was checked with, then run. A function
 * without that behaviour (no minimum: no "good" η) gets words instead of a mislabelled run. */
function choosePreset(kind) {
  const etas = hooks.etaPresets();
  const preset = presetOf(etas);
  const eta = etas[kind];
  if (!(eta > 0)) {
    pause();
    setStatus($("#descent-status"), "info", `No η is ${ETA_WORDS[kind] || kind} for this function.`, preset?.note);
    return;
  }
  setEta(eta);
  $("#iterations").value = String(preset?.iterations || DEFAULT_ITERATIONS);
  checkNumber("eta");
  checkNumber("iterations");
  hooks.onChange?.();
  start();
}

/** Mark the η preset buttons that have no rate for the current function. */
function syncPresetButtons() {
  const etas = hooks.etaPresets?.() || {};
  for (const button of document.querySelectorAll(".eta-preset")) {
    const missing = !(etas[button.dataset.eta] > 0);
    button.classList.toggle("unavailable", missing);
    if (missing) {
      button.setAttribute("aria-disabled", "true");
      button.title = `No η is ${ETA_WORDS[button.dataset.eta] || button.dataset.eta} for this function`;
    } else {
      button.removeAttribute("aria-disabled");
      button.removeAttribute("title");
    }
  }
}

export async function start() {
  pause();
  const req = hooks.getRequest();
  const startText = $("#start").value.trim();
  if (!startText) { setStatus($("#descent-status"), "error", "Choose a start point: type it (x=1, y=1) or click the plot with “the descent start” selected."); return; }
  syncPresetButtons();
  const rate = checkNumber("eta");
  const iterations = checkNumber("iterations");
  if (rate === null || iterations === null) {
    setStatus($("#descent-status"), "error", "Fix the highlighted η or iterations value, then run again.");
    return;
  }
  const methods = chosenMethods();
  if (!methods.length) {
    setStatus($("#descent-status"), "error", "Choose at least one method.");
    return;
  }
  setStatus($("#descent-status"), "info", "Running…");
  hideExplain();
  const body = { text: req.text, variables: variablesField(req.variables), start: startText, rate, iterations, method: methods };
  const opt = Object.fromEntries(Object.entries(typedOptions()).filter(([k]) => methods.some((m) => METHODS[m].opts.includes(k))));
  if (Object.keys(opt).length) body.opt = opt;
  const searches = Object.fromEntries(Object.entries(lineSearches()).filter(([m]) => methods.includes(m)));
  if (Object.keys(searches).length) body.line_search = searches;
  if (req.params && Object.keys(req.params).length) body.params = req.params;
  const result = await track(post("descent", body, "descent"));
  if (result.aborted) return;
  if (!result.ok) {
    runs = [];
    run = null;
    $("#descent-report").hidden = true;
    setStatus($("#descent-status"), "error", result.error.message, result.error.hint);
    hooks.onPaths?.([], 0);
    return;
  }
  const answer = result.data;
  const variables = answer.variables || [];
  runs = (answer.runs || [answer]).map((d) => ({
    ...d, variables, path: pointList(d.path, variables), values: d.values || [], grad_norms: d.grad_norms || [],
  }));
  run = runs[0];
  $("#descent-figure").hidden = false;
  $("#descent-card").dataset.runs = String(runs.length);
  index = 0;
  const steps = longest() - 1;
  stride = Math.max(1, Math.ceil(steps / MAX_FRAMES));
  const every = stride > 1 ? ` (every ${stride}th step shown; Step goes one at a time)` : "";
  const what = runs.length === 1 ? `${METHODS[run.method]?.name || run.method}, η = ${rate}: ${steps} steps computed`
    : `${runs.map((r) => METHODS[r.method]?.name || r.method).join(", ")} from the same start, η = ${rate}: up to ${steps} steps computed`;
  setStatus($("#descent-status"), "info", `${what}; playing${every}.`);
  report();
  show();
  play();
}

/** Points in the longest run (playback runs until every run has reached its end). */
function longest() {
  return Math.max(1, ...runs.map((r) => r.path.length));
}

function play() {
  if (!run || timer) return;
  if (index >= longest() - 1) index = 0;
  const delay = 1000 / Number($("#speed").value || 15);
  timer = setInterval(() => {
    if (index >= longest() - 1) { pause(); finish(); return; }
    index = Math.min(index + stride, longest() - 1);
    show();
  }, delay);
  $("#descent-play").setAttribute("aria-pressed", "true");
}

export function pause() {
  clearInterval(timer);
  timer = null;
  $("#descent-play")?.setAttribute("aria-pressed", "false");
}

const STOPPED = new Set(["diverged", "left_domain", "hessian", "line_search"]);

/** Why a run stopped, in a title: the status and the step it stopped at (the server's). */
function outcome(r) {
  const k = r.stopped_at ?? r.path.length - 1;
  const status = r.status || (r.converged ? "converged" : r.diverged ? "diverged" : "limit");
  const steps = `${k} step${k === 1 ? "" : "s"}`;
  return {
    status,
    title: {
      converged: `Converged after ${steps}.`,
      diverged: `Stopped: the run diverged at step ${k}.`,
      limit: `Stopped after ${steps} (the iteration limit) without converging.`,
      left_domain: `Stopped at step ${k}: the run left the domain of f.`,
      hessian: `Stopped at step ${k}: the Hessian gives no Newton step.`,
      line_search: `Stopped at step ${k}: the line search found no acceptable step.`,
    }[status] || `Stopped at step ${k}.`,
    short: { converged: "converged", diverged: "diverged", limit: "step limit", left_domain: "left the domain",
      hessian: "Hessian singular or indefinite", line_search: "line search failed" }[status] || status,
    step: k,
  };
}

function finish() {
  if (!run) return;
  const box = $("#descent-explain");
  box.hidden = false;
  const outcomes = runs.map(outcome);
  // red for a run that blew up; a run that only ran out of steps is not an error
  const kind = outcomes.every((o) => o.status === "converged") ? " converged"
    : outcomes.some((o) => STOPPED.has(o.status)) ? "" : " limit";
  box.className = "explain" + kind;
  if (runs.length === 1) {
    box.replaceChildren(el("strong", { text: outcomes[0].title }), el("p", { text: run.reason || "" }));
  } else {
    box.replaceChildren(...runs.map((r, i) => el("div", { class: "run-outcome", dataset: { method: r.method, status: outcomes[i].status } },
      el("strong", {}, swatch(r.method), `${METHODS[r.method]?.name || r.method}: ${outcomes[i].title}`),
      el("p", { text: r.reason || "" }))));
  }
  // the box says it (once); the status line above it would only repeat the title
  setStatus($("#descent-status"), "", "");
}

function hideExplain() {
  const box = $("#descent-explain");
  box.hidden = true;
  box.replaceChildren();
}

function swatch(method) {
  const node = el("span", { class: "swatch", "aria-hidden": "true" });
  node.style.background = METHODS[method]?.color || "gray";
  return node;
}

function spreadText(s) {
  if (!s) return "—";
  const spread = s.spread === null || s.spread === undefined ? "∞" : fmt(s.spread, 3);
  let text = `${spread} (|∂f/∂${s.largest}| largest, |∂f/∂${s.smallest}| smallest)`;
  if (s.vanishing?.length) text += `; vanishing: ${s.vanishing.join(", ")}`;
  return text;
}

/** The runs' table, the eigenvalue advice and the sensitivity spread (all from the server). */
function report() {
  $("#descent-report").hidden = false;
  const body = clear($("#descent-runs tbody"));
  for (const r of runs) {
    const o = outcome(r);
    const cls = o.status === "converged" ? "status-converged" : o.status === "limit" ? "status-limit" : "status-stopped";
    body.append(el("tr", { dataset: { method: r.method, status: o.status, step: String(o.step) } },
      el("th", { scope: "row" }, swatch(r.method), METHODS[r.method]?.label || r.method),
      el("td", { text: settingsText(r) }),
      el("td", {}, el("span", { class: cls, text: o.short }), ` at step ${o.step}`),
      el("td", { text: fmt(r.value, 6) }),
      el("td", { text: fmt(r.grad_norms[r.grad_norms.length - 1], 4) }),
      el("td", { text: r.variables.length > 1 ? spreadText(r.sensitivity?.at_end) : "— (one variable)" })));
  }
  // the advice: once when every run has the same (a quadratic f), else per run
  const advice = $("#descent-advice");
  clear(advice);
  const notes = new Map();
  for (const r of runs) {
    if (!r.advice) continue;
    const key = r.advice.note;
    if (!notes.has(key)) notes.set(key, { advice: r.advice, methods: [] });
    notes.get(key).methods.push(METHODS[r.method]?.label || r.method);
  }
  if (!notes.size) advice.append(el("p", { text: "No advice: the Hessian is not finite where it would be read." }));
  for (const { advice: a, methods } of notes.values()) {
    const facts = [];
    if (a.max_stable_rate !== null && a.max_stable_rate !== undefined) facts.push(`largest stable η for gd: 2/λmax = ${fmt(a.max_stable_rate, 4)}`);
    if (a.best_rate !== null && a.best_rate !== undefined) facts.push(`best fixed η: ${fmt(a.best_rate, 4)}`);
    if (a.condition !== null && a.condition !== undefined) facts.push(`condition number κ = ${fmt(a.condition, 4)}`);
    if (a.momentum !== null && a.momentum !== undefined) facts.push(`suggested momentum β = ${fmt(a.momentum, 4)} with η = ${fmt(a.momentum_rate, 4)}`);
    const where = notes.size > 1 ? ` (${methods.join(", ")})` : "";
    advice.append(el("p", { class: "advice-facts", dataset: { stable: a.max_stable_rate ?? "", momentum: a.momentum ?? "" } },
      el("strong", { text: `Eigenvalues ${a.eigenvalues.map((v) => fmt(v, 4)).join(", ")}${where}: ` }), facts.join("; ") + "."));
    advice.append(el("p", { class: "help", text: a.note }));
  }
  const sens = $("#descent-sensitivity");
  clear(sens);
  const first = run.sensitivity?.at_start;
  if (!first || run.variables.length < 2) {
    sens.append(el("p", { text: "One variable: no spread across variables." }));
    return;
  }
  const mags = first.variables.map((v, i) => `|∂f/∂${v}| = ${fmt(first.magnitudes[i], 4)}`).join(", ");
  sens.append(el("p", { class: "sensitivity-start" }, el("strong", { text: "At the start: " }),
    `${mags}; spread (largest / smallest) ${spreadText(first)}.`));
  for (const r of runs) {
    const s = r.sensitivity;
    if (!s) continue;
    const widest = s.largest_spread === null || s.largest_spread === undefined ? "—" : `${fmt(s.largest_spread, 3)} at step ${s.largest_spread_step}`;
    const vanished = Object.entries(s.vanishing_steps || {}).filter(([, n]) => n > 0).map(([v, n]) => `∂f/∂${v} for ${n} steps`);
    sens.append(el("p", {}, swatch(r.method), `${METHODS[r.method]?.label || r.method}: widest spread along the run ${widest}`
      + (vanished.length ? `; vanishing: ${vanished.join(", ")}` : "") + "."));
  }
}

/** How f per step is drawn: on a log axis when f ≥ 0 throughout (a zero is left out), else —
 *  when f spans many decades — as sign(f)·log10(1 + |f|) (a diverging run reaches −1e40 while its
 *  first steps are near 1), else plainly. */
function fScale() {
  const finite = runs.flatMap((r) => r.values.filter(Number.isFinite));
  if (finite.length && finite.every((v) => v >= 0) && finite.some((v) => v > 0)) {
    return { type: "log", title: "f (log scale)", shown: (v) => (v > 0 ? v : null) };
  }
  const first = runs[0]?.values.find(Number.isFinite) ?? 0;
  const wide = finite.length > 1 && Math.max(...finite.map(Math.abs)) > 1e4 * Math.max(1, Math.abs(first));
  if (wide) return { type: "linear", title: "sign(f)·log₁₀(1 + |f|)", shown: (v) => Math.sign(v) * Math.log10(1 + Math.abs(v)) };
  return { type: "linear", title: "f", shown: (v) => v };
}

/** Draw the current step: every run's path so far on the pictures and the per-step chart. */
function show() {
  if (!run) return;
  if (index >= longest() - 1 && !timer) finish();
  hooks.onPaths?.(runs, index);
  const colors = plotColors();
  const scale = fScale();
  const one = runs.length === 1;
  const traces = [];
  for (const r of runs) {
    const k = Math.min(index, r.path.length - 1) + 1;
    const steps = r.values.slice(0, k).map((_, i) => i);
    const m = METHODS[r.method] || { color: OKABE_ITO.blue, dash: "solid", label: r.method };
    traces.push({ type: "scatter", mode: "lines+markers", name: one ? "f" : `f (${m.label})`, legendgroup: r.method,
      x: steps, y: r.values.slice(0, k).map((v) => (Number.isFinite(v) ? scale.shown(v) : null)),
      line: { color: one ? OKABE_ITO.blue : m.color, dash: one ? "solid" : m.dash }, marker: { size: 4, color: one ? OKABE_ITO.blue : m.color } });
    traces.push({ type: "scatter", mode: "lines", name: one ? "‖∇f‖" : `‖∇f‖ (${m.label})`, legendgroup: r.method, yaxis: "y2",
      x: steps, y: r.grad_norms.slice(0, k).map((v) => (Number.isFinite(v) && v > 0 ? v : null)),
      line: { color: one ? OKABE_ITO.vermillion : m.color, dash: "dot", width: 1 }, visible: one ? true : "legendonly" });
  }
  const layout = {
    paper_bgcolor: colors.bg, plot_bgcolor: colors.bg, font: { color: colors.fg }, margin: { l: 60, r: 55, t: 10, b: 40 },
    xaxis: { title: { text: "step" }, gridcolor: colors.grid, range: [0, Math.max(1, longest() - 1)] },
    yaxis: { title: { text: scale.title }, gridcolor: colors.grid, type: scale.type, exponentformat: "power" },
    yaxis2: { title: { text: "‖∇f‖ (log)" }, overlaying: "y", side: "right", type: "log", showgrid: false },
    legend: { orientation: "h", y: 1.12 },
  };
  whenVisible($("#descent-plot"), () => loadPlotly().then((Plotly) => Plotly.react($("#descent-plot"), traces, layout, PLOT_CONFIG)));
  $("#descent-summary").textContent = runs.map((r) => stepWords(r, one)).join(" ")
    + ` f per step is drawn ${scale.type === "log" ? "on a log scale" : scale.title === "f" ? "plainly" : "as sign(f)·log₁₀(1 + |f|)"}.`;
  $("#descent-card").dataset.step = String(index);
}

/** The summary of one run at the current step: where it is, f, ‖∇f‖, and with a line search
 *  the step it accepted and how many trial steps that took. */
function stepWords(r, one) {
  const i = Math.min(index, r.path.length - 1);
  const p = r.path[i] || [];
  const who = one ? "" : `${METHODS[r.method]?.label || r.method}: `;
  let text = `${who}Step ${i} of ${r.path.length - 1}: at (${p.map((x) => fmt(x, 4)).join(", ")}), `
    + `f = ${fmt(r.values[i], 5)}, ‖∇f‖ = ${fmt(r.grad_norms[i], 4)}`;
  if (i > 0 && r.step_sizes?.length >= i && r.line_search && r.line_search !== "fixed") {
    const trials = r.trials?.[i - 1];
    text += `, accepted step α = ${fmt(r.step_sizes[i - 1], 4)} after ${trials} trial step${trials === 1 ? "" : "s"}`;
  }
  const o = outcome(r);
  text += ".";
  if (one) text += o.status === "diverged" ? " This run diverges." : o.status === "converged" ? " This run converges." : "";
  return text;
}

export function resetDescent() {
  pause();
  runs = [];
  run = null;
  index = 0;
  hideExplain();
  syncPresetButtons();
  $("#descent-report").hidden = true;
  setStatus($("#descent-status"), "", "");
  hooks.onPaths?.([], 0);
}
