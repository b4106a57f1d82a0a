// The optimizers as the page offers them, in one table: each method's names, colour and
// parameters, each parameter's symbol in the literature (β, μ, ρ, β1, β2, ε, α), usual value and
// range. Both cards build their controls from it with the same helpers: the descent card's
// method choices (a checkbox per method, its parameter boxes next to it) and the regression
// card's method select (the same labels, the same parameter boxes for the chosen method). The
// usual values are nablab's (nablab.optimize.methods); a box left empty is not sent, so the
// server uses them.

import { el, fmt } from "./dom.js";
import { OKABE_ITO } from "./theme.js";

/** The methods in the order the page lists them: `choice` labels the method where it is
 *  chosen, `label` names it in tables and legends, `name` in headlines, `words` in a sentence. */
export const METHODS = {
  gd: { label: "gd", name: "Gradient descent", words: "gradient descent", choice: "gradient descent (gd)",
    color: OKABE_ITO.blue, dash: "solid", opts: [], step: "η" },
  momentum: { label: "momentum", name: "Momentum", words: "momentum", choice: "momentum (heavy ball)",
    color: OKABE_ITO.vermillion, dash: "dash", opts: ["beta"] },
  nesterov: { label: "Nesterov", name: "Nesterov", words: "Nesterov's method", choice: "Nesterov",
    color: OKABE_ITO.green, dash: "dot", opts: ["mu"] },
  adagrad: { label: "AdaGrad", name: "AdaGrad", words: "AdaGrad", choice: "AdaGrad",
    color: "#882255", dash: "dashdot", opts: ["eps"] },
  rmsprop: { label: "RMSProp", name: "RMSProp", words: "RMSProp", choice: "RMSProp",
    color: OKABE_ITO.sky, dash: "longdash", opts: ["rho", "eps"] },
  adam: { label: "Adam", name: "Adam", words: "Adam", choice: "Adam",
    color: OKABE_ITO.orange, dash: "longdashdot", opts: ["beta1", "beta2", "eps"] },
  newton: { label: "Newton", name: "Newton's method", words: "Newton's method", choice: "Newton (derived Hessian)",
    color: OKABE_ITO.purple, dash: "solid", opts: ["alpha"], step: "α" },
};

/** Regression offers every method but Newton's (one Newton step on the quadratic J is the
 *  closed form, which the card already shows). */
export const REGRESSION_METHODS = Object.keys(METHODS).filter((m) => m !== "newton");

/** The parameters: symbol, usual value (the box's placeholder), the box's bounds. */
export const PARAMETERS = {
  beta: { symbol: "β", usual: "0.9", min: "0", max: "0.9999" },
  mu: { symbol: "μ", usual: "0.9", min: "0", max: "0.9999" },
  rho: { symbol: "ρ", usual: "0.9", min: "0", max: "0.9999" },
  beta1: { symbol: "β1", usual: "0.9", min: "0", max: "0.9999" },
  beta2: { symbol: "β2", usual: "0.999", min: "0", max: "0.9999" },
  eps: { symbol: "ε", usual: "1e-8", min: "0" },
  alpha: { symbol: "α", usual: "1", min: "0" },
};

const LINE_SEARCHES = [["fixed", (step) => `fixed ${step}`], ["armijo", () => "Armijo backtracking"], ["wolfe", () => "strong Wolfe"]];
const LINE_SEARCH_WORDS = { armijo: "Armijo backtracking", wolfe: "strong-Wolfe line search" };

/** A parameter's label and number box (`<idPrefix><name>`, class `opt`, `data-opt`). */
export function parameterBox(name, idPrefix, labelText = PARAMETERS[name].symbol) {
  const p = PARAMETERS[name];
  const id = `${idPrefix}${name}`;
  const attrs = { id, class: "opt", type: "number", min: p.min, step: "any", placeholder: p.usual, dataset: { opt: name } };
  if (p.max !== undefined) attrs.max = p.max;
  return [el("label", { for: id, class: "inline", text: labelText }), el("input", attrs)];
}

/** The descent card's choices: a checkbox per method with its own parameter boxes (and a step
 *  size for gd and Newton); a parameter several methods take (ε) gets one shared box. */
export function methodChoices(before) {
  const takers = (opt) => Object.keys(METHODS).filter((m) => METHODS[m].opts.includes(opt));
  const shared = Object.keys(PARAMETERS).filter((opt) => takers(opt).length > 1);
  for (const [method, m] of Object.entries(METHODS)) {
    const box = el("input", { type: "checkbox", name: "method", value: method, id: `m-${method}` });
    box.checked = method === "gd";
    const row = el("div", { class: "method", dataset: { method } }, el("label", { class: "check" }, box, ` ${m.choice}`));
    for (const opt of m.opts.filter((o) => !shared.includes(o))) row.append(...parameterBox(opt, "opt-"));
    if (m.step) {
      const select = el("select", { id: `ls-${method}`, class: "line-search", dataset: { method } },
        ...LINE_SEARCHES.map(([value, text]) => el("option", { value, text: text(m.step) })));
      row.append(el("label", { for: select.id, class: "inline", text: "step" }), select);
    }
    before.before(row);
  }
  for (const opt of shared) {
    const names = takers(opt).map((m) => METHODS[m].label).join(", ");
    before.before(el("div", { class: "method shared" }, ...parameterBox(opt, "opt-", `${PARAMETERS[opt].symbol} (${names})`)));
  }
}

/** The regression card's select: the same labels as the descent card's choices. */
export function methodSelect(select, methods = REGRESSION_METHODS) {
  select.replaceChildren(...methods.map((m) => el("option", { value: m, text: METHODS[m].choice })));
}

/** The numbers typed in the parameter boxes under `root` (empty boxes take the usual value:
 *  they are left out). */
export function readParameters(root) {
  const out = {};
  for (const input of root.querySelectorAll("input.opt")) {
    const raw = input.value.trim();
    if (raw !== "") out[input.dataset.opt] = Number(raw);
  }
  return out;
}

export function writeParameters(root, map) {
  for (const input of root.querySelectorAll("input.opt")) {
    const v = map[input.dataset.opt];
    input.value = v === undefined || v === null ? "" : String(v);
  }
}

/** ``beta=0.8,eps=1e-7`` (the permalink's and the CLI's --opt form) ↔ {beta: 0.8, eps: 1e-7}. */
export function parametersText(map) {
  return Object.entries(map).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => `${k}=${v}`).join(",");
}

export function parseParameters(text) {
  return Object.fromEntries(String(text || "").split(",").filter(Boolean).map((p) => p.split("="))
    .filter(([k, v]) => k in PARAMETERS && Number.isFinite(Number(v))).map(([k, v]) => [k, Number(v)]));
}

/** "β1 = 0.9, β2 = 0.999, ε = 1e-8": a run's parameters as used (the server's `hyper`). */
export function hyperText(hyper) {
  return Object.entries(hyper || {}).map(([k, v]) => `${PARAMETERS[k]?.symbol || k} = ${fmt(v, 4)}`).join(", ");
}

/** A run's settings: η (not for Newton), its parameters, a line search other than fixed. */
export function settingsText(r) {
  const parts = [];
  if (r.method !== "newton") parts.push(`η = ${fmt(r.rate, 4)}`);
  const hyper = hyperText(r.hyper);
  if (hyper) parts.push(hyper);
  if (r.line_search && r.line_search !== "fixed") parts.push(LINE_SEARCH_WORDS[r.line_search] || r.line_search);
  return parts.join(", ");
}
