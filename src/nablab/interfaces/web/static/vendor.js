// Plotly is large (≈4.6 MB): it is fetched and evaluated after the page is interactive, so the
// first typeset results do not wait for it. Same origin (/vendor/plotly/), so the CSP allows it.

let plotlyPromise = null;

export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!plotlyPromise) {
    plotlyPromise = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/vendor/plotly/plotly.min.js";
      script.async = true;
      script.addEventListener("load", () => resolve(window.Plotly));
      script.addEventListener("error", () => reject(new Error("Plotly could not be loaded from /vendor/plotly/ (run npm ci)")));
      document.head.append(script);
    });
  }
  return plotlyPromise;
}
