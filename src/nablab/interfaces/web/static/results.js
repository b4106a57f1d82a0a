// Results: each partial, ∇f as a column, the domain conditions, copy buttons and the
// "check my answer" box. The last good result stays on screen (marked stale) while the input
// is invalid.

import { post, variablesField } from "./api.js";
import { $, clear, copyText, el, fmt, setStatus, withColumn } from "./dom.js";
import { columnTex, partialTex, renderTex, texName, texNode } from "./math.js";
import { renderSteps } from "./steps.js";

let last = null;

export function showResults(data) {
  last = data;
  $("#results-stale").hidden = true;
  const list = clear($("#partials"));
  for (const p of data.partials || []) {
    const item = el("li", { dataset: { var: p.variable, text: p.text } });
    item.append(texNode(`${partialTex(p.variable)} = ${p.latex}`, true, "div"));
    if (p.note) item.append(el("p", { class: "help note", text: p.note }));
    list.append(item);
  }
  const gradTex = gradientTex(data);
  renderTex($("#gradient"), gradTex, true);
  const domain = clear($("#domain"));
  const conditions = data.domain || [];
  if (!conditions.length) domain.append(el("li", { text: "All real numbers: no conditions." }));
  for (const c of conditions) {
    const item = el("li");
    item.append(c.latex ? texNode(c.latex) : document.createTextNode(c.condition));
    if (c.reason) item.append(el("span", { class: "reason", text: " — " + c.reason }));
    domain.append(item);
  }
  if (data.steps) renderSteps($("#steps"), data.steps, data.variables || (data.partials || []).map((p) => p.variable));
  const select = $("#check-var");
  const previous = select.value;
  clear(select);
  for (const p of data.partials || []) select.append(el("option", { value: p.variable, text: p.variable }));
  if ([...select.options].some((o) => o.value === previous)) select.value = previous;
}

function gradientTex(data) {
  const names = (data.variables || (data.partials || []).map((p) => p.variable)).map(texName).join(", ");
  const lhs = `\\nabla f(${names}) = `;
  const column = columnTex((data.partials || []).map((p) => p.latex));
  return lhs + column;
}

export function markStale() {
  if (last) $("#results-stale").hidden = false;
}

export function showResultsError(error) {
  setStatus($("#input-status"), "error", error.message, error.hint);
}

export function initResults({ getRequest }) {
  $("#copy-latex").addEventListener("click", async () => {
    if (!last) return;
    const ok = await copyText(gradientTex(last));
    $("#copy-status").textContent = ok ? "LaTeX copied." : "Copy failed: select the text instead.";
  });
  $("#copy-text").addEventListener("click", async () => {
    if (!last) return;
    // the readable form nablab itself reads back (x^2·y), not SymPy's syntax (x**2*y)
    const partials = last.partials || [];
    const readable = (p) => p.echo ?? p.text;
    const text = partials.map((p) => `∂f/∂${p.variable} = ${readable(p)}`).join("\n")
      + (partials.length ? `\n∇f = (${partials.map(readable).join(", ")})` : "");
    const ok = await copyText(text);
    $("#copy-status").textContent = ok ? "Text copied." : "Copy failed: select the text instead.";
  });
  $("#check-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const req = getRequest();
    const answer = $("#check-answer").value;
    const target = $("#check-result");
    if (!answer.trim()) { setStatus(target, "error", "Type your answer for the partial first."); return; }
    setStatus(target, "info", "Checking…");
    const result = await post("check", { text: req.text, variables: variablesField(req.variables), var: $("#check-var").value, answer }, "check");
    if (result.aborted) return;
    if (!result.ok) {
      setStatus(target, "error", withColumn(result.error.message || "", result.error.column, (c) => `column ${c} of your answer`), result.error.hint);
      return;
    }
    const d = result.data;
    clear(target);
    if (d.equivalent) {
      target.className = "status ok";
      target.append(el("span", { text: "Correct: your answer equals " }), texNode(`${partialTex($("#check-var").value)} = ${d.expected?.latex ?? ""}`));
      return;
    }
    target.className = "status error";
    target.append(el("span", { text: "Not equal to " }), texNode(`${partialTex($("#check-var").value)} = ${d.expected?.latex ?? ""}`));
    if (d.counterexample) {
      const c = d.counterexample;
      const point = typeof c.point === "object" ? Object.entries(c.point).map(([k, v]) => `${k} = ${fmt(v, 6)}`).join(", ") : String(c.point);
      target.append(el("span", { class: "hint", text: `At ${point}: the partial is ${fmt(c.expected, 8)}, your answer gives ${fmt(c.answer, 8)}.` }));
    }
    for (const term of d.wrong_terms || []) {
      const line = el("span", { class: "hint" });
      if (typeof term === "string") line.append(`Check this term: ${term}`);
      else {
        line.append(`${term.problem ? term.problem[0].toUpperCase() + term.problem.slice(1) : "Wrong term"}: expected `);
        line.append(term.expected?.latex ? texNode(term.expected.latex) : String(term.expected?.text ?? "—"));
        line.append(", you wrote ");
        line.append(term.answer?.latex ? texNode(term.answer.latex) : String(term.answer?.text ?? "nothing"));
      }
      target.append(line);
    }
  });
}
