// The Function and Variables boxes: a debounced live reading (through the page's one /api/lab
// request per edit, or /api/parse), its typeset preview, warnings, and errors with message, hint
// and a mark at the column in the input.

import { post, variablesField } from "./api.js";
import { edited, hold } from "./busy.js";
import { $, clear, debounce, el, setStatus, withColumn } from "./dom.js";
import { renderTex } from "./math.js";

// Short: a stale request is aborted (and its answer never shown), so reading while the user
// pauses between keys costs little, and the answer comes sooner after the last key.
export const DEBOUNCE_MS = 120;

// The Variables box is filled from each reading until the user types in it; while it only
// holds the reading's names it is not sent (a new function is read afresh, not pinned to the
// old function's variables). Emptying the box hands it back to the reading.
let typed = false;

/** The variables the user chose ("" while the box only shows the reading's names). */
export function variablesText() {
  return typed ? $("#vars").value : "";
}

/** Set the box from a permalink or preset: non-empty text counts as the user's choice. */
export function setVariables(text) {
  const vars = $("#vars");
  vars.value = text || "";
  typed = Boolean((text || "").trim());
  vars.dataset.source = typed ? "user" : "reading";
}

/** The reading alone (/api/parse): the default `read` of initInput. */
const readParse = (text, variables) => post("parse", { text, variables }, "parse");

/** `read(text, variables)` resolves like api.post to the reading ({ok, data} with /api/parse's
 *  answer); app.js passes one that fetches every panel's answer with it in one request. */
export function initInput({ onReading, onInvalid, onEdit, read = readParse }) {
  const fn = $("#fn");
  const vars = $("#vars");
  let waiting = null;  // the busy hold of an edit whose debounced reading has not started yet
  const pipeline = debounce(async () => {
    const release = waiting || hold();
    waiting = null;
    try {
      const text = fn.value;
      if (!text.trim()) {
        showError({ message: "Enter a function, e.g. x^2 y + sin(xy).", column: null, hint: null }, text);
        onInvalid?.();
        return;
      }
      const result = await read(text, variablesField(variablesText()));
      if (result.aborted) return;
      if (!result.ok) {
        showError(result.error, text);
        onInvalid?.(result.error);
        return;
      }
      showReading(result.data);
      onReading?.(result.data);
    } finally {
      release();
    }
  }, DEBOUNCE_MS);
  const run = () => {
    edited();
    if (!waiting) waiting = hold();
    pipeline();
  };
  run.now = () => { edited(); pipeline.now(); };
  fn.addEventListener("input", () => { onEdit?.(); run(); });
  vars.addEventListener("input", () => {
    typed = Boolean(vars.value.trim());
    vars.dataset.source = typed ? "user" : "reading";
    onEdit?.();
    run();
  });
  fn.addEventListener("keydown", (event) => { if (event.key === "Enter") run.now(); });
  vars.addEventListener("keydown", (event) => { if (event.key === "Enter") run.now(); });
  return { reparse: () => run.now() };
}

export function showReading(data) {
  const fn = $("#fn");
  fn.removeAttribute("aria-invalid");
  delete fn.dataset.errorColumn;
  clear($("#fn-mark"));
  delete $("#preview").dataset.stale;
  const latex = data.expression?.latex ?? "";
  const names = (data.variables || []).join(", ");
  renderTex($("#preview"), latex ? `f(${names}) = ${latex}` : "", true);
  const echo = data.expression?.echo;
  const vars = $("#vars");
  if (!typed) {
    vars.value = names;
    vars.dataset.source = "reading";
  }
  vars.placeholder = "from the reading";
  $("#echo").textContent = echo ? `read as ${echo}` : "";
  const params = data.parameters || [];
  setStatus($("#input-status"), "", "");
  const list = clear($("#warnings"));
  const info = [];
  if (params.length) info.push(`Held constant (parameters): ${params.join(", ")}`);
  for (const w of data.warnings || []) {
    const message = typeof w === "string" ? w : w.message;
    const column = typeof w === "object" && w.column ? ` (column ${w.column})` : "";
    list.append(el("li", { text: message + column }));
  }
  if (info.length) setStatus($("#input-status"), "info", info.join(" · "));
}

/** Show an error: message, hint, and the offending column marked under the function box. */
export function showError(error, text) {
  const fn = $("#fn");
  const mark = clear($("#fn-mark"));
  fn.setAttribute("aria-invalid", "true");
  const column = Number.isInteger(error.column) && error.column > 0 ? error.column : null;
  if (column !== null) {
    fn.dataset.errorColumn = String(column);
    const at = column - 1;
    const chars = Array.from(text);
    const before = chars.slice(0, at).join("");
    const ch = at < chars.length ? chars[at] : " ";
    mark.append(document.createTextNode(before), el("span", { class: "err-char", text: ch === " " ? "\u00a0" : ch }));
    mark.dataset.column = String(column);
  } else {
    delete fn.dataset.errorColumn;
  }
  setStatus($("#input-status"), "error", withColumn(error.message || "This input cannot be read.", column), error.hint);
  clear($("#warnings"));
  // the preview keeps the last good reading: say so, so it is not taken for this input's
  const preview = $("#preview");
  if (preview.textContent.trim()) {
    preview.dataset.stale = "true";
    $("#echo").textContent = "last good reading — the input has an error (see below)";
  }
}
