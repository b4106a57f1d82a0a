// Plotly is large (≈4.6 MB) and evaluating it blocks the page's main thread for a second or
// more on a slow machine: it is fetched only once the first results are typeset (or after
// GATE_MS, whichever comes first), so they never wait for it. Same origin (/vendor/plotly/),
// so the CSP allows it.

const GATE_MS = 2000;
let plotlyPromise = null;
let openGate = null;
const gate = new Promise((resolve) => { openGate = resolve; });
setTimeout(() => openGate(), GATE_MS);

/** The first results are on screen (or there are none to wait for): Plotly may load now. */
export function firstResultsShown() {
  openGate();
}

export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyPromise) {
    plotlyPromise = gate.then(() => new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/vendor/plotly/plotly.min.js";
      script.async = true;
      script.addEventListener("load", () => resolve(window.Plotly));
      script.addEventListener("error", () => reject(new Error("Plotly could not be loaded from /vendor/plotly/ (run npm ci)")));
      document.head.append(script);
    }));
  }
  return plotlyPromise;
}
