// The chapter's example and the classic test functions, each with a view (ranges, point, start)
// and four learning rates that show slow, good, oscillating and diverging descent from `start`
// within `iterations` steps (for a quadratic the boundary is η = 2/L, L the largest curvature).
// tests/optimize/test_presets.py runs every one through nablab's descent and checks the label.
// A null rate means no η shows that behaviour (a function without a minimum has no "good" η);
// the page then says so instead of running something mislabelled.

export const PRESETS = {
  chapter: {
    label: "Chapter example: x²y + sin(xy)",
    text: "x^2 y + sin(xy)", point: "x=1, y=2", direction: "1, 1",
    xRange: [-3, 3], yRange: [-3, 3], start: "x=1, y=-1",
    iterations: 100,
    etas: { slow: 0.002, good: null, oscillating: null, diverging: 0.1 },
    note: "This f has no minimum (it falls without bound), so no η is good: every descent eventually runs away, a larger η only gets there sooner.",
  },
  bowl: {
    label: "Bowl: x² + y²",
    text: "x^2 + y^2", point: "x=1, y=1", direction: "1, 0",
    xRange: [-3, 3], yRange: [-3, 3], start: "x=2.5, y=-2",
    iterations: 100,
    etas: { slow: 0.005, good: 0.3, oscillating: 0.9, diverging: 1.05 },
    note: "L = 2, so descent converges for η < 2/L = 1 and diverges above it.",
  },
  valley: {
    label: "Elongated valley: x² + 10y²",
    text: "x^2 + 10 y^2", point: "x=1, y=0.5", direction: "1, 0",
    xRange: [-3, 3], yRange: [-3, 3], start: "x=-2.5, y=1.5",
    iterations: 100,
    etas: { slow: 0.005, good: 0.05, oscillating: 0.095, diverging: 0.105 },
    note: "Curvatures 2 and 20: η must stay below 2/20 = 0.1, which makes progress along x slow.",
  },
  saddle: {
    label: "Saddle: x² − y²",
    text: "x^2 - y^2", point: "x=1, y=0.5", direction: "0, 1",
    xRange: [-3, 3], yRange: [-3, 3], start: "x=2.5, y=0.05",
    iterations: 100,
    etas: { slow: 0.02, good: null, oscillating: null, diverging: 1.1 },
    note: "No minimum, so no η is good: descent slides towards the saddle point along x, then escapes along y.",
  },
  rosenbrock: {
    label: "Rosenbrock: (1 − x)² + 100(y − x²)²",
    text: "(1 - x)^2 + 100 (y - x^2)^2", point: "x=-1, y=1", direction: "1, 1",
    xRange: [-2, 2], yRange: [-1, 3], start: "x=-1, y=1",
    iterations: 5000,
    etas: { slow: 0.0002, good: 0.0019, oscillating: 0.00215, diverging: 0.0025 },
    note: "A curved valley: steep across (η must stay below about 2/1000), flat along, so even a good η needs thousands of steps to reach the minimum at (1, 1).",
  },
  himmelblau: {
    label: "Himmelblau: (x² + y − 11)² + (x + y² − 7)²",
    text: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2", point: "x=1, y=1", direction: "1, 1",
    xRange: [-5, 5], yRange: [-5, 5], start: "x=0, y=0",
    iterations: 100,
    etas: { slow: 0.0005, good: 0.01, oscillating: 0.02, diverging: 0.05 },
    note: "Four minima; which one descent finds depends on the start.",
  },
  mse: {
    label: "MSE of linear regression (chapter)",
    text: "(1/N) sum((y_n - (theta_0 + theta_1 x_n))^2, n, 1, N)",
    point: "", direction: "",
    xRange: [-3, 3], yRange: [-3, 3], start: "",
    etas: null,
    note: "J sums over data: its pictures and descent are in the Linear regression section below.",
  },
};

/** Default learning rates for a function without a preset (a guess: nothing is checked). */
export const DEFAULT_ETAS = { slow: 0.001, good: 0.01, oscillating: 0.1, diverging: 1 };
export const DEFAULT_ITERATIONS = 100;

/** The preset that owns this set of rates (null for DEFAULT_ETAS or a typed function). */
export function presetOf(etas) {
  return Object.values(PRESETS).find((p) => p.etas === etas) || null;
}
