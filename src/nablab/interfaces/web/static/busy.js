// The page's own "done" signal: <body data-state="busy|ready" data-seq="N">. data-seq counts the
// edits of the function (and other inputs) seen so far; data-state is "ready" once every panel
// for the latest one is shown (answers received, results typeset, contour plot drawn) and no
// debounced request is waiting. Tests and bench/bench_edit.py wait on it instead of on sleeps.

let pending = 0;
let seq = 0;

function update() {
  const body = document.body;
  if (!body) return;
  body.dataset.seq = String(seq);
  const state = pending > 0 ? "busy" : "ready";
  if (body.dataset.state !== state) {
    body.dataset.state = state;
    if (state === "ready") window.__nablabReadyAt = performance.now();
  }
}

/** A new edit: the page is busy until its panels are shown. */
export function edited() {
  seq += 1;
  update();
}

/** Hold the page busy until the returned release() is called (idempotent). */
export function hold() {
  pending += 1;
  update();
  let done = false;
  return () => {
    if (done) return;
    done = true;
    pending -= 1;
    // let the browser apply what the callers just rendered before saying "ready"
    queueMicrotask(update);
  };
}

/** Busy while promise runs; returns the promise. */
export function track(promise) {
  const release = hold();
  Promise.resolve(promise).finally(release);
  return promise;
}
