// Steps per partial (issue 4's tree: rule, title, formula, variable, expression, result,
// substeps), each partial collapsible, revealed one step at a time or all at once.

import { clear, el } from "./dom.js";
import { texName, texNode } from "./math.js";

/** Depth-first, parent before children: the order a person reads a derivation in. */
function flatten(node, depth = 0, out = []) {
  if (!node) return out;
  out.push({ node, depth });
  for (const child of node.substeps || []) flatten(child, depth + 1, out);
  return out;
}

function stepItem({ node, depth }) {
  const item = el("li", { class: "step", dataset: { rule: node.rule || "" } });
  item.style.marginLeft = `${depth * 1.1}rem`;
  item.append(el("span", { class: "rule", text: node.title || node.rule || "step" }));
  if (node.explanation) item.append(el("span", { class: "explanation", text: " — " + node.explanation }));
  if (Array.isArray(node.constants) && node.constants.length) {
    const c = el("div", { class: "constants" });
    c.append("Held constant: ", texNode(node.constants.map(texName).join(", ")));
    item.append(c);
  }
  if (node.substitution?.latex) {
    const sub = el("div", { class: "substitution" });
    sub.append("Let ", texNode(`${texName(node.substitution.variable || "u")} = ${node.substitution.latex}`));
    item.append(sub);
  }
  if (node.formula) {
    const f = el("div", { class: "formula" });
    f.append(el("span", { text: "rule: " }), texNode(node.formula));
    item.append(f);
  }
  if (node.expression?.latex && node.result?.latex) {
    const same = node.rule === "simplify" || node.rule === "rewrite";
    const lhs = same ? node.expression.latex
      : `\\frac{\\partial}{\\partial ${texName(node.variable || "x")}}\\left[${node.expression.latex}\\right]`;
    item.append(texNode(`${lhs} = ${node.result.latex}`, true, "div"));
  }
  if (node.note) item.append(el("div", { class: "help", text: node.note }));
  return item;
}

export function showStepsError(container, error) {
  clear(container);
  container.append(el("p", { class: "help", text: `Steps are not available for this function: ${error.message}` }));
}

export function renderSteps(container, steps, variables) {
  clear(container);
  if (!steps || typeof steps !== "object" || !Object.keys(steps).length) {
    container.append(el("p", { class: "help", text: "No steps for this function." }));
    return;
  }
  const order = variables.filter((v) => v in steps).concat(Object.keys(steps).filter((v) => !variables.includes(v)));
  for (const variable of order) {
    const items = flatten(steps[variable]).map(stepItem);
    const list = el("ol", { class: "step-list", "aria-live": "polite" });
    items.forEach((item, i) => { item.hidden = i > 0; list.append(item); });
    const counter = el("span", { class: "label" });
    const next = el("button", { type: "button", class: "step-next", text: "Next step" });
    const all = el("button", { type: "button", class: "step-all", text: "Show all" });
    const reset = el("button", { type: "button", class: "step-reset", text: "From the start" });
    const update = () => {
      const shown = items.filter((item) => !item.hidden).length;
      counter.textContent = `step ${shown} of ${items.length}`;
      next.disabled = shown >= items.length;
      all.disabled = shown >= items.length;
    };
    next.addEventListener("click", () => {
      const hidden = items.find((item) => item.hidden);
      if (hidden) hidden.hidden = false;
      update();
    });
    all.addEventListener("click", () => { items.forEach((item) => { item.hidden = false; }); update(); });
    reset.addEventListener("click", () => { items.forEach((item, i) => { item.hidden = i > 0; }); update(); });
    update();
    const summary = el("summary");
    summary.append(el("span", { text: "Steps for " }), texNode(`\\frac{\\partial f}{\\partial ${texName(variable)}}`));
    const details = el("details", { dataset: { var: variable } }, summary,
      el("div", { class: "step-controls" }, next, all, reset, counter), list);
    container.append(details);
  }
}
