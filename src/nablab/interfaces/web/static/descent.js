// Gradient descent θ ← θ − η∇f: the run comes from /api/descent; the page plays it back on the
// contours and the surface (play/pause/step/reset, speed), plots f and ‖∇f‖ per step, and when
// the run diverged, stops and says why.

import { post, variablesField } from "./api.js";
import { $, el, fmt, setStatus, whenVisible } from "./dom.js";
import { DEFAULT_ITERATIONS, presetOf } from "./presets.js";
import { OKABE_ITO, plotColors, PLOT_CONFIG } from "./theme.js";
import { loadPlotly } from "./vendor.js";

let run = null;        // {variables, path: [[...]], values, grad_norms, converged, diverged, reason}
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
  $("#method").addEventListener("change", () => hooks.onChange?.());
  $("#start").addEventListener("change", () => hooks.onChange?.());
  $("#descent-run").addEventListener("click", () => start());
  $("#descent-play").addEventListener("click", () => (run ? play() : start()));
  $("#descent-pause").addEventListener("click", pause);
  $("#descent-step").addEventListener("click", () => { pause(); if (run) { index = Math.min(index + 1, run.path.length - 1); show(); } });
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
  setStatus($("#descent-status"), "info", "Running…");
  hideExplain();
  const method = $("#method").value;
  const body = { text: req.text, variables: variablesField(req.variables), start: startText, rate, iterations };
  if (method !== "gd") body.method = method;
  if (req.params && Object.keys(req.params).length) body.params = req.params;
  const result = await post("descent", body, "descent");
  if (result.aborted) return;
  if (!result.ok) {
    run = null;
    setStatus($("#descent-status"), "error", result.error.message, result.error.hint);
    hooks.onPath?.([], 0);
    return;
  }
  const d = result.data;
  $("#descent-figure").hidden = false;
  const variables = d.variables || [];
  run = { ...d, variables, path: pointList(d.path, variables), values: d.values || [], grad_norms: d.grad_norms || [] };
  index = 0;
  const steps = run.path.length - 1;
  stride = Math.max(1, Math.ceil(steps / MAX_FRAMES));
  const every = stride > 1 ? ` (every ${stride}th step shown; Step goes one at a time)` : "";
  setStatus($("#descent-status"), "info", `${method === "gd" ? "Gradient descent" : method === "adam" ? "Adam" : "Momentum"}, η = ${rate}: ${steps} steps computed; playing${every}.`);
  show();
  play();
}

function play() {
  if (!run || timer) return;
  if (index >= run.path.length - 1) index = 0;
  const delay = 1000 / Number($("#speed").value || 15);
  timer = setInterval(() => {
    if (index >= run.path.length - 1) { pause(); finish(); return; }
    index = Math.min(index + stride, run.path.length - 1);
    show();
  }, delay);
  $("#descent-play").setAttribute("aria-pressed", "true");
}

export function pause() {
  clearInterval(timer);
  timer = null;
  $("#descent-play")?.setAttribute("aria-pressed", "false");
}

function finish() {
  if (!run) return;
  const box = $("#descent-explain");
  box.hidden = false;
  // red for a run that blew up; a run that only ran out of steps is not an error
  box.className = "explain" + (run.converged ? " converged" : run.diverged ? "" : " limit");
  const last = run.path.length - 1;
  let title;
  if (run.diverged) title = `Stopped: the run diverged after ${last} steps.`;
  else if (run.converged) title = `Converged after ${last} steps.`;
  else title = `Stopped after ${last} steps (the iteration limit) without converging.`;
  box.replaceChildren(el("strong", { text: title }), el("p", { text: run.reason || "" }));
  // the box says it (once); the status line above it would only repeat the title
  setStatus($("#descent-status"), "", "");
}

function hideExplain() {
  const box = $("#descent-explain");
  box.hidden = true;
  box.replaceChildren();
}

/** Draw the current step: the path so far on the pictures and the per-step chart. */
function show() {
  if (!run) return;
  if (index >= run.path.length - 1 && !timer) finish();
  hooks.onPath?.(run.path, index, run.values);
  const steps = run.values.map((_, i) => i);
  const colors = plotColors();
  const k = index + 1;
  // f over many decades (a diverging run reaches 1e40 while its first steps are near 1): plot
  // sign(f)·log10(1 + |f|), so the early steps do not sit flat on zero; the axis says so
  const finite = run.values.filter(Number.isFinite);
  const wide = finite.length > 1 && Math.max(...finite.map(Math.abs)) > 1e4 * Math.max(1, Math.abs(finite[0]));
  const shown = (v) => (wide ? Math.sign(v) * Math.log10(1 + Math.abs(v)) : v);
  const f = run.values.slice(0, k).map((v) => (Number.isFinite(v) ? shown(v) : null));
  const gn = run.grad_norms.slice(0, k).map((v) => (Number.isFinite(v) && v > 0 ? v : null));
  const traces = [
    { type: "scatter", mode: "lines+markers", name: "f", x: steps.slice(0, k), y: f, line: { color: OKABE_ITO.blue }, marker: { size: 4 } },
    { type: "scatter", mode: "lines", name: "‖∇f‖", x: steps.slice(0, k), y: gn, yaxis: "y2", line: { color: OKABE_ITO.vermillion, dash: "dot" } },
  ];
  const layout = {
    paper_bgcolor: colors.bg, plot_bgcolor: colors.bg, font: { color: colors.fg }, margin: { l: 55, r: 55, t: 10, b: 40 },
    xaxis: { title: { text: "step" }, gridcolor: colors.grid, range: [0, Math.max(1, run.path.length - 1)] },
    yaxis: { title: { text: wide ? "sign(f)·log₁₀(1 + |f|)" : "f" }, gridcolor: colors.grid },
    yaxis2: { title: { text: "‖∇f‖ (log)" }, overlaying: "y", side: "right", type: "log", showgrid: false },
    legend: { orientation: "h", y: 1.12 },
  };
  whenVisible($("#descent-plot"), () => loadPlotly().then((Plotly) => Plotly.react($("#descent-plot"), traces, layout, PLOT_CONFIG)));
  const p = run.path[index] || [];
  $("#descent-summary").textContent = `Step ${index} of ${run.path.length - 1}: at (${p.map((x) => fmt(x, 4)).join(", ")}), `
    + `f = ${fmt(run.values[index], 5)}, ‖∇f‖ = ${fmt(run.grad_norms[index], 4)}.`
    + (run.diverged ? " This run diverges." : run.converged ? " This run converges." : "");
  $("#descent-card").dataset.step = String(index);
}

export function resetDescent() {
  pause();
  run = null;
  index = 0;
  hideExplain();
  syncPresetButtons();
  setStatus($("#descent-status"), "", "");
  hooks.onPath?.([], 0);
}
