// nablab's page: wires the modules together and keeps the whole view in one state object,
// mirrored in the URL hash (permalink). Plain ES modules, no build step; KaTeX is loaded before
// this module by index.html, Plotly right after it by vendor.js, both from /vendor/ (same origin).

import { post, variablesField } from "./api.js";
import { $, clear, copyText, debounce, el, fmt, formatAssignments, parseAssignments, setStatus } from "./dom.js";
import { initDescent, pause, resetDescent, setEta, start as startDescent } from "./descent.js";
import { initInput, setVariables, variablesText } from "./input.js";
import { typesetStatic } from "./math.js";
import { isEmbed, readState, writeState } from "./permalink.js";
import { clearPlots, draw, loadGrid, onPlotClick, renderSliders, setOverlay, setSlider } from "./plots.js";
import { clearPoint, gradientAt, num, pointValues, showPoint } from "./point.js";
import { DEFAULT_ETAS, PRESETS } from "./presets.js";
import { generate, getPoints, initRegression, redrawRegression, runFit, setPoints } from "./regression.js";
import { initResults, markStale, showResults } from "./results.js";
import { renderSteps, showStepsError } from "./steps.js";
import { initTheme, onThemeChange } from "./theme.js";
import { firstResultsShown, loadPlotly } from "./vendor.js";

const state = {
  text: "", variables: "", form: "simplified", point: "", direction: "", xVar: "", yVar: "",
  xRange: "-3, 3", yRange: "-3, 3", fixed: {}, eta: 0.1, iterations: 100, start: "", preset: "",
};
let reading = null;   // last good /api/parse answer
let input = null;

const request = () => ({ text: state.text, variables: state.variables });
/** Descent holds the parameters at their sliders' values, like the pictures and the point. */
const descentRequest = () => {
  const names = reading?.parameters || [];
  const params = Object.fromEntries(Object.entries(state.fixed).filter(([k, v]) => names.includes(k) && Number.isFinite(v)));
  return { ...request(), params };
};

function syncFromControls() {
  state.text = $("#fn").value;
  state.variables = variablesText();
  state.form = $("#form").value;
  state.point = $("#point").value;
  state.direction = $("#direction").value;
  // the axis pickers are filled after the first reading; until then keep the permalink's choice
  if ($("#plot-x").options.length) state.xVar = $("#plot-x").value;
  if ($("#plot-y").options.length) state.yVar = $("#plot-y").value;
  state.xRange = $("#x-range").value;
  state.yRange = $("#y-range").value;
  state.eta = Number($("#eta").value);
  state.iterations = Number($("#iterations").value);
  state.start = $("#start").value;
  state.method = $("#method").value === "gd" ? "" : $("#method").value;
}

const saveHash = debounce(() => {
  syncFromControls();
  const pts = getPoints();
  writeState({
    ...state,
    fixed: Object.entries(state.fixed).map(([k, v]) => `${k}=${v}`).join(","),
    regData: pts.length <= 60 ? pts.map((p) => p.join(",")).join(";") : "",
    regScale: $("#reg-scale").checked ? "" : "0",  // on by default
    regEta: $("#reg-eta").value, regEpochs: $("#reg-epochs").value,
    theme: document.documentElement.dataset.theme || "",
  });
}, 150);

function applyControls(s) {
  if (s.text !== undefined) $("#fn").value = s.text;
  if (s.variables !== undefined) setVariables(s.variables);
  if (s.form) $("#form").value = s.form;
  if (s.point !== undefined) $("#point").value = s.point;
  if (s.direction !== undefined) $("#direction").value = s.direction;
  if (s.xRange) $("#x-range").value = Array.isArray(s.xRange) ? s.xRange.join(", ") : s.xRange;
  if (s.yRange) $("#y-range").value = Array.isArray(s.yRange) ? s.yRange.join(", ") : s.yRange;
  if (s.eta) setEta(Number(s.eta));
  if (s.iterations) $("#iterations").value = String(s.iterations);
  if (s.start !== undefined) $("#start").value = s.start;
  if (s.method) $("#method").value = s.method;
  if (s.xVar) state.xVar = s.xVar;
  if (s.yVar) state.yVar = s.yVar;
}

function applyPreset(key) {
  const preset = PRESETS[key];
  if (!preset) return;
  state.preset = key;
  $("#preset").value = key;
  state.fixed = {};
  state.xVar = "";
  state.yVar = "";
  // a function without a minimum has no good η: start from the slow one
  applyControls({ variables: "", ...preset, eta: preset.etas?.good ?? preset.etas?.slow });
  resetDescent();
  readingKey = null;  // the new reading must not reset the run (and its note) again
  setStatus($("#descent-status"), "info", preset.note);
  input.reparse();
  if (key === "mse") $("#regression-card").scrollIntoView({ behavior: "smooth", block: "start" });
}

function etaPresets() {
  const preset = PRESETS[state.preset];
  if (preset && preset.etas && preset.text === $("#fn").value) return preset.etas;
  return DEFAULT_ETAS;
}

function range(text, fallback) {
  const parts = String(text).split(/[,\s]+/).filter(Boolean).map(Number);
  if (parts.length === 2 && parts.every(Number.isFinite) && parts[0] < parts[1]) return parts;
  return fallback;
}

/** After a good reading: the variable pickers, the sliders, then results, point and plot. */
/** Names in "x=1, y=2" (empty set when the text cannot be read). */
function assignedNames(text) {
  try { return new Set(Object.keys(parseAssignments(text))); } catch { return new Set(); }
}

const sameNames = (set, list) => set.size === list.length && list.every((v) => set.has(v));
let readingKey = null;

function onReading(data) {
  reading = data;
  syncFromControls();
  // a function typed over a preset's is no longer that preset (menu and permalink say so)
  if (state.preset && PRESETS[state.preset]?.text !== state.text) {
    state.preset = "";
    $("#preset").value = "";
  }
  const vars = data.variables || [];
  // a different function: the old descent run no longer applies, and a point or start written
  // for other variables is replaced by one for these
  const key = (data.expression?.text ?? "") + "|" + vars.join(",");
  if (readingKey !== null && key !== readingKey) contained(resetDescent);
  readingKey = key;
  if ($("#point").value.trim() && !sameNames(assignedNames($("#point").value), vars)) {
    $("#point").value = vars.map((v) => `${v}=1`).join(", ");
  }
  // a direction written for another number of variables: the first axis instead
  const dir = $("#direction").value.trim();
  if (dir && !dir.includes("=") && vars.length && dir.split(/[,\s]+/).filter(Boolean).length !== vars.length) {
    $("#direction").value = vars.map((_, i) => (i === 0 ? "1" : "0")).join(", ");
  }
  if ($("#start").value.trim() && !sameNames(assignedNames($("#start").value), vars)) {
    $("#start").value = vars.map((v) => `${v}=1`).join(", ");
  }
  const params = data.parameters || [];
  for (const [id, key, fallbackIndex] of [["#plot-x", "xVar", 0], ["#plot-y", "yVar", 1]]) {
    const select = clear($(id));
    for (const v of vars) select.append(el("option", { value: v, text: v }));
    const want = vars.includes(state[key]) ? state[key] : vars[fallbackIndex] ?? "";
    select.value = want;
    state[key] = want;
  }
  if (state.xVar === state.yVar && vars.length > 1) { state.yVar = vars.find((v) => v !== state.xVar); $("#plot-y").value = state.yVar; }
  $("#plot-y").disabled = vars.length < 2;
  const others = vars.filter((v) => v !== state.xVar && v !== state.yVar).concat(params);
  for (const k of Object.keys(state.fixed)) if (!others.includes(k)) delete state.fixed[k];
  if (data.sums_over_data) {  // the MSE: no value, picture or descent without the data
    renderSliders([], state.fixed, onSlider);
    refreshResults();
    clearPoint();
    setStatus($("#point-status"), "info", "This function sums over data (Σ over n = 1…N): it has a value only for a data set.",
      "its values, pictures and descent are in the Linear regression section below");
    clearPlots("No picture: f sums over data. The Linear regression section below draws J(θ0, θ1) for a data set.");
    saveHash();
    return;
  }
  renderSliders(others, state.fixed, onSlider);
  refreshResults();
  refreshPoint();
  refreshPlot();
  saveHash();
}

/** Run a step of the input pipeline that redraws pictures: if it fails, say so and carry on, so
 *  the results, the point and the pictures of the next function still come (a picture of the
 *  old function failing must not leave the whole page showing it). */
function contained(fn) {
  try {
    fn();
  } catch (err) {
    setStatus($("#plot-status"), "error", `The pictures could not be updated: ${err?.message || err}`);
  }
}

/** A slider moved: the pictures show the new slice, and the point moves onto it (its
 *  coordinate for that name becomes the slider's value), so drawn and computed agree. */
function onSlider(name, value) {
  const text = $("#point").value;
  try {
    const values = parseAssignments(text);
    if (name in values) $("#point").value = formatAssignments({ ...values, [name]: value });
  } catch { /* an unreadable point: refreshPoint shows why */ }
  refreshPlot();
  refreshPoint();
  saveHash();
}

/** The point as sent: the Point box, plus the sliders' values for the names it leaves out (a
 *  parameter, or a variable off the axes), so the point is where the pictures are drawn. */
function pointRequestText(text) {
  const given = parseAssignments(text);
  const extra = Object.entries(state.fixed).filter(([k]) => !(k in given)).map(([k, v]) => `${k}=${v}`);
  return [text, ...extra].join(", ");
}

/** The sliders follow a point typed with other values for the names they hold (z=3 in the
 *  Point box moves the z slider to 3 and redraws that slice). */
function slidersFollow(point) {
  let moved = false;
  for (const [name, current] of Object.entries(state.fixed)) {
    const value = num(point?.[name]);
    if (value === null || !Number.isFinite(value) || value === current) continue;
    state.fixed[name] = value;
    setSlider(name, value);
    moved = true;
  }
  if (moved) { refreshPlot(); saveHash(); }
}

async function refreshResults() {
  const req = request();
  const body = { text: req.text, variables: variablesField(req.variables), form: $("#form").value };
  const result = await post("gradient", body, "gradient");
  if (result.aborted) return;
  if (!result.ok) { setStatus($("#input-status"), "error", result.error.message, result.error.hint); markStale(); firstResultsShown(); return; }
  showResults(result.data);
  firstResultsShown();  // typeset: Plotly may take the main thread now
  // steps separately: they take longer, and a function without steps still gets its answer
  const steps = await post("gradient", { ...body, steps: true }, "steps");
  if (steps.aborted) return;
  const variables = result.data.variables || [];
  if (steps.ok && steps.data.steps) renderSteps($("#steps"), steps.data.steps, variables);
  else showStepsError($("#steps"), steps.ok ? { message: "none given" } : steps.error);
}

async function refreshPoint() {
  const text = $("#point").value.trim();
  if (!text || !reading) { clearPoint(); setOverlay({ point: null }); return; }
  let at;
  try { at = pointRequestText(text); } catch (err) { setStatus($("#point-status"), "error", err.message); return; }
  const req = request();
  const direction = $("#direction").value.trim();
  const result = await post("gradient", {
    text: req.text, variables: variablesField(req.variables), at, direction: direction || null, form: $("#form").value,
  }, "point");
  if (result.aborted) return;
  if (!result.ok) {
    setStatus($("#point-status"), "error", result.error.message, result.error.hint);
    clearPoint();
    setOverlay({ point: null });
    return;
  }
  setStatus($("#point-status"), "", "");
  const data = result.data;
  slidersFollow(data.at?.point);
  showPoint(data);
  const variables = data.variables || reading.variables || [];
  const pt = pointValues(data.at, variables);
  const g = gradientAt(data.at, variables);
  const ix = variables.indexOf(state.xVar), iy = variables.indexOf(state.yVar);
  setOverlay({ point: { x: pt[ix], y: iy >= 0 ? pt[iy] : null, f: num(data.at.value), g: iy >= 0 ? [g[ix], g[iy]] : [g[ix]] } });
  $("#point-card").dataset.point = text;
}

async function refreshPlot() {
  if (!reading) return;
  syncFromControls();
  const vars = reading.variables || [];
  if (!vars.length) { clearPlots("A constant function: nothing to plot."); return; }
  const req = request();
  const body = {
    text: req.text, variables: variablesField(req.variables), x_var: state.xVar, y_var: vars.length > 1 ? state.yVar : null,
    x_range: range(state.xRange, [-3, 3]), fixed: { ...state.fixed },
  };
  if (vars.length > 1) body.y_range = range(state.yRange, [-3, 3]);
  setStatus($("#plot-status"), "info", "Drawing…");
  const result = await loadGrid(body);
  if (result.aborted) return;
  if (result.error) {
    clearPlots();
    setStatus($("#plot-status"), "error", "No picture: " + result.error.message, result.error.hint);
    return;
  }
  setStatus($("#plot-status"), "", "");
  draw();
}

/** A click on the contour plot: set the point (or the descent start), then recompute. */
function onClick(x, y, shift) {
  if (!reading) return;
  const vars = reading.variables || [];
  const values = { [state.xVar]: x };
  if (vars.length > 1) values[state.yVar] = y;
  for (const v of vars) if (!(v in values)) values[v] = state.fixed[v] ?? 0;
  const text = vars.map((v) => `${v}=${fmt(values[v], 4)}`).join(", ");
  const mode = document.querySelector("input[name='click-mode']:checked")?.value;
  if (shift || mode === "start") {
    $("#start").value = text;
    saveHash();
    startDescent();
    return;
  }
  $("#point").value = text;
  refreshPoint();
  saveHash();
}

let mappedFor = null;
let mapped = [];

/** The descent path in plot coordinates (x_var, y_var, f), computed once per run. */
function onPath(path, index, values) {
  if (path !== mappedFor) {
    const variables = reading?.variables || [];
    const ix = variables.indexOf(state.xVar), iy = variables.indexOf(state.yVar);
    mapped = path.map((p, i) => [p[ix], iy >= 0 ? p[iy] : 0, num(values?.[i])]);
    mappedFor = path;
  }
  setOverlay({ path: mapped, pathIndex: index });
}

function init() {
  const embed = isEmbed();
  document.body.classList.toggle("embed", embed);
  const saved = readState();
  initTheme(saved.theme);
  onThemeChange(() => { draw(); redrawRegression(); saveHash(); });
  typesetStatic();
  const select = $("#preset");
  for (const [key, preset] of Object.entries(PRESETS)) select.append(el("option", { value: key, text: preset.label }));
  select.addEventListener("change", () => applyPreset(select.value));

  input = initInput({ onReading, onInvalid: () => { markStale(); saveHash(); firstResultsShown(); }, onEdit: () => saveHash() });
  initResults({ getRequest: request });
  initDescent({ getRequest: descentRequest, etaPresets, onPath, onChange: () => saveHash() });
  initRegression({ onChange: () => saveHash() });
  onPlotClick(onClick);

  $("#form").addEventListener("change", () => { refreshResults(); refreshPoint(); saveHash(); });
  $("#point-form").addEventListener("submit", (event) => { event.preventDefault(); refreshPoint(); saveHash(); });
  $("#direction").addEventListener("change", () => { refreshPoint(); saveHash(); });
  for (const id of ["#plot-x", "#plot-y"]) {
    $(id).addEventListener("change", () => {
      syncFromControls();
      if (reading) onReading(reading);
    });
  }
  for (const id of ["#x-range", "#y-range"]) $(id).addEventListener("change", () => { refreshPlot(); saveHash(); });
  $("#show-arrows").addEventListener("change", () => draw());
  $("#permalink").addEventListener("click", async () => {
    syncFromControls();
    saveHash.now();
    const ok = await copyText(window.location.href);
    $("#permalink").textContent = ok ? "Link copied" : "Copy the address bar";
    setTimeout(() => { $("#permalink").textContent = "Copy link"; }, 2000);
  });

  if (saved.fixed) for (const part of saved.fixed.split(",")) { const [k, v] = part.split("="); if (k && Number.isFinite(Number(v))) state.fixed[k] = Number(v); }
  if (saved.preset && PRESETS[saved.preset]) { state.preset = saved.preset; select.value = saved.preset; }
  if (saved.regData) {
    setPoints(saved.regData.split(";").map((p) => p.split(",").map(Number)).filter((p) => p.length === 2 && p.every(Number.isFinite)), { refit: false });
  } else {
    setPoints(generate(20, 1, 7), { refit: false });
  }
  if (saved.regScale !== undefined) $("#reg-scale").checked = saved.regScale !== "0";
  if (saved.regEta) $("#reg-eta").value = saved.regEta;
  if (saved.regEpochs) $("#reg-epochs").value = saved.regEpochs;
  if (saved.text !== undefined) {
    applyControls(saved);
    input.reparse();
  } else {
    applyPreset("chapter");
  }
  runFit();
  loadPlotly().catch((err) => setStatus($("#plot-status"), "error", err.message));
  window.addEventListener("hashchange", () => {
    const next = readState();
    pause();
    applyControls(next);
    input.reparse();
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
