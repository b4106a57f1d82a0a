// At a point: f(x₀), ∇f(x₀), ‖∇f‖, the direction of steepest ascent, the directional derivative
// along a chosen vector, and the finite-difference check table.

import { $, clear, el, fmt } from "./dom.js";
import { texNode } from "./math.js";

/** A value from the API as a float: numbers, numeric strings, or {float|value|numeric|text}. */
export function num(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (typeof value === "string") { const n = Number(value); return Number.isFinite(n) ? n : null; }
  if (typeof value === "object") {
    for (const key of ["float", "value", "numeric", "approx", "text"]) {
      if (key in value) { const n = num(value[key]); if (n !== null) return n; }
    }
  }
  return null;
}

/** True when the exact form is just a number that reads as the float does ("2", or a decimal
 *  such as 2.90929742682568): showing both would read "2 ≈ 2". The API sends the exact form as
 *  `exact` (`text` accepted too). */
export function exactIsTheFloat(value, n) {
  const exact = String(value.exact ?? value.text ?? "").trim();
  return n !== null && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(exact) && fmt(Number(exact)) === fmt(n);
}

/** How to show a value: its exact LaTeX when the API gives one, with the float only when the
 *  exact form is not already that number (sin(2) + 2 ≈ 2.9093, but 2 alone). */
function show(value) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const n = num(value);
    if (value.latex && !exactIsTheFloat(value, n)) {
      const span = el("span");
      span.append(texNode(value.latex));
      if (n !== null) span.append(" ≈ ", el("span", { class: "approx", text: fmt(n) }));
      return span;
    }
    return document.createTextNode(fmt(n));
  }
  if (Array.isArray(value)) return document.createTextNode("(" + value.map((v) => fmt(num(v))).join(", ") + ")");
  return document.createTextNode(fmt(num(value) ?? value));
}

/** ∇f at the point as a list of floats in variable order. */
export function gradientAt(at, variables) {
  const g = at?.gradient;
  if (Array.isArray(g)) return g.map(num);
  if (g && typeof g === "object") {
    if (Array.isArray(g.float)) return g.float.map(num);
    if (Array.isArray(g.values)) return g.values.map(num);
    return variables.map((v) => num(g[v]));
  }
  return variables.map(() => null);
}

export function pointValues(at, variables) {
  const p = at?.point;
  if (Array.isArray(p)) return p.map(num);
  if (p && typeof p === "object") return variables.map((v) => num(p[v]));
  return variables.map(() => null);
}

export function showPoint(data) {
  const at = data.at;
  const variables = data.variables || (data.partials || []).map((p) => p.variable);
  const body = clear($("#point-table tbody"));
  const row = (label, value, key) => {
    const td = el("td", { dataset: { key } });
    td.append(value instanceof Node ? value : document.createTextNode(String(value)));
    body.append(el("tr", {}, el("th", { scope: "row", text: label }), td));
  };
  const pt = pointValues(at, variables);
  row("point", variables.map((v, i) => `${v} = ${fmt(pt[i])}`).join(", "), "point");
  row("f", show(at.value), "value");
  const g = gradientAt(at, variables);
  row("∇f", "(" + g.map((x) => fmt(x)).join(", ") + ")", "gradient");
  row("‖∇f‖ (steepest slope)", show(at.norm), "norm");
  const dir = Array.isArray(at.direction) ? at.direction.map(num) : at.direction;
  row("direction of steepest ascent", Array.isArray(dir) ? "(" + dir.map((x) => fmt(x, 4)).join(", ") + ")" : fmt(dir), "direction");
  if (at.directional_derivative !== undefined && at.directional_derivative !== null) {
    const dd = at.directional_derivative;
    const value = typeof dd === "object" && !Array.isArray(dd) && ("value" in dd || "unit" in dd)
      ? `${fmt(num(dd.value))} along the unit vector (${(dd.unit || dd.direction || []).map((x) => fmt(num(x), 4)).join(", ")})${dd.note ? ` — ${dd.note}` : ""}`
      : show(dd);
    row("directional derivative", value, "directional");
  }
  for (const note of at.notes || []) row("note", typeof note === "string" ? note : note.message ?? JSON.stringify(note), "note");
  const fd = clear($("#fd-table tbody"));
  for (const c of at.check || []) {
    const ok = c.ok === true;
    fd.append(el("tr", { dataset: { var: c.variable } },
      el("th", { scope: "row", text: c.variable }),
      el("td", { class: ok ? "good" : "bad", text: ok ? "✓ ok" : "✗ MISMATCH" }),
      el("td", { text: fmt(num(c.symbolic), 10) }),
      el("td", { text: fmt(num(c.numeric), 10) }),
      el("td", { text: fmt(num(c.abs_error), 3) }),
      el("td", { text: fmt(num(c.rel_error), 3) }),
      el("td", { text: c.tolerance !== undefined ? fmt(num(c.tolerance), 2) : "—" })));
  }
}

export function clearPoint() {
  clear($("#point-table tbody"));
  clear($("#fd-table tbody"));
}
