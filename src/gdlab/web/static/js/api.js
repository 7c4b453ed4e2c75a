// Talking to the server: JSON calls whose errors become one readable line, and the
// server-sent events of a live run read from a POST response.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

async function errorOf(response) {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.detail) detail = String(body.detail);
  } catch (_) { /* not JSON: keep the status line */ }
  return new ApiError(response.status, detail);
}

export async function getJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

export async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw await errorOf(response);
  return response.status === 204 ? null : response.json();
}

export async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/api/uploads", { method: "POST", body: form });
  if (!response.ok) throw await errorOf(response);
  return response.json();
}

// POST a request to the stream endpoint; call onEvent(name, payload) for each event.
// Resolves when the stream ends; `signal` aborts it.
export async function stream(url, body, onEvent, signal) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) throw await errorOf(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) name = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}
