// Typesetting with KaTeX (served from /vendor/katex/). MathML is emitted next to the HTML so
// screen readers read the formulas.

export function renderTex(node, tex, display = false) {
  const katex = window.katex;
  if (!katex) {
    node.textContent = tex;
    return;
  }
  katex.render(tex, node, { displayMode: display, output: "htmlAndMathml", throwOnError: false, strict: "ignore" });
}

export function texNode(tex, display = false, tag = "span") {
  const node = document.createElement(tag);
  node.className = display ? "math display" : "math";
  renderTex(node, tex, display);
  return node;
}

/** Typeset every element carrying data-tex (static formulas written in index.html). */
export function typesetStatic(root = document) {
  for (const node of root.querySelectorAll("[data-tex]")) renderTex(node, node.dataset.tex, false);
}

/** A column vector in LaTeX from its entries. */
export function columnTex(entries) {
  return "\\begin{bmatrix} " + entries.join(" \\\\ ") + " \\end{bmatrix}";
}

export function partialTex(variable, fname = "f") {
  return `\\frac{\\partial ${fname}}{\\partial ${texName(variable)}}`;
}

const GREEK = new Set(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
  "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]);

/** theta_0 -> \theta_{0}, x1 -> x_{1}, w_{12} -> w_{12}: a variable name as LaTeX. */
export function texName(name) {
  const text = String(name);
  let base = text, sub = "";
  const under = text.match(/^([A-Za-z]+)_\{?([A-Za-z0-9]+)\}?$/);
  const digits = text.match(/^([A-Za-z]+)(\d+)$/);
  if (under) [, base, sub] = under;
  else if (digits) [, base, sub] = digits;
  else if (!/^[A-Za-z]+$/.test(text)) return `\\mathrm{${text.replace(/[{}\\]/g, "")}}`;
  const word = (w) => (GREEK.has(w.toLowerCase()) ? "\\" + w : w.length > 1 ? `\\mathrm{${w}}` : w);
  return sub ? `${word(base)}_{${/^\d+$/.test(sub) ? sub : word(sub)}}` : word(base);
}
