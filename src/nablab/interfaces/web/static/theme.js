// Dark mode: follows prefers-color-scheme until the user presses the toggle; the choice is kept
// in the permalink state (and localStorage), and plots re-colour through onThemeChange.

const listeners = [];
const media = window.matchMedia("(prefers-color-scheme: dark)");

export function currentTheme() {
  const forced = document.documentElement.dataset.theme;
  if (forced === "dark" || forced === "light") return forced;
  return media.matches ? "dark" : "light";
}

export function setTheme(theme) {
  if (theme === "dark" || theme === "light") document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
  try {
    if (theme) localStorage.setItem("nablab-theme", theme); else localStorage.removeItem("nablab-theme");
  } catch { /* storage may be off (private mode, embed); the toggle still works */ }
  syncButton();
  listeners.forEach((fn) => fn(currentTheme()));
}

export function onThemeChange(fn) {
  listeners.push(fn);
}

function syncButton() {
  const button = document.getElementById("theme-toggle");
  if (!button) return;
  const dark = currentTheme() === "dark";
  button.textContent = "Dark mode";
  button.setAttribute("aria-pressed", String(dark));
}

export function initTheme(initial) {
  let stored = null;
  try { stored = localStorage.getItem("nablab-theme"); } catch { stored = null; }
  const theme = initial || stored;
  if (theme) document.documentElement.dataset.theme = theme;
  syncButton();
  document.getElementById("theme-toggle")?.addEventListener("click", () => {
    setTheme(currentTheme() === "dark" ? "light" : "dark");
  });
  media.addEventListener("change", () => {
    if (!document.documentElement.dataset.theme) { syncButton(); listeners.forEach((fn) => fn(currentTheme())); }
  });
}

/** Colours for Plotly from the CSS variables of the current theme. */
export function plotColors() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { bg: v("--plot-bg"), fg: v("--fg"), grid: v("--grid"), muted: v("--muted") };
}

// Okabe–Ito: distinguishable with every common colour-vision deficiency.
export const OKABE_ITO = {
  orange: "#E69F00", sky: "#56B4E9", green: "#009E73", yellow: "#F0E442",
  blue: "#0072B2", vermillion: "#D55E00", purple: "#CC79A7", black: "#000000",
};

// Plotly's mode bar: its buttons are tab stops even while hidden (14 per plot), so keyboard
// users would tab through dozens of invisible buttons. The pictures need no zoom or selection
// tools (clicks set points): keep only "download as PNG" (and the camera reset in 3-D).
export const PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtons: [["toImage"]] };
export const SURFACE_CONFIG = { ...PLOT_CONFIG, modeBarButtons: [["toImage", "resetCameraDefault3d"]] };
