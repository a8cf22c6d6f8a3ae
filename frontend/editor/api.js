// The REST API of the designer, with the session cookie and CSRF token.

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code;
    this.body = body;
  }
}

export function makeApi(config) {
  const team = encodeURIComponent(config.team);
  const base = `/api/scripts/${config.slug}`;
  async function call(method, path, body) {
    const url = `${path}${path.includes("?") ? "&" : "?"}team=${team}`;
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
        ...(method !== "GET" ? { "X-CSRFToken": csrfToken() } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const data = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }
  return {
    draft: () => call("GET", `${base}/draft/`),
    save: (document, baseRevision) =>
      call("PUT", `${base}/draft/`, { document, base_revision: baseRevision }),
    validate: (document) => call("POST", `${base}/validate/`, { document }),
    publish: (baseRevision) => call("POST", `${base}/publish/`, { base_revision: baseRevision }),
    versions: () => call("GET", `${base}/versions/`),
    diff: (from, to) => call("GET", `${base}/diff/?from=${from}&to=${to}`),
    preview: (template, document, segment) =>
      call("POST", `${base}/preview/`, { template, document, segment }),
    builtinIntents: (language) => call("GET", `/api/intents/?language=${language}`),
    exportUrl: `${base}/draft/export/?team=${team}`,
    recordings: () => call("GET", `${base}/audio/`),
    uploadRecording: async (file) => {
      const form = new FormData();
      form.append("file", file, file.name);
      const response = await fetch(`${base}/audio/?team=${team}`, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
        body: form,
      });
      const data = await response.json().catch(() => null);
      if (!response.ok) throw new ApiError(response.status, data);
      return data;
    },
  };
}
