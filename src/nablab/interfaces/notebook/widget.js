// nablab.widget(): the page's lab in a notebook cell (an anywidget ES module, no build step).
//
// Every answer comes from the kernel (nablab.api): this module reads the traits `result` (the
// JSON of `nablab grad --json`), `error`, `display` (MathML of the same formulas), `plot` (f and
// ∇f on a grid) and `descent`/`path`, and writes the inputs (`function`, `variables`, `at`,
// `eta`, `iterations`, `start`, `method`). Nothing comes from a network: the browser draws
// MathML itself, and the contour plot with its ∇ arrows is drawn here on a <canvas>.

const DEBOUNCE_MS = 150;
const ETA_MIN = 1e-4;
const ETA_MAX = 1e6;
const MAX_ITERATIONS = 10000;
const LEVELS = 18;
const METHODS = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton"];
// viridis at five stops (the page's contour colours), interpolated
const VIRIDIS = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** MathML written by the kernel's renderer (never user text: names went through the grammar
 *  and the printer escapes them); `text` is the plain reading, for a title and copying. */
function mathNode(markup, text, tag = "div") {
  const node = el(tag, { class: "nw-math", title: text || undefined });
  if (markup) node.innerHTML = markup;
  else node.textContent = text || "";
  return node;
}

function debounce(fn, ms) {
  let timer = null;
  const wrapped = () => { clearTimeout(timer); timer = setTimeout(fn, ms); };
  wrapped.now = () => { clearTimeout(timer); fn(); };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}

export function fmt(v, digits = 6) {
  if (v === null || v === undefined || !Number.isFinite(Number(v))) return "—";
  return String(Number(Number(v).toPrecision(digits)));
}

/** "x=1, y=2" → {x: "1", y: "2"} (values stay text: the kernel reads them); null if malformed. */
export function parsePoint(text) {
  const out = {};
  for (const part of String(text).split(/[,;]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0 || eq === part.length - 1) return null;
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function formatPoint(point) {
  return Object.entries(point || {}).map(([k, v]) => `${k}=${v}`).join(", ");
}

// --- the picture: contours (marching squares), ∇ arrows, the point, the descent path ---------

function viridis(t) {
  const s = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(s));
  const f = s - i;
  return VIRIDIS[i].map((c, k) => Math.round(c + f * (VIRIDIS[i + 1][k] - c)));
}

const finite = (v) => v !== null && v !== undefined && Number.isFinite(v);

/** The values the levels are spaced in: f, or log(f − min f + δ) when f spans decades over the
 *  window (the lowest half of the values squeezed into less than an eighth of the range, as in
 *  Rosenbrock's valley; the page's rule in plots.js). */
export function levelValues(z) {
  const values = [];
  for (const row of z) for (const v of row) if (finite(v)) values.push(v);
  if (values.length < 4) return { z, log: false, lo: values[0], hi: values[values.length - 1] };
  values.sort((p, q) => p - q);
  const lo = values[0], hi = values[values.length - 1], median = values[Math.floor(values.length / 2)];
  if (!(hi > lo) || (hi - lo) / Math.max(median - lo, Number.MIN_VALUE) <= 8) return { z, log: false, lo, hi };
  const delta = 1e-3 * (hi - lo);
  const t = (v) => Math.log10(v - lo + delta);
  return { z: z.map((row) => row.map((v) => (finite(v) ? t(v) : null))), log: true, lo: t(lo), hi: t(hi) };
}

/** The segments of the level curve z = level through one cell (corners a b c d counter-clockwise
 *  from the bottom left), each as two points in grid coordinates [column, row]. */
export function cellSegments(a, b, c, d, level) {
  const above = [a > level, b > level, c > level, d > level];
  const corners = [[0, 0, a], [1, 0, b], [1, 1, c], [0, 1, d]];
  const cross = [];
  for (let e = 0; e < 4; e++) {
    const [x0, y0, v0] = corners[e];
    const [x1, y1, v1] = corners[(e + 1) % 4];
    if (above[e] !== above[(e + 1) % 4]) {
      const t = (level - v0) / (v1 - v0);
      cross.push({ e, p: [x0 + t * (x1 - x0), y0 + t * (y1 - y0)] });
    }
  }
  if (cross.length === 2) return [[cross[0].p, cross[1].p]];
  if (cross.length !== 4) return [];
  // a saddle: the centre decides which corners the curves cut off
  const centreAbove = (a + b + c + d) / 4 > level;
  const p = Object.fromEntries(cross.map((x) => [x.e, x.p]));
  return centreAbove === above[0] ? [[p[0], p[1]], [p[2], p[3]]] : [[p[3], p[0]], [p[1], p[2]]];
}

/** The length cap for arrows: the 75th percentile of ‖∇f‖ (a few steep places do not shrink
 *  every other arrow to a dot; plots.js does the same). */
export function arrowCap(a) {
  const norms = [];
  for (let i = 0; i < a.y.length; i++) {
    for (let j = 0; j < a.x.length; j++) {
      const u = a.u[i][j], v = a.v[i][j];
      if (finite(u) && finite(v)) norms.push(Math.hypot(u, v));
    }
  }
  norms.sort((p, q) => p - q);
  if (!norms.length || norms[norms.length - 1] === 0) return 0;
  const cap = norms[Math.min(norms.length - 1, Math.floor(0.75 * norms.length))];
  return cap > 0 ? cap : norms[norms.length - 1];
}

function arrow(ctx, x0, y0, x1, y1, head) {
  const angle = Math.atan2(y1 - y0, x1 - x0);
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle - 0.45), y1 - head * Math.sin(angle - 0.45));
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - head * Math.cos(angle + 0.45), y1 - head * Math.sin(angle + 0.45));
}

function cssColor(node, name, fallback) {
  const value = getComputedStyle(node).getPropertyValue(name).trim();
  return value || fallback;
}

/** Draw f's contours with ∇ arrows (or, for one variable, f's graph), the point with ∇f there
 *  and the descent path. Returns the mapping data → pixels (for clicks), or null. */
function drawPlot(canvas, g, overlay) {
  const ctx = canvas.getContext("2d");
  const W = canvas.clientWidth || 340, H = canvas.clientHeight || 300;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  const fg = cssColor(canvas, "--nw-fg", "#222");
  const muted = cssColor(canvas, "--nw-muted", "#777");
  canvas.dataset.segments = "0";
  canvas.dataset.arrows = "0";
  if (!g || !g.x) return null;
  const left = 38, right = 8, top = 8, bottom = 28;
  const pw = W - left - right, ph = H - top - bottom;
  const x0 = g.x[0], x1 = g.x[g.x.length - 1];
  const twoD = Array.isArray(g.y) && g.y.length > 1;
  let y0, y1;
  if (twoD) { y0 = g.y[0]; y1 = g.y[g.y.length - 1]; } else {
    const zs = g.z.filter(finite);
    y0 = zs.length ? Math.min(...zs) : -1; y1 = zs.length ? Math.max(...zs) : 1;
    if (!(y1 > y0)) { y0 -= 1; y1 += 1; }
  }
  // equal scales on both axes for contours, so ∇f is seen at right angles to the level curves
  const kx = pw / (x1 - x0), ky = ph / (y1 - y0);
  const sx = twoD ? Math.min(kx, ky) : kx, sy = twoD ? Math.min(kx, ky) : ky;
  const ox = left + (pw - sx * (x1 - x0)) / 2, oy = top + (ph + sy * (y1 - y0)) / 2;
  const px = (x) => ox + (x - x0) * sx;
  const py = (y) => oy - (y - y0) * sy;
  const map = { x0, x1, y0, y1, toData: (X, Y) => [x0 + (X - ox) / sx, y0 + (oy - Y) / sy], twoD };
  ctx.save();
  ctx.beginPath();
  ctx.rect(px(x0), py(y1), sx * (x1 - x0), sy * (y1 - y0));
  ctx.clip();
  if (twoD) drawContours(ctx, g, px, py, canvas);
  else drawGraph(ctx, g, px, py, canvas);
  if (twoD && overlay.arrows !== false) drawArrows(ctx, g, px, py, muted, canvas);
  if (twoD) drawPath(ctx, overlay.path, px, py);
  drawPoint(ctx, overlay.point, overlay.gradient, px, py, twoD, g);
  ctx.restore();
  // frame and axes
  ctx.strokeStyle = muted;
  ctx.lineWidth = 1;
  ctx.strokeRect(px(x0), py(y1), sx * (x1 - x0), sy * (y1 - y0));
  ctx.fillStyle = fg;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  ctx.fillText(fmt(x0, 3), px(x0), py(y0) + 3);
  ctx.fillText(fmt(x1, 3), px(x1), py(y0) + 3);
  ctx.fillText(g.x_var, (px(x0) + px(x1)) / 2, py(y0) + 13);
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  ctx.fillText(fmt(y0, 3), px(x0) - 3, py(y0));
  ctx.fillText(fmt(y1, 3), px(x0) - 3, py(y1));
  ctx.save();
  ctx.translate(px(x0) - 26, (py(y0) + py(y1)) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textAlign = "center";
  ctx.fillText(twoD ? g.y_var : "f", 0, 0);
  ctx.restore();
  return map;
}

function drawContours(ctx, g, px, py, canvas) {
  const { z, lo, hi } = levelValues(g.z);
  const ny = g.y.length, nx = g.x.length;
  if (!(hi > lo)) return;
  // a light fill by value first (blank where f is undefined), then the level curves
  const img = document.createElement("canvas");
  img.width = nx; img.height = ny;
  const ictx = img.getContext("2d");
  const data = ictx.createImageData(nx, ny);
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const v = z[i][j];
      const k = 4 * ((ny - 1 - i) * nx + j);
      if (!finite(v)) continue;
      const [r, gg, b] = viridis((v - lo) / (hi - lo));
      data.data[k] = Math.round(255 - 0.22 * (255 - r));
      data.data[k + 1] = Math.round(255 - 0.22 * (255 - gg));
      data.data[k + 2] = Math.round(255 - 0.22 * (255 - b));
      data.data[k + 3] = 255;
    }
  }
  ictx.putImageData(data, 0, 0);
  const hx = (g.x[1] - g.x[0]) / 2, hy = (g.y[1] - g.y[0]) / 2;
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(img, px(g.x[0] - hx), py(g.y[ny - 1] + hy), px(g.x[nx - 1] + hx) - px(g.x[0] - hx),
    py(g.y[0] - hy) - py(g.y[ny - 1] + hy));
  let segments = 0;
  ctx.lineWidth = 1.4;
  const gx = (c) => px(g.x[0] + c * (g.x[1] - g.x[0]));
  const gy = (r) => py(g.y[0] + r * (g.y[1] - g.y[0]));
  for (let k = 1; k <= LEVELS; k++) {
    const level = lo + ((hi - lo) * k) / (LEVELS + 1);
    const [r, gg, b] = viridis(k / (LEVELS + 1));
    ctx.strokeStyle = `rgb(${r}, ${gg}, ${b})`;
    ctx.beginPath();
    for (let i = 0; i < ny - 1; i++) {
      for (let j = 0; j < nx - 1; j++) {
        const a = z[i][j], bb = z[i][j + 1], c = z[i + 1][j + 1], d = z[i + 1][j];
        if (!finite(a) || !finite(bb) || !finite(c) || !finite(d)) continue;
        for (const [p, q] of cellSegments(a, bb, c, d, level)) {
          ctx.moveTo(gx(j + p[0]), gy(i + p[1]));
          ctx.lineTo(gx(j + q[0]), gy(i + q[1]));
          segments += 1;
        }
      }
    }
    ctx.stroke();
  }
  canvas.dataset.segments = String(segments);
}

function drawGraph(ctx, g, px, py, canvas) {
  ctx.strokeStyle = "rgb(59, 82, 139)";
  ctx.lineWidth = 1.8;
  ctx.beginPath();
  let pen = false, segments = 0;
  for (let j = 0; j < g.x.length; j++) {
    const v = g.z[j];
    if (!finite(v)) { pen = false; continue; }
    if (pen) { ctx.lineTo(px(g.x[j]), py(v)); segments += 1; } else ctx.moveTo(px(g.x[j]), py(v));
    pen = true;
  }
  ctx.stroke();
  canvas.dataset.segments = String(segments);
}

function drawArrows(ctx, g, px, py, color, canvas) {
  const a = g.arrows;
  if (!a || !a.x || !a.y || !a.u) return;
  const cap = arrowCap(a);
  if (!cap) return;
  const dx = a.x.length > 1 ? Math.abs(a.x[1] - a.x[0]) : 1;
  const dy = a.y.length > 1 ? Math.abs(a.y[1] - a.y[0]) : dx;
  const full = 0.85 * Math.min(dx, dy);
  let count = 0;
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.1;
  ctx.beginPath();
  for (let i = 0; i < a.y.length; i++) {
    for (let j = 0; j < a.x.length; j++) {
      const u = a.u[i][j], v = a.v[i][j];
      if (!finite(u) || !finite(v) || (u === 0 && v === 0)) continue;
      const norm = Math.hypot(u, v);
      const length = (full * Math.min(norm, cap)) / cap;  // proportional to ‖∇f‖ up to the cap
      const X0 = px(a.x[j]), Y0 = py(a.y[i]);
      const X1 = px(a.x[j] + (length * u) / norm), Y1 = py(a.y[i] + (length * v) / norm);
      if (Math.hypot(X1 - X0, Y1 - Y0) < 1.5) continue;
      arrow(ctx, X0, Y0, X1, Y1, norm >= cap ? 5 : 4);
      count += 1;
    }
  }
  ctx.stroke();
  canvas.dataset.arrows = String(count);
}

function drawPath(ctx, path, px, py) {
  if (!path || path.length < 1) return;
  ctx.strokeStyle = "#d55e00";
  ctx.fillStyle = "#d55e00";
  ctx.lineWidth = 1.8;
  ctx.beginPath();
  path.forEach(([x, y], i) => { if (i) ctx.lineTo(px(x), py(y)); else ctx.moveTo(px(x), py(y)); });
  ctx.stroke();
  const [sx0, sy0] = path[0];
  ctx.fillRect(px(sx0) - 3.5, py(sy0) - 3.5, 7, 7);
  const [ex, ey] = path[path.length - 1];
  ctx.beginPath();
  ctx.arc(px(ex), py(ey), 4, 0, 2 * Math.PI);
  ctx.fill();
}

function drawPoint(ctx, point, gradient, px, py, twoD, g) {
  if (!point) return;
  const [x, y] = point;
  if (!finite(x) || !finite(y)) return;
  ctx.fillStyle = "#cc0000";
  ctx.strokeStyle = "#cc0000";
  ctx.beginPath();
  ctx.arc(px(x), py(y), 4.5, 0, 2 * Math.PI);
  ctx.fill();
  if (!twoD || !gradient || !finite(gradient[0]) || !finite(gradient[1])) return;
  const norm = Math.hypot(gradient[0], gradient[1]);
  if (!(norm > 0)) return;
  // ∇f at the point: a fixed length (a fifth of the window), its direction exact
  const length = 0.2 * (g.x[g.x.length - 1] - g.x[0]);
  ctx.lineWidth = 2.2;
  ctx.beginPath();
  arrow(ctx, px(x), py(y), px(x + (length * gradient[0]) / norm), py(y + (length * gradient[1]) / norm), 7);
  ctx.stroke();
}

// --- the view --------------------------------------------------------------------------------

function render({ model, el: host }) {
  const fn = el("input", { class: "nw-fn", type: "text", spellcheck: "false", "aria-label": "Function f", autocomplete: "off" });
  const vars = el("input", { class: "nw-vars", type: "text", spellcheck: "false", "aria-label": "Variables" });
  const at = el("input", { class: "nw-at", type: "text", spellcheck: "false", "aria-label": "Point", placeholder: "x=1, y=2" });
  const echo = el("div", { class: "nw-echo", "aria-live": "polite" });
  const notes = el("ul", { class: "nw-notes" });
  const errBox = el("div", { class: "nw-error", role: "alert", hidden: "" });
  const fmath = el("div", { class: "nw-fmath" });
  const partials = el("ul", { class: "nw-partials" });
  const gradient = el("div", { class: "nw-gradient" });
  const point = el("div", { class: "nw-point" });
  const domain = el("div", { class: "nw-domain" });
  const steps = el("div", { class: "nw-steps" });
  const canvas = el("canvas", { class: "nw-contour", "aria-label": "Contours of f with ∇f arrows" });
  const plotNote = el("div", { class: "nw-plot-note", "aria-live": "polite" });
  const slider = el("input", { class: "nw-eta-slider", type: "range", min: "-4", max: "1", step: "0.01", "aria-label": "η (log scale)" });
  const eta = el("input", { class: "nw-eta", type: "number", min: String(ETA_MIN), max: String(ETA_MAX), step: "any", "aria-label": "η" });
  const iterations = el("input", { class: "nw-iterations", type: "number", min: "1", max: String(MAX_ITERATIONS), step: "1", "aria-label": "Iterations" });
  const method = el("select", { class: "nw-method", "aria-label": "Method" }, ...METHODS.map((m) => el("option", { value: m, text: m })));
  const start = el("input", { class: "nw-start", type: "text", spellcheck: "false", "aria-label": "Start", placeholder: "the point" });
  const descentNote = el("div", { class: "nw-descent-note", "aria-live": "polite" });
  const status = el("span", { class: "nw-status", "aria-live": "polite" });
  const left = el("div", { class: "nw-left" }, fmath, partials, gradient, point, domain, steps);
  const right = el("div", { class: "nw-right" }, canvas, plotNote,
    el("div", { class: "nw-descent" },
      el("label", {}, "η ", slider, eta),
      el("label", {}, "steps ", iterations),
      el("label", {}, "method ", method),
      el("label", {}, "start ", start)),
    descentNote);
  const root = el("div", { class: "nablab-widget", dataset: { state: "loading" } },
    el("div", { class: "nw-head" },
      el("label", { class: "nw-fn-label" }, el("span", { text: "f =" }), fn),
      el("label", {}, el("span", { text: "variables" }), vars),
      el("label", {}, el("span", { text: "point" }), at),
      status),
    echo, notes, errBox,
    el("div", { class: "nw-body" }, left, right));
  host.append(root);

  let pending = 0;        // changes sent and not yet answered (computed counts the answers)
  let lastComputed = model.get("computed");
  let map = null;         // data <-> pixels of the last picture

  const send = (changes) => {
    for (const [k, v] of Object.entries(changes)) model.set(k, v);
    pending += 1;
    status.textContent = "working…";
    root.dataset.state = "working";
    model.save_changes();
  };

  // -- inputs ---------------------------------------------------------------------------------
  const sendFunction = debounce(() => {
    if (fn.value !== model.get("function")) send({ function: fn.value });
  }, DEBOUNCE_MS);
  fn.addEventListener("input", sendFunction);
  fn.addEventListener("keydown", (event) => { if (event.key === "Enter") sendFunction.now(); });
  const sendVariables = debounce(() => {
    const names = vars.value.split(/[,\s]+/).filter(Boolean);
    if (JSON.stringify(names) !== JSON.stringify(model.get("variables"))) send({ variables: names });
  }, DEBOUNCE_MS);
  vars.addEventListener("input", sendVariables);
  const fieldError = (input, message) => {
    input.toggleAttribute("aria-invalid", Boolean(message));
    input.title = message || "";
  };
  const sendPoint = debounce(() => {
    const p = parsePoint(at.value);
    fieldError(at, p ? "" : "write the point as x=1, y=2");
    if (p && JSON.stringify(p) !== JSON.stringify(model.get("at"))) send({ at: p });
  }, DEBOUNCE_MS);
  at.addEventListener("input", sendPoint);
  const setEta = (value) => {
    eta.value = String(value);
    slider.value = String(Math.min(1, Math.max(-4, Math.log10(value))));
  };
  slider.addEventListener("input", () => {
    const value = Number((10 ** Number(slider.value)).toPrecision(3));
    eta.value = String(value);
    sendDescent();
  });
  eta.addEventListener("input", () => {
    const v = Number(eta.value);
    if (v > 0) slider.value = String(Math.min(1, Math.max(-4, Math.log10(v))));
    sendDescent();
  });
  iterations.addEventListener("input", () => sendDescent());
  method.addEventListener("change", () => sendDescent.now());
  start.addEventListener("input", () => sendDescent());
  const sendDescent = debounce(() => {
    const changes = {};
    const e = Number(eta.value);
    const etaOk = eta.value.trim() !== "" && e > 0 && e <= ETA_MAX;
    fieldError(eta, etaOk ? "" : `η must be a positive number up to ${ETA_MAX}`);
    if (etaOk && e !== model.get("eta")) changes.eta = e;
    const n = Number(iterations.value);
    const nOk = Number.isInteger(n) && n >= 1 && n <= MAX_ITERATIONS;
    fieldError(iterations, nOk ? "" : `a whole number from 1 to ${MAX_ITERATIONS}`);
    if (nOk && n !== model.get("iterations")) changes.iterations = n;
    if (method.value !== model.get("method")) changes.method = method.value;
    const s = parsePoint(start.value);
    fieldError(start, s ? "" : "write the start as x=1, y=-1 (empty: the point)");
    if (s && JSON.stringify(s) !== JSON.stringify(model.get("start"))) changes.start = s;
    if (Object.keys(changes).length) send(changes);
  }, DEBOUNCE_MS);

  canvas.addEventListener("click", (event) => {
    const g = model.get("plot");
    if (!map || !map.twoD || !g || !g.x_var || !g.y_var) return;
    const rect = canvas.getBoundingClientRect();
    const [x, y] = map.toData(event.clientX - rect.left, event.clientY - rect.top);
    if (x < map.x0 || x > map.x1 || y < map.y0 || y > map.y1) return;
    const next = { ...(parsePoint(at.value) || {}), [g.x_var]: fmt(x, 3), [g.y_var]: fmt(y, 3) };
    for (const name of [...(model.get("result").variables || []), ...(model.get("result").parameters || [])]) {
      if (!(name in next)) next[name] = "1";
    }
    at.value = formatPoint(next);
    fieldError(at, "");
    send({ at: next });
  });
  canvas.addEventListener("mousemove", (event) => {
    const g = model.get("plot");
    if (!map || !map.twoD || !g || !g.z) return;
    const rect = canvas.getBoundingClientRect();
    const [x, y] = map.toData(event.clientX - rect.left, event.clientY - rect.top);
    if (x < map.x0 || x > map.x1 || y < map.y0 || y > map.y1) return;
    const j = Math.round(((x - map.x0) / (map.x1 - map.x0)) * (g.x.length - 1));
    const i = Math.round(((y - map.y0) / (map.y1 - map.y0)) * (g.y.length - 1));
    plotNote.textContent = `${g.x_var} = ${fmt(x, 3)}, ${g.y_var} = ${fmt(y, 3)}: f ≈ ${fmt(g.z[i]?.[j], 4)} (click: the point)`;
  });
  canvas.addEventListener("mouseleave", () => showPlotNote());

  // -- outputs --------------------------------------------------------------------------------
  const syncInputs = () => {
    const active = root.getRootNode().activeElement;
    if (active !== fn && fn.value !== model.get("function")) fn.value = model.get("function");
    const names = (model.get("variables") || []).join(", ");
    if (active !== vars && vars.value !== names) vars.value = names;
    const p = formatPoint(model.get("at"));
    if (active !== at && JSON.stringify(parsePoint(at.value)) !== JSON.stringify(model.get("at"))) at.value = p;
    if (active !== eta) setEta(model.get("eta"));
    if (active !== iterations) iterations.value = String(model.get("iterations"));
    method.value = model.get("method");
    if (active !== start && JSON.stringify(parsePoint(start.value)) !== JSON.stringify(model.get("start"))) start.value = formatPoint(model.get("start"));
  };

  const showError = () => {
    const error = model.get("error");
    clear(errBox);
    root.classList.toggle("nw-has-error", Boolean(error));
    fn.toggleAttribute("aria-invalid", Boolean(error));
    if (!error) { errBox.hidden = true; return; }
    errBox.hidden = false;
    const column = Number.isInteger(error.column) && error.column > 0 ? error.column : null;
    if (column !== null) {
      const chars = Array.from(model.get("function"));
      const at0 = column - 1;
      const ch = at0 < chars.length ? chars[at0] : " ";
      const line = el("pre", { class: "nw-caret", dataset: { column: String(column) } },
        chars.slice(0, at0).join(""), el("span", { class: "nw-err-char", text: ch === " " ? "\u00a0" : ch }),
        chars.slice(at0 + 1).join(""), "\n" + " ".repeat(at0) + "^");
      errBox.append(line);
    }
    errBox.append(el("p", { class: "nw-message", text: error.message + (column !== null && !error.message.includes(`column ${column}`) ? ` (column ${column})` : "") }));
    if (error.hint) errBox.append(el("p", { class: "nw-hint", text: "hint: " + error.hint }));
  };

  const showResult = () => {
    const r = model.get("result") || {};
    const d = model.get("display") || {};
    const error = model.get("error");
    const names = r.variables || [];
    vars.placeholder = names.length ? `from the reading: ${names.join(", ")}` : "from the reading";
    echo.textContent = !r.expression ? "" : error
      ? `last good reading: ${r.expression.echo} — the input has an error (below)`
      : `read as ${r.expression.echo}`;
    clear(notes);
    if ((r.parameters || []).length) notes.append(el("li", { text: `held constant (parameters): ${r.parameters.join(", ")}` }));
    for (const w of r.warnings || []) notes.append(el("li", { text: w.message + (w.column ? ` (column ${w.column})` : "") }));
    clear(fmath).append(mathNode(d.function, r.expression ? `f = ${r.expression.echo}` : ""));
    clear(partials);
    (r.partials || []).forEach((p, i) => {
      const item = el("li", { dataset: { var: p.variable, text: p.text } },
        mathNode((d.partials || [])[i], `∂f/∂${p.variable} = ${p.echo}`));
      if (p.note) item.append(el("p", { class: "nw-note", text: p.note }));
      partials.append(item);
    });
    clear(gradient).append(mathNode(d.gradient, `∇f = (${(r.partials || []).map((p) => p.echo).join(", ")})`));
    showPointTable(r);
    clear(domain);
    if (r.domain && r.domain.length) {
      domain.append(el("h4", { text: "Domain over the reals" }));
      const list = el("ul");
      r.domain.forEach((c, i) => list.append(el("li", {}, mathNode((d.domain || [])[i], c.condition, "span"), ` — ${c.reason}`)));
      domain.append(list);
    }
    showSteps(r, d);
  };

  const showPointTable = (r) => {
    clear(point);
    const a = r.at;
    if (!a) return;
    const where = Object.entries(a.point).map(([k, v]) => `${k} = ${fmt(v, 8)}`).join(", ");
    point.append(el("h4", { text: `At (${where})` }));
    const exact = a.value.exact && a.value.exact !== String(a.value.float) ? ` = ${a.value.exact}` : "";
    point.append(el("p", { class: "nw-value", text: `f = ${fmt(a.value.float, 10)}${exact}` }));
    const table = el("table", { class: "nw-check" },
      el("thead", {}, el("tr", {}, ...["∂f/∂", "exact", "value", "finite diff.", "check"].map((h) => el("th", { text: h })))));
    const body = el("tbody");
    a.check.forEach((row, i) => {
      const g = a.gradient[i] || {};
      const verdict = !row.checked ? "not checked" : row.ok ? "ok" : "MISMATCH";
      body.append(el("tr", { dataset: { var: row.variable } },
        el("td", { text: row.variable }), el("td", { text: g.exact ?? "" }),
        el("td", { text: fmt(row.symbolic, 10) }), el("td", { text: fmt(row.numeric, 10) }),
        el("td", { class: row.ok ? "nw-ok" : row.checked ? "nw-bad" : "", text: verdict })));
    });
    table.append(body);
    point.append(table, el("p", { text: `‖∇f‖ = ${fmt(a.norm, 8)}` }));
    for (const note of a.notes || []) point.append(el("p", { class: "nw-note", text: note }));
  };

  const showSteps = (r, d) => {
    clear(steps);
    const trees = r.steps || {};
    for (const variable of Object.keys(trees)) {
      const maths = (d.steps || {})[variable] || {};
      const list = el("ol", { class: "nw-step-list" });
      const visit = (node, depth) => {
        const item = el("li", { class: "nw-step", dataset: { rule: node.rule || "", id: node.id } });
        item.style.marginLeft = `${depth * 0.9}em`;
        item.append(el("span", { class: "nw-rule", text: node.title || node.rule }));
        if (node.explanation) item.append(el("span", { class: "nw-explanation", text: " — " + node.explanation }));
        if (Array.isArray(node.constants) && node.constants.length) item.append(el("div", { text: `held constant: ${node.constants.join(", ")}` }));
        if (node.substitution) item.append(el("div", { text: `let ${node.substitution.variable} = ${node.substitution.text}` }));
        item.append(mathNode(maths[node.id], `${node.expression?.text ?? ""} → ${node.result?.text ?? ""}`));
        if (node.note) item.append(el("div", { class: "nw-note", text: node.note }));
        list.append(item);
        for (const sub of node.substeps || []) visit(sub, depth + 1);
      };
      visit(trees[variable], 0);
      steps.append(el("details", { dataset: { var: variable } },
        el("summary", { text: `Steps for ∂f/∂${variable}` }), list));
    }
  };

  const showPlotNote = () => {
    const g = model.get("plot") || {};
    if (g.error) { plotNote.textContent = `No picture: ${g.error.message}`; return; }
    if (!g.x) { plotNote.textContent = ""; return; }
    const fixed = Object.entries(g.fixed || {}).map(([k, v]) => `${k} = ${fmt(v, 4)}`).join(", ");
    const noValues = g.z_min === null || g.z_min === undefined;
    plotNote.textContent = noValues ? "f has no finite values in this window: nothing to draw."
      : g.y_var ? `contours of f, arrows ∇f (length capped)${fixed ? `; held: ${fixed}` : ""}; click to set the point`
        : `f along ${g.x_var}${fixed ? `; held: ${fixed}` : ""}`;
  };

  const showPlot = () => {
    const g = model.get("plot") || {};
    const r = model.get("result") || {};
    const run = model.get("descent") || {};
    let pt = null, grad = null, path = null;
    if (g.x_var && r.at) {
      const names = r.variables || [];
      const ix = names.indexOf(g.x_var), iy = g.y_var ? names.indexOf(g.y_var) : -1;
      pt = [r.at.point[g.x_var], g.y_var ? r.at.point[g.y_var] : r.at.value.float];
      if (ix >= 0 && iy >= 0) grad = [r.at.gradient[ix]?.float, r.at.gradient[iy]?.float];
    }
    const dv = run.variables || [];
    if (g.y_var && dv.includes(g.x_var) && dv.includes(g.y_var) && Array.isArray(model.get("path"))) {
      const ix = dv.indexOf(g.x_var), iy = dv.indexOf(g.y_var);
      path = model.get("path").filter((q) => finite(q[ix]) && finite(q[iy])).map((q) => [q[ix], q[iy]]);
    }
    map = g.error ? drawPlot(canvas, null, {}) : drawPlot(canvas, g, { point: pt, gradient: grad, path });
    canvas.dataset.function = r.input ?? "";
    showPlotNote();
  };

  const showDescent = () => {
    const run = model.get("descent") || {};
    const error = model.get("descent_error");
    clear(descentNote);
    descentNote.classList.toggle("nw-bad", Boolean(error));
    if (error) {
      descentNote.append(el("span", { text: error.message }));
      if (error.hint) descentNote.append(el("span", { class: "nw-hint", text: " hint: " + error.hint }));
      return;
    }
    if (!run.path) return;
    const end = (run.variables || []).map((v, i) => `${v} = ${fmt(run.point[i], 5)}`).join(", ");
    descentNote.append(el("span", { text: `${run.method} with η = ${fmt(run.rate, 4)}: ${run.steps} steps → (${end}), f = ${fmt(run.value, 6)}. ` }),
      el("span", { class: run.diverged ? "nw-bad" : "", text: run.reason || "" }));
  };

  const answered = () => {
    const now = model.get("computed");
    if (now !== lastComputed) {
      pending = Math.max(0, pending - (now - lastComputed));
      lastComputed = now;
    }
    if (!pending) {
      const ms = model.get("elapsed_ms");
      status.textContent = ms ? `${fmt(ms, 2)} ms in the kernel` : "";
      root.dataset.state = model.get("error") ? "error" : "ready";
    }
  };

  const everything = () => { syncInputs(); showError(); showResult(); showPlot(); showDescent(); answered(); };
  const handlers = [
    ["change:function change:variables change:at change:eta change:iterations change:method change:start", syncInputs],
    ["change:error", () => { showError(); showResult(); }],
    ["change:result change:display", () => { showResult(); showPlot(); }],
    ["change:plot change:path", showPlot],
    ["change:descent change:descent_error", showDescent],
    ["change:computed", answered],
  ];
  // one event name per call: hosts other than Jupyter (marimo, VS Code) need not split lists
  const each = (fn) => { for (const [events, handler] of handlers) for (const e of events.split(" ")) fn(e, handler); };
  each((e, handler) => model.on(e, handler));
  everything();
  // the cell's width is known only once the view is in the page: draw again then
  const resize = typeof ResizeObserver === "function" ? new ResizeObserver(() => showPlot()) : null;
  resize?.observe(canvas);
  return () => {
    each((e, handler) => model.off(e, handler));
    resize?.disconnect();
    sendFunction.cancel(); sendVariables.cancel(); sendPoint.cancel(); sendDescent.cancel();
  };
}

export default { render };
