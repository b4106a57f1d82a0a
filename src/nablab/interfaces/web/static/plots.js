// Pictures: contours of f with ∇f arrows, the level curve through the point and its tangent
// (equal axis scales, so ∇f ⟂ level curve is visible), a 3-D surface with the point and the
// descent path, and a text summary of each. Grids come from /api/plot (docs/http-api.md).

import { post } from "./api.js";
import { $, cancelWhenVisible, clear, el, fmt, setStatus, whenVisible } from "./dom.js";
import { eventToData } from "./plotcoords.js";
import { OKABE_ITO, plotColors, PLOT_CONFIG, SURFACE_CONFIG } from "./theme.js";
import { loadPlotly } from "./vendor.js";

export const GRID_N = 61;
export const ARROWS_M = 15;

let grid = null;           // last /api/plot answer
let overlay = {};          // {point, paths: [{name, position, color, dash, points}], pathIndex}
let clickHandler = null;

export function currentGrid() { return grid; }

/** The /api/plot body for a request (the grid sizes the pictures are drawn with). */
export function plotBody(request) {
  return { ...request, n: GRID_N, arrows: ARROWS_M };
}

export async function loadGrid(request) {
  const result = await post("plot", plotBody(request), "plot");
  if (result.aborted) return { aborted: true };
  if (!result.ok) return { error: result.error };
  grid = result.data;
  return { grid };
}

/** Use a grid that came with the edit's /api/lab answer. */
export function setGrid(g) {
  grid = g;
}

export function clearPlots(message) {
  grid = null;
  for (const id of ["contour", "surface"]) emptyPlot($("#" + id));
  $("#contour-summary").textContent = message || "";
  $("#surface-summary").textContent = "";
}

/** Remove a picture, and any redraw of it still waiting to scroll into view. */
function emptyPlot(node) {
  cancelWhenVisible(node);
  if (window.Plotly && node.data) window.Plotly.purge(node);
  clear(node);
  node.classList.add("empty");  // collapsed: no tall blank box under a "no picture" caption
}

/** True when the grid has at least one finite value of f (the API sends null for the rest). */
export function hasFiniteValues(g) {
  const rows = g.y === null || g.y === undefined ? [g.z] : g.z;
  return (rows || []).some((row) => (row || []).some((v) => v !== null && Number.isFinite(v)));
}

/** A function never finite in the window (sqrt(-1 - x² - y²), or one that overflows
 *  everywhere): Plotly cannot draw contours of an all-null grid, so say why there is no picture. */
function showNoValues(g) {
  const where = `${g.x_var} ∈ [${fmt(g.x[0], 3)}, ${fmt(g.x[g.x.length - 1], 3)}]`
    + (g.y ? `, ${g.y_var} ∈ [${fmt(g.y[0], 3)}, ${fmt(g.y[g.y.length - 1], 3)}]` : "");
  const message = `f has no finite values in this window (${where}): nothing to draw.`;
  clearPlots(message);
  setStatus($("#plot-status"), "error", message,
    "change the ranges to where f is defined (see the Domain above) and not too large to compute.");
}

/** A redraw that failed: say so where the pictures are, and leave the rest of the page working
 *  (the redraw may run inside the input pipeline, which must not stop on a picture). */
function drawFailed(err) {
  setStatus($("#plot-status"), "error", `The pictures could not be drawn: ${err?.message || err}`,
    "change the function or the ranges; the results above are not affected.");
}

export function setOverlay(next) {
  const pathOnly = Object.keys(next).every((k) => k === "paths" || k === "pathIndex")
    && next.paths === overlay.paths && (next.paths || []).length > 0;
  overlay = { ...overlay, ...next };
  try {
    if (pathOnly && movePath()) return Promise.resolve();
  } catch (err) {
    drawFailed(err);
    return Promise.resolve();
  }
  return draw();
}

let lastSurfaceDraw = 0;

/** During playback only the paths move: restyle their traces instead of redrawing
 *  contours and arrows, and redraw the (WebGL) surface at most a few times a second. */
function movePath() {
  const gd = $("#contour");
  if (!window.Plotly || !grid || !gd.data || oneVariable()) return false;
  const xs = [], ys = [], which = [];
  for (const path of visiblePaths()) {
    const iPath = gd.data.findIndex((t) => t.name === path.name);
    const iPos = gd.data.findIndex((t) => t.name === path.position);
    if (iPath < 0 || iPos < 0 || !path.points.length) return false;
    const pts = path.points;
    const last = pts[pts.length - 1];
    xs.push(pts.map((q) => q[0]), [last[0]]);
    ys.push(pts.map((q) => q[1]), [last[1]]);
    which.push(iPath, iPos);
  }
  if (!which.length) return false;
  window.Plotly.restyle(gd, { x: xs, y: ys }, which);
  const atEnd = (overlay.paths || []).every((path) => (overlay.pathIndex ?? 0) >= path.points.length - 1);
  const now = performance.now();
  // a WebGL redraw is slow without a GPU: during playback the surface catches up every 1.5 s
  if (atEnd || now - lastSurfaceDraw > 1500) { lastSurfaceDraw = now; drawSurface(plotColors()); }
  summarise(grid);
  return true;
}

function axisStyle(colors, title) {
  return { title: { text: title }, color: colors.fg, gridcolor: colors.grid, zerolinecolor: colors.muted, constrain: "domain" };
}

/** The cap for arrow lengths: the 75th percentile of ‖∇f‖ over the arrow grid, so a few steep
 *  places (Rosenbrock's walls) do not shrink every other arrow to a dot. */
export function arrowCap(a) {
  const norms = [];
  for (let i = 0; i < a.y.length; i++) {
    for (let j = 0; j < a.x.length; j++) {
      const u = a.u[i][j], v = a.v[i][j];
      if (u !== null && v !== null && Number.isFinite(u) && Number.isFinite(v)) norms.push(Math.hypot(u, v));
    }
  }
  norms.sort((p, q) => p - q);
  if (!norms.length || norms[norms.length - 1] === 0) return 0;
  const cap = norms[Math.min(norms.length - 1, Math.floor(0.75 * norms.length))];
  return cap > 0 ? cap : norms[norms.length - 1];
}

function arrowTrace(g, colors) {
  const a = g.arrows;
  if (!a || !a.x || !a.u) return null;
  const cap = arrowCap(a);
  if (!cap) return null;
  const xs = [], ys = [], sizes = [];
  const dx = a.x.length > 1 ? Math.abs(a.x[1] - a.x[0]) : 1;
  const dy = a.y && a.y.length > 1 ? Math.abs(a.y[1] - a.y[0]) : dx;
  const full = 0.85 * Math.min(dx, dy);
  for (let i = 0; i < a.y.length; i++) {
    for (let j = 0; j < a.x.length; j++) {
      const u = a.u[i][j], v = a.v[i][j];
      if (u === null || v === null || !Number.isFinite(u) || !Number.isFinite(v) || (u === 0 && v === 0)) continue;
      const norm = Math.hypot(u, v);
      const length = (full * Math.min(norm, cap)) / cap;  // proportional to ‖∇f‖ up to the cap
      const x0 = a.x[j], y0 = a.y[i];
      xs.push(x0, x0 + (length * u) / norm, null);
      ys.push(y0, y0 + (length * v) / norm, null);
      sizes.push(0, norm >= cap ? 8 : 6, 0);
    }
  }
  return {
    type: "scatter", mode: "lines+markers", name: "∇f (length capped)", x: xs, y: ys, hoverinfo: "skip",
    line: { color: colors.muted, width: 1.2 },
    marker: { symbol: "arrow", angleref: "previous", size: sizes, color: colors.muted },
  };
}

/** Contour levels that follow the data: when f spans decades over the grid (the lowest half of
 *  the values squeezed into less than an eighth of the range, as in Rosenbrock's valley), the
 *  contours are drawn evenly in log(f − min f + δ) instead of f, so the valley gets its share of
 *  lines; the colour bar is labelled in f. Returns null for evenly spaced levels. */
const levelCache = new WeakMap();

export function logLevels(g) {
  if (!levelCache.has(g)) levelCache.set(g, computeLevels(g));
  return levelCache.get(g);
}

function computeLevels(g) {
  const values = [];
  for (const row of g.z) for (const v of row) if (v !== null && Number.isFinite(v)) values.push(v);
  if (values.length < 4) return null;
  values.sort((p, q) => p - q);
  const lo = values[0], hi = values[values.length - 1], median = values[Math.floor(values.length / 2)];
  if (!(hi > lo) || (hi - lo) / Math.max(median - lo, Number.MIN_VALUE) <= 8) return null;
  const delta = 1e-3 * (hi - lo);
  const t = (v) => Math.log10(v - lo + delta);
  const z = g.z.map((row) => row.map((v) => (v === null || !Number.isFinite(v) ? null : t(v))));
  const tickvals = [], ticktext = [];
  for (let k = 0; k <= 5; k++) {
    const w = t(lo) + ((t(hi) - t(lo)) * k) / 5;
    tickvals.push(w);
    ticktext.push(fmt(lo - delta + 10 ** w, 3));
  }
  return { z, tickvals, ticktext, lo, hi, delta };
}

function contourData(g, colors) {
  const levels = logLevels(g);
  const traces = [{
    type: "contour", name: "f", x: g.x, y: g.y, z: levels ? levels.z : g.z, colorscale: "Viridis", ncontours: 22,
    contours: { coloring: "lines", showlabels: false }, line: { width: 1.6 }, connectgaps: false,
    colorbar: { title: { text: levels ? "f (log-spaced)" : "f" }, tickfont: { color: colors.fg }, thickness: 12,
      ...(levels ? { tickmode: "array", tickvals: levels.tickvals, ticktext: levels.ticktext } : {}) },
    ...(levels ? { text: g.z.map((row) => row.map((v) => (v === null ? "" : fmt(v, 4)))) } : {}),
    hovertemplate: `${g.x_var}=%{x:.3g}, ${g.y_var}=%{y:.3g}<br>f=${levels ? "%{text}" : "%{z:.4g}"}<extra></extra>`,
  }];
  if ($("#show-arrows").checked) {
    const arrows = arrowTrace(g, colors);
    if (arrows) traces.push(arrows);
  }
  const p = overlay.point;
  if (p && Number.isFinite(p.x) && Number.isFinite(p.y)) {
    if (Number.isFinite(p.f)) {
      traces.push({
        type: "contour", name: "level curve through the point", x: g.x, y: g.y, z: g.z, showscale: false,
        autocontour: false, contours: { coloring: "none", start: p.f, end: p.f, size: 1, showlabels: false },
        line: { color: OKABE_ITO.vermillion, width: 3 }, hoverinfo: "skip", showlegend: true,
      });
    }
    if (p.g && Number.isFinite(p.g[0]) && Number.isFinite(p.g[1]) && (p.g[0] !== 0 || p.g[1] !== 0)) {
      const width = g.x[g.x.length - 1] - g.x[0];
      const norm = Math.hypot(p.g[0], p.g[1]);
      const t = [-p.g[1] / norm, p.g[0] / norm];
      const half = 0.22 * width;
      traces.push({
        type: "scatter", mode: "lines", name: "tangent to the level curve",
        x: [p.x - half * t[0], p.x + half * t[0]], y: [p.y - half * t[1], p.y + half * t[1]],
        line: { color: OKABE_ITO.vermillion, width: 2, dash: "dash" }, hoverinfo: "skip",
      });
      const len = 0.18 * width;
      traces.push({
        type: "scatter", mode: "lines+markers", name: "∇f at the point (direction)",
        x: [p.x, p.x + len * p.g[0] / norm], y: [p.y, p.y + len * p.g[1] / norm],
        line: { color: OKABE_ITO.blue, width: 3 },
        marker: { symbol: "arrow", angleref: "previous", size: [0, 14], color: OKABE_ITO.blue }, hoverinfo: "skip",
      });
    }
    traces.push({
      type: "scatter", mode: "markers", name: "point", x: [p.x], y: [p.y],
      marker: { size: 11, color: OKABE_ITO.orange, line: { color: colors.fg, width: 1.5 } },
      hovertemplate: `point (%{x:.4g}, %{y:.4g})<extra></extra>`,
    });
  }
  const several = (overlay.paths || []).length > 1;
  for (const path of visiblePaths()) {
    const pts = path.points;
    if (!pts.length) continue;
    traces.push({
      type: "scatter", mode: "lines+markers", name: path.name, x: pts.map((q) => q[0]), y: pts.map((q) => q[1]),
      line: { color: path.color, width: 2, dash: path.dash || "solid" }, marker: { size: 5, color: path.color },
      legendgroup: path.name, hovertemplate: `${path.label ? path.label + " " : ""}step %{pointNumber}: (%{x:.4g}, %{y:.4g})<extra></extra>`,
    });
    const last = pts[pts.length - 1];
    traces.push({
      type: "scatter", mode: "markers", name: path.position, x: [last[0]], y: [last[1]], legendgroup: path.name, showlegend: !several,
      marker: { size: 12, symbol: "diamond", color: path.color, line: { color: colors.fg, width: 1.5 } },
    });
  }
  return traces;
}

/** Each descent path up to the step being shown (a run shorter than that: all of it). */
function visiblePaths() {
  return (overlay.paths || []).map((path) => {
    const k = Math.min(path.points.length, (overlay.pathIndex ?? path.points.length - 1) + 1);
    return { ...path, points: path.points.slice(0, k) };
  });
}

function oneVariable() {
  return !!grid && (grid.y === null || grid.y === undefined);
}

/** The legend explains the colours (vermillion level curve, blue ∇f, orange point, purple
 *  path): above the plot on a wide screen, below it on a phone, where the plot is narrow. */
function baseLayout(colors) {
  const wide = window.innerWidth >= 600;
  return {
    paper_bgcolor: colors.bg, plot_bgcolor: colors.bg, font: { color: colors.fg, family: "DejaVu Sans, sans-serif" },
    margin: { l: 50, r: 10, t: wide ? 50 : 10, b: 45 }, showlegend: true,
    legend: wide ? { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { size: 11 } }
      : { orientation: "h", x: 0, y: -0.12, yanchor: "top", font: { size: 10 } },
  };
}

/** Redraw the pictures from the last grid and the overlay. Never throws: a failure is shown in
 *  the pictures' status line, so callers (the input pipeline, descent playback) carry on. */
let queued = null;

/** Redraw soon: every draw asked for in the same task (a new reading resets the descent path,
 *  moves the point and brings a new grid) becomes one redraw of the latest grid and overlay.
 *  Resolves once the contour plot is drawn. */
export function draw() {
  if (!queued) {
    queued = new Promise((resolve) => {
      setTimeout(() => { queued = null; resolve(drawNow()); }, 0);
    });
  }
  return queued;
}

function drawNow() {
  if (!grid) return Promise.resolve();
  if (!window.Plotly) return loadPlotly().then(drawNow).catch(drawFailed);
  try {
    return drawGrid(grid) || Promise.resolve();
  } catch (err) {
    drawFailed(err);
    return Promise.resolve();
  }
}

function drawGrid(g) {
  if (!hasFiniteValues(g)) { showNoValues(g); return; }
  const colors = plotColors();
  if (g.y === null || g.y === undefined) return drawOneVariable(g, colors);
  const xRange = [g.x[0], g.x[g.x.length - 1]];
  const yRange = [g.y[0], g.y[g.y.length - 1]];
  const layout = {
    ...baseLayout(colors), dragmode: false, hovermode: "closest",
    xaxis: { ...axisStyle(colors, g.x_var), range: xRange },
    yaxis: { ...axisStyle(colors, g.y_var), range: yRange, scaleanchor: "x", scaleratio: 1 },
  };
  const drawn = plotAfresh($("#contour"), contourData(g, colors), layout);
  summarise(g);
  // the (WebGL, slow without a GPU) surface after the contour plot, which the edit waits for
  drawn.then(() => setTimeout(() => { if (grid === g) drawSurface(plotColors()); }, 0));
  return drawn;
}

/** Plotly.react, or a fresh plot when updating in place fails: Plotly's contour throws
 *  ("reading 'z'") when it redraws a grid that is mostly null (f overflowing nearly everywhere,
 *  as (x+y+1)^99999 (x-y)^99999) although it draws the same grid from scratch. A fresh plot
 *  that fails too is reported by draw(). */
function plotAfresh(node, traces, layout) {
  node.classList.remove("empty");
  let drawn;
  try {
    drawn = window.Plotly.react(node, traces, layout, PLOT_CONFIG);
  } catch {
    window.Plotly.purge(node);
    drawn = window.Plotly.newPlot(node, traces, layout, PLOT_CONFIG);
  }
  return drawn.then(attachClick).catch(drawFailed);
}

function drawSurface(colors) {
  const g = grid;
  if (!g || g.y === null || g.y === undefined || !window.Plotly) return;
  // level lines on the surface only where f is defined on the whole grid: with holes (sqrt
  // outside its domain) Plotly's surface contours hold the page for seconds per draw without a
  // GPU, and the contour plot beside it shows the same level sets
  const complete = g.z.every((row) => row.every((v) => v !== null && Number.isFinite(v)));
  const surface = [{
    type: "surface", x: g.x, y: g.y, z: g.z, colorscale: "Cividis", showscale: false, opacity: 0.92,
    ...(complete ? { contours: { z: { show: true, usecolormap: true, project: { z: true } } } } : {}), name: "f",
  }];
  // the scene is the grid's box: a point or a descent path far outside it (a diverging run
  // reaches x = 4e4, f = -5e13) is cut at the box instead of stretching the axes around it,
  // which would shrink the surface to a dot
  const box = sceneBox(g);
  const p = overlay.point;
  if (p && inBox(box, [p.x, p.y, p.f])) {
    surface.push({ type: "scatter3d", mode: "markers", name: "point", x: [p.x], y: [p.y], z: [p.f],
      marker: { size: 6, color: OKABE_ITO.orange, line: { color: colors.fg, width: 1 } } });
  }
  for (const visible of visiblePaths()) {
    const path = visible.points.map((q) => (inBox(box, q) ? q : [null, null, null]));
    if (path.some((q) => q[0] !== null)) {
      surface.push({ type: "scatter3d", mode: "lines+markers", name: visible.name, connectgaps: false,
        x: path.map((q) => q[0]), y: path.map((q) => q[1]), z: path.map((q) => q[2]),
        line: { color: visible.color, width: 5 }, marker: { size: 3, color: visible.color } });
    }
  }
  const axis3 = (title, range) => ({ title: { text: title }, color: colors.fg, gridcolor: colors.grid,
    backgroundcolor: colors.bg, range, autorange: false });
  const node = $("#surface");
  node.classList.remove("empty");  // full size before it is observed scrolling into view
  whenVisible(node, () => {
    try {
      window.Plotly.react(node, surface, {
        ...baseLayout(colors), margin: { l: 0, r: 0, t: 0, b: 0 }, showlegend: false,
        scene: { xaxis: axis3(g.x_var, box.x), yaxis: axis3(g.y_var, box.y), zaxis: axis3("f", box.z), aspectmode: "cube" },
      }, SURFACE_CONFIG).catch(drawFailed);
    } catch (err) {
      drawFailed(err);
    }
  });
}

/** The 3-D scene's ranges: the grid's square, and f from its least to its largest value on the
 *  grid with a 5 % margin (so a point between grid nodes, slightly beyond them, stays in). */
export function sceneBox(g) {
  const lo = Number.isFinite(g.z_min) ? g.z_min : 0, hi = Number.isFinite(g.z_max) ? g.z_max : 0;
  const pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1, Math.abs(lo));
  return { x: [g.x[0], g.x[g.x.length - 1]], y: [g.y[0], g.y[g.y.length - 1]], z: [lo - pad, hi + pad] };
}

function inBox(box, q) {
  const within = (v, [a, b]) => v !== null && Number.isFinite(v) && v >= a && v <= b;
  return within(q[0], box.x) && within(q[1], box.y) && within(q[2], box.z);
}

function drawOneVariable(g, colors) {
  const traces = [{ type: "scatter", mode: "lines", name: "f", x: g.x, y: g.z, line: { color: OKABE_ITO.blue, width: 2 } }];
  const p = overlay.point;
  if (p && Number.isFinite(p.f) && p.g && Number.isFinite(p.g[0])) {
    const w = 0.25 * (g.x[g.x.length - 1] - g.x[0]);
    traces.push({ type: "scatter", mode: "lines", name: "tangent", x: [p.x - w, p.x + w],
      y: [p.f - w * p.g[0], p.f + w * p.g[0]], line: { color: OKABE_ITO.vermillion, dash: "dash" } });
    traces.push({ type: "scatter", mode: "markers", name: "point", x: [p.x], y: [p.f], marker: { size: 11, color: OKABE_ITO.orange } });
  }
  // the descent path on the graph (x, f(x)); steps that left the window are not drawn, so a
  // diverging run cannot stretch the axes until the graph is a flat line
  const xs = g.x.filter(Number.isFinite), fs = g.z.filter((v) => v !== null && Number.isFinite(v));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const pad = 0.05 * (Math.max(...fs) - Math.min(...fs) || 1);
  const [f0, f1] = [Math.min(...fs) - pad, Math.max(...fs) + pad];
  for (const visible of visiblePaths()) {
    const path = visible.points.filter(([x, , f]) => x >= x0 && x <= x1 && Number.isFinite(f) && f >= f0 && f <= f1);
    if (!path.length) continue;
    traces.push({ type: "scatter", mode: "lines+markers", name: visible.name, x: path.map((q) => q[0]), y: path.map((q) => q[2]),
      line: { color: visible.color, width: 2, dash: visible.dash || "solid" }, marker: { size: 5, color: visible.color } });
    const last = path[path.length - 1];
    traces.push({ type: "scatter", mode: "markers", name: visible.position, x: [last[0]], y: [last[2]], showlegend: false,
      marker: { size: 11, symbol: "diamond", color: visible.color } });
  }
  const drawn = plotAfresh($("#contour"), traces, { ...baseLayout(colors), dragmode: false,
    xaxis: { ...axisStyle(colors, g.x_var), range: [x0, x1] }, yaxis: { ...axisStyle(colors, "f"), range: [f0, f1] } });
  // no surface for one variable: also drop a surface redraw still queued for when it scrolls
  // into view, or the previous function's surface would come back under this caption
  emptyPlot($("#surface"));
  $("#surface-summary").textContent = "One variable: no surface to draw.";
  $("#contour-summary").textContent = `Graph of f over ${g.x_var} ∈ [${fmt(g.x[0], 3)}, ${fmt(g.x[g.x.length - 1], 3)}]`
    + (p && Number.isFinite(p.f) ? `; the point ${g.x_var} = ${fmt(p.x, 4)} with f = ${fmt(p.f, 4)} and its tangent line of slope ${fmt(p.g?.[0], 4)}.` : ".");
  return drawn;
}

function summarise(g) {
  const p = overlay.point;
  const m = g.arrows?.x?.length ?? 0;
  let text = `Contours of f over ${g.x_var} ∈ [${fmt(g.x[0], 3)}, ${fmt(g.x[g.x.length - 1], 3)}], `
    + `${g.y_var} ∈ [${fmt(g.y[0], 3)}, ${fmt(g.y[g.y.length - 1], 3)}] with equal axis scales; `
    + `f ranges from ${fmt(g.z_min, 4)} to ${fmt(g.z_max, 4)} there.`;
  if (logLevels(g)) text += " The contour levels are log-spaced (evenly spaced in log(f − min f)), so the low region gets as many lines as the steep walls.";
  else text += " The contour levels are evenly spaced in f.";
  const cap = m && $("#show-arrows").checked ? arrowCap(g.arrows) : 0;
  if (cap) {
    text += ` Arrows show the direction of ∇f on a ${m}×${m} grid, pointing uphill and crossing the contours at right angles;`
      + ` their length is proportional to ‖∇f‖ up to ${fmt(cap, 4)} (three quarters of the arrows are shorter),`
      + ` steeper places get full-length arrows (the largest ‖∇f‖ here is ${fmt(g.arrows.max_norm, 4)}).`;
  }
  if (g.fixed && Object.keys(g.fixed).length) {
    text += ` Fixed: ${Object.entries(g.fixed).map(([k, v]) => `${k} = ${fmt(v, 4)}`).join(", ")}.`
      + " The sliders set these values for the pictures and for the point alike, so the point lies on this slice.";
  }
  if (p && Number.isFinite(p.x)) {
    text += ` Point (${fmt(p.x, 4)}, ${fmt(p.y, 4)}): f = ${fmt(p.f, 4)}`;
    if (p.g) text += `, ∇f = (${fmt(p.g[0], 4)}, ${fmt(p.g[1], 4)}), drawn with the level curve f = ${fmt(p.f, 4)} through the point and its tangent, perpendicular to ∇f.`;
    else text += ".";
  }
  const paths = visiblePaths().filter((q) => q.points.length);
  for (const q of paths) {
    const last = q.points[q.points.length - 1];
    text += ` ${q.label ? `Descent path of ${q.label}` : "Descent path"}: ${q.points.length - 1} steps shown, now at (${fmt(last[0], 4)}, ${fmt(last[1], 4)}).`;
  }
  const path = paths.flatMap((q) => q.points);
  $("#contour-summary").textContent = text;
  let surf = `Surface z = f(${g.x_var}, ${g.y_var}) over the same square, from ${fmt(g.z_min, 4)} to ${fmt(g.z_max, 4)}.`;
  const box = sceneBox(g);
  if (p && inBox(box, [p.x, p.y, p.f])) surf += ` The point is marked at height ${fmt(p.f, 4)}.`;
  const inside = path.filter((q) => inBox(box, q)).length;
  if (inside === path.length && path.length) surf += " The descent path is drawn on the surface.";
  else if (path.length) surf += ` The descent path is drawn on the surface where it stays in this box (${inside} of its ${path.length} points); the rest is outside the window.`;
  $("#surface-summary").textContent = surf;
}

/** Click on the contour plot: plain click sets the point, shift-click the descent start. */
export function onPlotClick(fn) { clickHandler = fn; }

function attachClick(gd) {
  if (gd.dataset.clickBound) return;
  gd.dataset.clickBound = "1";
  gd.addEventListener("click", (event) => {
    if (!clickHandler || !grid) return;
    const at = eventToData(gd, event);
    if (at) clickHandler(at[0], at[1], event.shiftKey);
  });
}

const SLIDER_RANGE = 5;
const sliderId = (name) => `fix-${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** Sliders fixing every variable and parameter that is not on an axis. They hold these values
 *  for the pictures and for the point alike (app.js keeps the point's coordinates equal to
 *  them), so the drawn slice always passes through the point. onChange(name, value). */
export function renderSliders(names, fixed, onChange) {
  const box = clear($("#sliders"));
  if (names.length) {
    box.append(el("p", { class: "help sliders-help", id: "sliders-help",
      text: "Held at these values in the pictures and at the point: moving a slider moves the point, and a point typed with other values moves the slider." }));
  }
  for (const name of names) {
    const id = sliderId(name);
    const value = Number.isFinite(fixed[name]) ? fixed[name] : 1;
    fixed[name] = value;
    const out = el("output", { for: id, text: fmt(value, 3) });
    const input = el("input", { type: "range", id, min: String(-SLIDER_RANGE), max: String(SLIDER_RANGE), step: "0.1",
      "aria-describedby": "sliders-help" });
    widenTo(input, value);
    input.value = String(value);
    input.addEventListener("input", () => {
      fixed[name] = Number(input.value);
      out.textContent = fmt(fixed[name], 3);
      onChange(name, fixed[name]);
    });
    box.append(el("div", { class: "field small" }, el("label", { for: id, text: `${name} (fixed)` }), input, out));
  }
}

/** Move a slider to a value set elsewhere (a point typed with z=3): its range grows to hold it. */
export function setSlider(name, value) {
  const input = document.getElementById(sliderId(name));
  if (!input) return;
  widenTo(input, value);
  input.value = String(value);
  const out = input.parentElement.querySelector("output");
  if (out) out.textContent = fmt(value, 3);
}

function widenTo(input, value) {
  if (value < Number(input.min)) input.min = String(Math.floor(value));
  if (value > Number(input.max)) input.max = String(Math.ceil(value));
}
