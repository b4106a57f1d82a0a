// Small DOM helpers shared by the page's modules (no framework, no build step).

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

/** el("td", {class: "x", text: "1"}, child, …): build an element without innerHTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export function debounce(fn, ms) {
  let timer = null;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.now = (...args) => { clearTimeout(timer); fn(...args); };
  return wrapped;
}

/** A status box: kind is "error" | "ok" | "info" | "" (empty clears it). */
export function setStatus(node, kind, message, hint = null) {
  clear(node);
  node.className = "status" + (kind ? " " + kind : "");
  if (!message) return;
  node.append(el("span", { class: "message", text: message }));
  if (hint) node.append(el("span", { class: "hint", text: "Hint: " + hint }));
}

/** Format a number for tables: short, but never hides a tiny or huge magnitude. */
export function fmt(value, digits = 6) {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return "(" + value.map((v) => fmt(v, digits)).join(", ") + ")";
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(Math.max(1, digits - 3));
  return String(Number(value.toPrecision(digits)));
}

/** "x=1, y=2" -> {x: "1", y: "2"}; throws Error with a readable message on bad text. */
export function parseAssignments(text) {
  const out = {};
  const trimmed = (text || "").trim();
  if (!trimmed) return out;
  for (const part of trimmed.split(/[,;]\s*(?=[^,;=]+=)/)) {
    const m = part.match(/^\s*([^=\s]+)\s*=\s*(.+?)\s*$/);
    if (!m) throw new Error(`cannot read "${part.trim()}": write name=value, e.g. x=1, y=2`);
    out[m[1]] = m[2];
  }
  return out;
}

export function formatAssignments(obj) {
  return Object.entries(obj).map(([k, v]) => `${k}=${typeof v === "number" ? fmt(v, 4) : v}`).join(", ");
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = el("textarea", { "aria-hidden": "true" });
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.append(area);
    area.select();
    let ok = false;
    try { ok = document.execCommand("copy"); } catch { ok = false; }
    area.remove();
    return ok;
  }
}

const pending = new WeakMap();
const observer = "IntersectionObserver" in window
  ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const fn = pending.get(entry.target);
      pending.delete(entry.target);
      observer.unobserve(entry.target);
      fn?.();
    }
  }, { rootMargin: "300px" })
  : null;

/** Run fn (a redraw) now if node is on or near the screen, else when it scrolls into view; only
 *  the latest redraw per node is kept. Keeps WebGL surfaces and plots below the fold from
 *  costing anything until someone looks at them. */
export function whenVisible(node, fn) {
  if (!observer) { fn(); return; }
  const rect = node.getBoundingClientRect();
  const margin = 300;
  const onScreen = rect.bottom > -margin && rect.top < window.innerHeight + margin && rect.width > 0;
  if (onScreen && !pending.has(node)) { fn(); return; }
  pending.set(node, fn);
  observer.observe(node);
}

/** Drop a redraw queued by whenVisible: the node now shows something else (or nothing), and
 *  the queued redraw would bring back the old picture when it scrolls into view. */
export function cancelWhenVisible(node) {
  if (!observer || !pending.has(node)) return;
  pending.delete(node);
  observer.unobserve(node);
}

/** An error message with where it is, said once: most messages already name their column
 *  ("opened at column 7"); ``where`` words the column for the others. */
export function withColumn(message, column, where = (c) => `column ${c}`) {
  if (!column) return message;
  return message.includes(`column ${column}`) ? message : `${message} (${where(column)})`;
}
