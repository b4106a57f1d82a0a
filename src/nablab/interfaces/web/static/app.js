// nablab's page: wires the modules together and keeps the whole view in one state object,
// mirrored in the URL hash (permalink). Plain ES modules, no build step; KaTeX is loaded before
// this module by index.html, Plotly right after it by vendor.js, both from /vendor/ (same origin).

import { abort, post, variablesField } from "./api.js";
import { edited, track } from "./busy.js";
import { $, clear, copyText, debounce, el, fmt, formatAssignments, parseAssignments, setStatus } from "./dom.js";
import {
  chooseMethods, chosenMethods, initDescent, lineSearches, pause, resetDescent, setEta, setLineSearches, setOptions,
  start as startDescent, typedOptions,
} from "./descent.js";
import { clearGraph, initGraph, refreshGraph } from "./graph.js";
import { initInput, setVariables, variablesText } from "./input.js";
import { typesetStatic } from "./math.js";
import { METHODS, parametersText, parseParameters } from "./optimizers.js";
import { isEmbed, readState, writeState } from "./permalink.js";
import { clearPlots, draw, loadGrid, onPlotClick, plotBody, renderSliders, setGrid, setOverlay, setSlider } from "./plots.js";
import { clearPoint, gradientAt, num, pointValues, showPoint } from "./point.js";
import { DEFAULT_ETAS, PRESETS } from "./presets.js";
import {
  applyRegressionState, generate, getPoints, initRegression, redrawRegression, regressionState, runFit, setPoints,
} from "./regression.js";
import { initResults, markStale, showResults } from "./results.js";
import { renderSteps, showStepsError } from "./steps.js";
import { initTheme, OKABE_ITO, onThemeChange } from "./theme.js";
import { firstResultsShown, loadPlotly } from "./vendor.js";

const state = {
  text: "", variables: "", form: "simplified", point: "", direction: "", xVar: "", yVar: "",
  xRange: "-3, 3", yRange: "-3, 3", fixed: {}, eta: 0.1, iterations: 100, start: "", preset: "",
};
let reading = null;   // last good /api/parse answer
let input = null;

// One request per edit: the debounced reading asks /api/lab for the reading, the partials with
// steps, the point and the plot together (docs/web-page.md). `lab` is that answer with what was
// asked; each panel takes its part only if it asked for what the panel now needs, else it asks
// its own endpoint. `?multi=1` keeps the old flow (parse, then one request per panel) for
// comparison (bench/bench_edit.py); it is also the way back when /api/lab answers an error.
const MULTI = new URLSearchParams(window.location.search).get("multi") === "1";
let lab = null;
// a token per panel: an answer lands only if no newer request (or lab answer) for that panel
// was made since it was asked (stale answers never overwrite newer ones)
const tokens = { results: 0, point: 0, plot: 0 };
const SAME = (a, b) => JSON.stringify(a) === JSON.stringify(b);

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
  const methods = chosenMethods();
  state.method = methods.length === 1 && methods[0] === "gd" ? "" : methods.join(",");
  state.lineSearch = Object.entries(lineSearches()).map(([m, v]) => `${m}:${v}`).join(",");
  state.opt = parametersText(typedOptions());
}

const saveHash = debounce(() => {
  syncFromControls();
  const pts = getPoints();
  writeState({
    ...state,
    fixed: Object.entries(state.fixed).map(([k, v]) => `${k}=${v}`).join(","),
    regData: pts.length <= 60 ? pts.map((p) => p.join(",")).join(";") : "",
    regScale: $("#reg-scale").checked ? "" : "0",  // on by default
    regEta: $("#reg-eta").value, regEpochs: $("#reg-epochs").value, ...regressionState(),
    theme: document.documentElement.dataset.theme || "",
  });
  $("#full-page").href = "/" + window.location.hash;  // the embed's link: the same view, full
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
  if (s.method !== undefined) chooseMethods(String(s.method || "gd").split(","));
  if (s.lineSearch !== undefined) setLineSearches(Object.fromEntries(String(s.lineSearch).split(",").filter(Boolean).map((p) => p.split(":"))));
  if (s.opt !== undefined) setOptions(parseParameters(s.opt));
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
    const answer = lab;
    lab = null;
    track(refreshResults(answer));
    tokens.point += 1;
    tokens.plot += 1;  // a picture still being drawn is stale: its "Drawing…" goes too
    setStatus($("#plot-status"), "", "");
    clearPoint();
    clearGraph("No graph: f sums over data, so it has no value at a point without the data.");
    setStatus($("#point-status"), "info", "This function sums over data (Σ over n = 1…N): it has a value only for a data set.",
      "its values, pictures and descent are in the Linear regression section below");
    clearPlots("No picture: f sums over data. The Linear regression section below draws J(θ0, θ1) for a data set.");
    saveHash();
    return;
  }
  renderSliders(others, state.fixed, onSlider);
  const answer = lab;
  lab = null;
  track(refreshResults(answer));
  track(refreshPoint(answer));
  track(refreshPlot(answer));
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
  edited();
  track(refreshPlot());
  track(refreshPoint());
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
  if (moved) { track(refreshPlot()); saveHash(); }
}

function resultsBody() {
  const req = request();
  return { text: req.text, variables: variablesField(req.variables), form: $("#form").value };
}

/** Partials, ∇f, domain and steps: from the edit's lab answer when it asked for this form,
 *  else /api/gradient, then the steps separately (slower; a function without steps still gets
 *  its answer). */
async function refreshResults(answer = null) {
  const my = ++tokens.results;
  const body = resultsBody();
  if (answer && SAME(answer.asked.results, body)) {
    abort("gradient");
    abort("steps");
    showResults(answer.data.gradient);
    firstResultsShown();
    if (!answer.data.gradient.steps) showStepsError($("#steps"), { message: "none given" });
    return;
  }
  const result = await post("gradient", body, "gradient");
  if (result.aborted || my !== tokens.results) return;
  if (!result.ok) { setStatus($("#input-status"), "error", result.error.message, result.error.hint); markStale(); firstResultsShown(); return; }
  showResults(result.data);
  firstResultsShown();  // typeset: Plotly may take the main thread now
  const steps = await post("gradient", { ...body, steps: true }, "steps");
  if (steps.aborted || my !== tokens.results) return;
  const variables = result.data.variables || [];
  if (steps.ok && steps.data.steps) renderSteps($("#steps"), steps.data.steps, variables);
  else showStepsError($("#steps"), steps.ok ? { message: "none given" } : steps.error);
}

/** The point's request (null: no point, or one the page cannot read, with its message). */
function pointBody() {
  const text = $("#point").value.trim();
  if (!text) return { body: null };
  let at;
  try { at = pointRequestText(text); } catch (err) { return { body: null, error: err.message }; }
  const req = request();
  const direction = $("#direction").value.trim();
  return { body: { text: req.text, variables: variablesField(req.variables), at, direction: direction || null, form: $("#form").value } };
}

async function refreshPoint(answer = null) {
  const my = ++tokens.point;
  const text = $("#point").value.trim();
  if (!text || !reading) { abort("point"); clearPoint(); clearGraph("Choose a point (the At a point box, or click the contour plot) to see the graph there."); return setOverlay({ point: null }); }
  const { body, error } = pointBody();
  if (!body) { abort("point"); setStatus($("#point-status"), "error", error); clearGraph("No point: " + error); return; }
  let data;
  if (answer && answer.data.gradient?.at && SAME(answer.asked.point, body)) {
    abort("point");
    data = answer.data.gradient;
  } else {
    const result = await post("gradient", body, "point");
    if (result.aborted || my !== tokens.point) return;
    if (!result.ok) {
      setStatus($("#point-status"), "error", result.error.message, result.error.hint);
      clearPoint();
      clearGraph("No graph: the point has no answer (see At a point).");
      return setOverlay({ point: null });
    }
    data = result.data;
  }
  setStatus($("#point-status"), "", "");
  slidersFollow(data.at?.point);
  showPoint(data);
  const variables = data.variables || reading.variables || [];
  const pt = pointValues(data.at, variables);
  const g = gradientAt(data.at, variables);
  const ix = variables.indexOf(state.xVar), iy = variables.indexOf(state.yVar);
  $("#point-card").dataset.point = text;
  track(refreshGraph(body));
  return setOverlay({ point: { x: pt[ix], y: iy >= 0 ? pt[iy] : null, f: num(data.at.value), g: iy >= 0 ? [g[ix], g[iy]] : [g[ix]] } });
}

/** The /api/plot request for the current reading and controls (null: nothing to plot). */
function plotRequest(vars) {
  const req = request();
  const body = {
    text: req.text, variables: variablesField(req.variables), x_var: state.xVar, y_var: vars.length > 1 ? state.yVar : null,
    x_range: range(state.xRange, [-3, 3]), fixed: { ...state.fixed },
  };
  if (vars.length > 1) body.y_range = range(state.yRange, [-3, 3]);
  return body;
}

/** Does a grid answer the plot request (same axes, ranges and fixed values)? The lab request
 *  is made before the reading, so it may have asked for other axes or sliders. */
function gridAnswers(g, body) {
  if (!g || !Array.isArray(g.x) || g.x_var !== body.x_var || (g.y_var ?? null) !== (body.y_var ?? null)) return false;
  const ends = (a) => [a[0], a[a.length - 1]];
  if (!SAME(ends(g.x), body.x_range)) return false;
  if (body.y_var && (!Array.isArray(g.y) || !SAME(ends(g.y), body.y_range))) return false;
  const fixed = g.fixed || {};
  const want = body.fixed || {};
  return Object.keys(want).every((k) => Number(fixed[k]) === want[k]) && Object.keys(fixed).every((k) => k in want);
}

async function refreshPlot(answer = null) {
  const my = ++tokens.plot;
  // every way out says what the pictures show now: a superseded "Drawing…" never stays
  if (!reading) { abort("plot"); setStatus($("#plot-status"), "", ""); return; }
  syncFromControls();
  const vars = reading.variables || [];
  if (!vars.length) {
    abort("plot");
    setStatus($("#plot-status"), "", "");
    clearPlots("A constant function: nothing to plot.");
    return;
  }
  const body = plotRequest(vars);
  if (answer && answer.data.plot && gridAnswers(answer.data.plot, body)) {
    abort("plot");
    setGrid(answer.data.plot);
    setStatus($("#plot-status"), "", "");
    return draw();
  }
  setStatus($("#plot-status"), "info", "Drawing…");
  const result = await loadGrid(body);
  if (result.aborted || my !== tokens.plot) return;
  if (result.error) {
    clearPlots();
    setStatus($("#plot-status"), "error", "No picture: " + result.error.message, result.error.hint);
    return;
  }
  setStatus($("#plot-status"), "", "");
  return draw();
}

/** The reading for an edit, with every panel's answer in the same request (/api/lab). What is
 *  asked is what the panels will need if the reading keeps the current variables; a panel
 *  whose needs changed with the reading asks its own endpoint. On an error the page goes back
 *  to the separate requests, so each panel says what went wrong with it. */
async function readAll(text, variables) {
  lab = null;
  if (MULTI) return post("parse", { text, variables }, "parse");
  syncFromControls();
  state.text = text;
  const prev = reading?.variables || [];
  const results = { text, variables, form: $("#form").value };
  const { body: point } = pointBody();
  const body = { ...results, steps: true };
  if (point) { body.at = point.at; if (point.direction) body.direction = point.direction; }
  // the axes only when the user chose them (else the server's: the first two variables)
  const chosen = state.xVar && !(state.xVar === prev[0] && (state.yVar || "") === (prev[1] || ""));
  const plot = {
    x_range: range(state.xRange, [-3, 3]), y_range: range(state.yRange, [-3, 3]),
    fixed: { ...state.fixed }, ...plotBody({}),
  };
  if (chosen) { plot.x_var = state.xVar; if (state.yVar) plot.y_var = state.yVar; }
  body.plot = plot;
  const result = await post("lab", body, "lab");
  if (result.aborted) return result;
  if (result.ok && result.data?.parse && result.data?.gradient) {
    lab = { asked: { results, point }, data: result.data };
    return { ok: true, data: result.data.parse };
  }
  // an error (the reading's, or a panel's): the separate requests say which part failed
  return post("parse", { text, variables }, "parse");
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
  edited();
  track(refreshPoint());
  saveHash();
}

let mappedFor = null;
let mapped = [];

/** The descent runs' paths in plot coordinates (x_var, y_var, f), computed once per set of
 *  runs: one run is "descent path" as ever, several are named and coloured by method. */
function onPaths(runs, index) {
  if (runs !== mappedFor) {
    const variables = reading?.variables || [];
    const ix = variables.indexOf(state.xVar), iy = variables.indexOf(state.yVar);
    const one = runs.length === 1;
    mapped = runs.map((r) => {
      const m = METHODS[r.method] || { label: r.method, color: OKABE_ITO.purple, dash: "solid" };
      return {
        name: one ? "descent path" : `descent path (${m.label})`, position: one ? "descent position" : `descent position (${m.label})`,
        label: one ? "" : m.label, color: one ? OKABE_ITO.purple : m.color, dash: one ? "solid" : m.dash,
        points: r.path.map((p, i) => [p[ix], iy >= 0 ? p[iy] : 0, num(r.values?.[i])]),
      };
    });
    mappedFor = runs;
  }
  setOverlay({ paths: mapped, pathIndex: index });
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

  input = initInput({ onReading, onInvalid: () => { markStale(); saveHash(); firstResultsShown(); }, onEdit: () => saveHash(), read: readAll });
  initResults({ getRequest: request });
  initDescent({ getRequest: descentRequest, etaPresets, onPaths, onChange: () => saveHash() });
  initGraph();
  initRegression({ onChange: () => saveHash() });
  onPlotClick(onClick);

  $("#form").addEventListener("change", () => { edited(); track(refreshResults()); track(refreshPoint()); saveHash(); });
  $("#point-form").addEventListener("submit", (event) => { event.preventDefault(); edited(); track(refreshPoint()); saveHash(); });
  $("#direction").addEventListener("change", () => { edited(); track(refreshPoint()); saveHash(); });
  for (const id of ["#plot-x", "#plot-y"]) {
    $(id).addEventListener("change", () => {
      syncFromControls();
      edited();
      if (reading) onReading(reading);
    });
  }
  for (const id of ["#x-range", "#y-range"]) $(id).addEventListener("change", () => { edited(); track(refreshPlot()); saveHash(); });
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
  applyRegressionState(saved);
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
