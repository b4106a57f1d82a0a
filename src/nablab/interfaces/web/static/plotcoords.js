// Screen pixels <-> data coordinates on a 2-D Plotly plot.
//
// Plotly reports clicks only on data points (plotly_click), but a point may be set anywhere on
// the contour plot and regression points are dragged anywhere, so the page needs the axes'
// mapping. Plotly has no public API for it: this is the one place that reads its computed
// layout (gd._fullLayout, stable across Plotly 2 and 3; the version is pinned in
// package-lock.json and the browser tests click and drag through this code).

function axes(gd) {
  const layout = gd._fullLayout;
  if (!layout || !layout.xaxis || !layout.yaxis) return null;
  return { xa: layout.xaxis, ya: layout.yaxis, rect: gd.getBoundingClientRect() };
}

/** Data coordinates [x, y] under a mouse or pointer event, or null outside the plot area. */
export function eventToData(gd, event) {
  const a = axes(gd);
  if (!a) return null;
  const px = event.clientX - a.rect.left - a.xa._offset;
  const py = event.clientY - a.rect.top - a.ya._offset;
  if (px < 0 || py < 0 || px > a.xa._length || py > a.ya._length) return null;
  return [a.xa.p2l(px), a.ya.p2l(py)];
}

/** Distance in screen pixels from an event to the data point (x, y); Infinity if unknown. */
export function pixelDistance(gd, event, x, y) {
  const a = axes(gd);
  if (!a) return Infinity;
  return Math.hypot(a.xa.l2p(x) + a.xa._offset + a.rect.left - event.clientX,
    a.ya.l2p(y) + a.ya._offset + a.rect.top - event.clientY);
}
