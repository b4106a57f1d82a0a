// The whole view in the URL: the hash (#f=…&v=…&at=…) on the page, or the query of /embed?….
// Reading accepts both; writing replaces the hash without adding history entries.

const KEYS = {
  text: "f", variables: "v", form: "form", point: "at", direction: "dir", xVar: "xv", yVar: "yv",
  xRange: "xr", yRange: "yr", fixed: "fix", eta: "eta", iterations: "it", start: "from", theme: "theme",
  preset: "p", method: "m", lineSearch: "ls", opt: "opt", regData: "data", regScale: "scale", regEta: "reta", regEpochs: "ep",
  regMethod: "rm", regOpt: "ropt", regBatch: "rb", regShuffle: "rsh", regSeed: "rseed",
};

export function readState(location = window.location) {
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.replace(/^#/, ""));
  for (const [key, value] of hash) params.set(key, value);
  const state = {};
  for (const [field, key] of Object.entries(KEYS)) {
    if (params.has(key)) state[field] = params.get(key);
  }
  return state;
}

export function encodeState(state) {
  const params = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS)) {
    const value = state[field];
    if (value === undefined || value === null || value === "") continue;
    params.set(key, String(value));
  }
  return params.toString();
}

export function writeState(state) {
  const hash = "#" + encodeState(state);
  if (window.location.hash !== hash) {
    history.replaceState(null, "", window.location.pathname + window.location.search + hash);
  }
}

export function isEmbed(location = window.location) {
  const params = new URLSearchParams(location.search);
  return location.pathname.replace(/\/+$/, "").endsWith("/embed") || params.get("embed") === "1";
}
