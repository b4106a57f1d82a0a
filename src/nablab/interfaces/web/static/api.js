// Calls to the server's JSON API (docs/http-api.md). Every call resolves to
// {ok: true, data} or {ok: false, error: {message, column, hint}, status} — it never throws,
// and a newer call on the same channel aborts the older one so stale answers never land.

const controllers = new Map();

export async function post(endpoint, body, channel = endpoint) {
  controllers.get(channel)?.abort();
  const controller = new AbortController();
  controllers.set(channel, controller);
  let response;
  try {
    response = await fetch(`/api/${endpoint}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (err) {
    if (err.name === "AbortError") return { ok: false, aborted: true, error: { message: "superseded" } };
    return { ok: false, status: 0, error: { message: "The server cannot be reached.", hint: "Is `nablab serve` still running?" } };
  } finally {
    if (controllers.get(channel) === controller) controllers.delete(channel);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (controller.signal.aborted) return { ok: false, aborted: true, error: { message: "superseded" } };
  if (response.ok && data && !data.error) return { ok: true, data, status: response.status };
  const error = (data && data.error) || { message: `The server answered ${response.status}.` };
  if (response.status === 503 && !error.hint) error.hint = "The server is busy; try again in a moment.";
  return { ok: false, status: response.status, error };
}

/** Abort the call in flight on a channel (its answer would be stale). */
export function abort(channel) {
  controllers.get(channel)?.abort();
  controllers.delete(channel);
}

/** Variables as the API takes them: a list, or null for "from the reading". */
export function variablesField(text) {
  const names = (text || "").split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
  return names.length ? names : null;
}
