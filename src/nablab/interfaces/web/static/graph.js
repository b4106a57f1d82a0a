// The computational graph of f at the point (/api/gradient with graph: true, the JSON of
// `nablab grad --at … --graph --json`): drawn as an SVG of boxes in layers (inputs below, f on
// top; a shared subexpression is one box read by several), each with its forward value, its
// adjoint ∂f/∂node and the rule of its local derivative, and a table of the same. "Backward step"
// walks the reverse pass in the server's order: the node being visited is highlighted, its edges
// carry adjoint × local derivative to its inputs, and the adjoints fill in until the variables'
// adjoints are ∇f.

import { post } from "./api.js";
import { $, clear, el, fmt, setStatus } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 124, NODE_H = 66, GAP_X = 22, GAP_Y = 48, MARGIN = 16;
/** Larger graphs are listed in the table only: boxes that small would be unreadable. */
export const MAX_DRAWN = 60;
const SYMBOL = { add: "+", mul: "×", pow: "^" };

let graph = null;   // the answer's graph
let step = 0;       // nodes of the backward pass visited so far
let pointText = "";

export function initGraph() {
  $("#graph-step").addEventListener("click", () => { if (graph && step < graph.backward.length) { step += 1; render(); } });
  $("#graph-all").addEventListener("click", () => { if (graph) { step = graph.backward.length; render(); } });
  $("#graph-reset").addEventListener("click", () => { if (graph) { step = 0; render(); } });
  clearGraph("Choose a point (the At a point box, or click the contour plot) to see the graph there.");
}

/** No graph to show (no point, a function over data, an error): say why. */
export function clearGraph(message, kind = "info") {
  graph = null;
  step = 0;
  $("#graph-figure").hidden = true;
  clear($("#graph-drawing"));
  clear($("#graph-table tbody"));
  const card = $("#graph-card");
  delete card.dataset.step;
  delete card.dataset.nodes;
  setStatus($("#graph-status"), message ? kind : "", message || "");
  syncButtons();
}

/** Ask for the graph at the point of the point panel's request (same text, variables, at). */
export async function refreshGraph(pointBody) {
  const body = { text: pointBody.text, variables: pointBody.variables, at: pointBody.at, form: pointBody.form, graph: true };
  const result = await post("gradient", body, "graph");
  if (result.aborted) return;
  if (!result.ok || !result.data.graph) {
    clearGraph(result.ok ? "No graph in the answer." : result.error.message, "error");
    if (!result.ok && result.error.hint) setStatus($("#graph-status"), "error", result.error.message, result.error.hint);
    return;
  }
  graph = result.data.graph;
  pointText = Object.entries(graph.point).map(([k, v]) => `${k} = ${fmt(v, 6)}`).join(", ");
  step = 0;
  setStatus($("#graph-status"), "", "");
  render();
}

function syncButtons() {
  const total = graph ? graph.backward.length : 0;
  $("#graph-step").disabled = !graph || step >= total;
  $("#graph-all").disabled = !graph || step >= total;
  $("#graph-reset").disabled = !graph || step === 0;
}

/** The adjoints as the backward pass has them after `k` visits: a visited node's is final; a
 *  node not yet visited holds the sum of what its visited readers sent it so far. */
export function adjointsAfter(g, k) {
  const acc = g.nodes.map(() => 0);
  const touched = g.nodes.map(() => false);
  acc[g.output] = 1;
  touched[g.output] = true;
  for (const i of g.backward.slice(0, k)) {
    const n = g.nodes[i];
    if (acc[i] === 0) continue;  // as the server's pass: nothing to send
    n.inputs.forEach((j, t) => {
      const d = n.local[t];
      acc[j] += acc[i] * (d === null ? NaN : d);
      touched[j] = true;
    });
  }
  return { acc, touched };
}

/** Layers: a leaf (variable, parameter, constant) is layer 0, every other node one above its
 *  highest input; in each layer the nodes are ordered by the mean position of their inputs
 *  (then of their readers), which keeps most edges from crossing. */
export function layout(g) {
  const level = [];
  for (const n of g.nodes) level[n.id] = n.inputs.length ? 1 + Math.max(...n.inputs.map((j) => level[j])) : 0;
  const top = Math.max(0, ...level);
  const rows = Array.from({ length: top + 1 }, () => []);
  for (const n of g.nodes) rows[level[n.id]].push(n.id);
  const readers = g.nodes.map(() => []);
  for (const n of g.nodes) for (const j of n.inputs) readers[j].push(n.id);
  const slot = [];
  const place = () => rows.forEach((row) => row.forEach((id, i) => { slot[id] = i - (row.length - 1) / 2; }));
  place();
  const mean = (ids) => (ids.length ? ids.reduce((a, id) => a + slot[id], 0) / ids.length : null);
  for (let pass = 0; pass < 2; pass++) {
    for (let r = 1; r <= top; r++) {
      rows[r].sort((a, b) => (mean(g.nodes[a].inputs) ?? slot[a]) - (mean(g.nodes[b].inputs) ?? slot[b]));
      place();
    }
    for (let r = top - 1; r >= 0; r--) {
      rows[r].sort((a, b) => (mean(readers[a]) ?? slot[a]) - (mean(readers[b]) ?? slot[b]));
      place();
    }
  }
  const widest = Math.max(...rows.map((row) => row.length));
  const width = widest * (NODE_W + GAP_X) - GAP_X + 2 * MARGIN;
  const height = (top + 1) * (NODE_H + GAP_Y) - GAP_Y + 2 * MARGIN;
  const pos = [];
  for (const n of g.nodes) {
    pos[n.id] = {
      x: width / 2 + slot[n.id] * (NODE_W + GAP_X),
      y: MARGIN + NODE_H / 2 + (top - level[n.id]) * (NODE_H + GAP_Y),
    };
  }
  return { pos, width, height };
}

function label(n) {
  if (n.op === "variable" || n.op === "parameter") return n.name || n.expression;
  if (n.op === "constant") return n.expression;
  return SYMBOL[n.op] || n.op;
}

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== null) node.textContent = text;
  return node;
}

function stateOf(id, k) {
  const visited = graph.backward.slice(0, k);
  if (k > 0 && visited[k - 1] === id) return "current";
  return visited.includes(id) ? "visited" : "pending";
}

function adjointText(id, states, acc, touched) {
  const n = graph.nodes[id];
  if (states[id] !== "pending") return fmt(n.adjoint, 5);
  if (id === graph.output) return "1 (seed)";
  return touched[id] ? `${fmt(acc[id], 4)} so far` : "…";
}

function render() {
  const g = graph;
  if (!g) return;
  const card = $("#graph-card");
  card.dataset.step = String(step);
  card.dataset.nodes = String(g.nodes.length);
  card.dataset.total = String(g.backward.length);
  const { acc, touched } = adjointsAfter(g, step);
  const states = g.nodes.map((n) => stateOf(n.id, step));
  const current = step > 0 ? g.backward[step - 1] : null;
  drawSvg(g, states, acc, touched, current);
  fillTable(g, states, acc, touched);
  $("#graph-summary").textContent = summary(g, current);
  syncButtons();
}

function drawSvg(g, states, acc, touched, current) {
  const box = clear($("#graph-drawing"));
  if (g.nodes.length > MAX_DRAWN) {
    $("#graph-figure").hidden = false;
    box.append(el("p", { class: "help", text: `The graph has ${g.nodes.length} nodes, too many to draw readably; the table below lists every node, and the backward steps highlight its rows.` }));
    return;
  }
  $("#graph-figure").hidden = false;
  const { pos, width, height } = layout(g);
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "graph-summary" });
  const edges = svg("g", { class: "edges" });
  const labels = svg("g", { class: "edge-labels" });
  for (const n of g.nodes) {
    n.inputs.forEach((j, t) => {
      const a = pos[n.id], b = pos[j];
      const y0 = a.y + NODE_H / 2, y1 = b.y - NODE_H / 2, mid = (y0 + y1) / 2;
      const active = n.id === current;
      edges.append(svg("path", { class: "edge" + (active ? " active" : ""), "data-from": j, "data-to": n.id,
        d: `M ${a.x} ${y0} C ${a.x} ${mid}, ${b.x} ${mid}, ${b.x} ${y1}` }));
      if (active) {
        const sent = n.adjoint * (n.local[t] ?? NaN);
        labels.append(svg("text", { class: "edge-label", x: (a.x + b.x) / 2 + 4, y: mid, "text-anchor": "middle" },
          `+= ${fmt(sent, 4)}`));
      }
    });
  }
  root.append(edges);
  const nodes = svg("g", { class: "nodes" });
  for (const n of g.nodes) {
    const p = pos[n.id];
    const group = svg("g", { class: "node" + (n.id === g.output ? " output" : ""), "data-id": n.id, "data-state": states[n.id],
      "data-op": n.op, "data-rule": n.rule, transform: `translate(${p.x - NODE_W / 2}, ${p.y - NODE_H / 2})` });
    group.append(svg("title", {}, `#${n.id} ${n.expression}: value ${fmt(n.value, 8)}, adjoint ∂f/∂node ${fmt(n.adjoint, 8)}, rule ${n.rule}`));
    group.append(svg("rect", { width: NODE_W, height: NODE_H, rx: 6 }));
    group.append(svg("text", { class: "op", x: 6, y: 15 }, `#${n.id}  ${label(n)}`));
    group.append(svg("text", { class: "value", x: 6, y: 31 }, `v = ${fmt(n.value, 5)}`));
    group.append(svg("text", { class: "adjoint", x: 6, y: 46 }, `v̄ = ${adjointText(n.id, states, acc, touched)}`));
    group.append(svg("text", { class: "rule", x: 6, y: 60 }, n.rule));
    nodes.append(group);
  }
  root.append(nodes, labels);
  box.append(root);
}

function fillTable(g, states, acc, touched) {
  const body = clear($("#graph-table tbody"));
  for (const n of g.nodes) {
    const operation = n.inputs.length ? `${n.op}(${n.inputs.map((j) => `#${j}`).join(", ")})` : label(n);
    const local = n.inputs.map((j, t) => `∂/∂#${j} = ${fmt(n.local[t], 5)}`).join(", ") || "—";
    body.append(el("tr", { dataset: { id: String(n.id), state: states[n.id] } },
      el("th", { scope: "row", text: `#${n.id}${n.name ? ` (${n.name})` : ""}` }),
      el("td", {}, operation, n.inputs.length ? el("span", { class: "help", text: `  ${n.expression}` }) : null),
      el("td", { text: fmt(n.value, 8) }),
      el("td", { class: "adjoint", text: adjointText(n.id, states, acc, touched) }),
      el("td", { text: n.rule }),
      el("td", { text: local })));
  }
}

function summary(g, current) {
  const shared = g.nodes.filter((n) => g.nodes.filter((m) => m.inputs.includes(n.id)).length > 1 && n.inputs.length);
  let text = `The graph of f at ${pointText}: ${g.nodes.length} nodes, f = ${fmt(g.value, 8)}.`;
  if (shared.length) text += ` Shared subexpressions (one node, read more than once): ${shared.map((n) => `#${n.id} ${n.expression}`).join(", ")}.`;
  const total = g.backward.length;
  if (current === null) {
    text += ` Backward pass: not started (${total} steps); the seed is ∂f/∂f = 1 at #${g.output}.`;
  } else {
    const n = g.nodes[current];
    const sends = n.inputs.map((j, t) => `${fmt(n.adjoint * (n.local[t] ?? NaN), 4)} to #${j}`).join(", ");
    text += ` Backward step ${step} of ${total}: node #${n.id} (${n.expression}) has adjoint ${fmt(n.adjoint, 6)}`
      + (sends ? ` and sends adjoint × local derivative: ${sends}.` : ", a leaf: nothing to send.");
  }
  if (step >= total) {
    text += ` Done: the variables' adjoints are ∇f = (${g.variables.map((v, i) => `∂f/∂${v} = ${fmt(g.gradient[i], 8)}`).join(", ")}).`;
  }
  return text;
}
