import { useEffect, useState } from "react";
import { LISTENING, NODE_TYPES, OUTCOMES, TERMINAL, eventsOf, routeKind } from "./graph.js";

function lines(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean);
}

// A textarea holding a list, one item a line, that keeps what is typed
// (blank lines included) until it loses focus.
function LinesField({ value, onChange, disabled, label, rows = 3 }) {
  const [text, setText] = useState((value || []).join("\n"));
  useEffect(() => setText((value || []).join("\n")), [JSON.stringify(value)]);
  return (
    <label className="field">
      <span>{label}</span>
      <textarea
        rows={rows}
        value={text}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => onChange(lines(text))}
      />
    </label>
  );
}

function Preview({ api, doc, text, segment }) {
  const [result, setResult] = useState(null);
  useEffect(() => {
    const timer = setTimeout(() => {
      api
        .preview(text, doc, segment || "")
        .then(setResult)
        .catch((error) => setResult({ text: null, error: error.message }));
    }, 250);
    return () => clearTimeout(timer);
  }, [text, segment, JSON.stringify(doc.variables)]);
  if (!result) return <div className="preview pending">…</div>;
  if (result.error) return <div className="preview error">Template error: {result.error}</div>;
  return <div className="preview">{result.text}</div>;
}

export function formatDuration(seconds) {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

// The recording a variant plays instead of speaking its text: upload one
// (the API checks and normalises it), play it here, or take it off the
// variant. The text stays: transcripts show it, and it is spoken when the
// recording cannot be played.
function VariantRecording({ api, audio, recordings, readOnly, onUploaded, onRemove }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [warning, setWarning] = useState(null);
  const recording = audio ? recordings.find((r) => r.reference === audio) : null;

  async function upload(event) {
    const file = event.target.files[0];
    event.target.value = "";
    if (!file) return;
    setBusy(true);
    setError(null);
    setWarning(null);
    try {
      const uploaded = await api.uploadRecording(file);
      onUploaded(uploaded);
      if (uploaded.warnings?.length) setWarning(uploaded.warnings.map((w) => w.message).join(" "));
    } catch (failure) {
      setError(failure.status === 413 || failure.status === 400 ? failure.message : `${failure.message} (HTTP ${failure.status ?? "error"})`);
    } finally {
      setBusy(false);
    }
  }

  let current;
  if (!audio) current = <span className="hint">No recording: the text is spoken.</span>;
  else if (recording)
    current = (
      <span className="recording">
        <span className="recording-name" title={recording.reference}>
          {recording.name}
        </span>{" "}
        <span className="recording-duration">{formatDuration(recording.duration)}</span>
        <audio className="recording-player" controls preload="none" src={recording.url} />
      </span>
    );
  else if (audio.startsWith("sha256:"))
    current = <span className="error">The recording {audio.slice(0, 19)}… is not among this script’s recordings; upload it again.</span>;
  else current = <span className="hint">Plays the file “{audio}” of the server’s prompt audio directory.</span>;

  return (
    <div className="variant-recording">
      {current}
      {!readOnly && (
        <div className="row">
          <label className={`button upload-recording${busy ? " busy" : ""}`}>
            {busy ? "Uploading…" : audio ? "Replace recording" : "Upload recording"}
            <input type="file" accept=".wav,.flac,audio/wav,audio/x-wav,audio/flac" hidden disabled={busy} onChange={upload} />
          </label>
          {audio && (
            <button type="button" className="remove-recording" onClick={onRemove}>
              Remove recording
            </button>
          )}
        </div>
      )}
      {error && (
        <span className="field-error recording-error" role="alert">
          Not uploaded: {error}
        </span>
      )}
      {warning && (
        <span className="recording-warning" role="status">
          {warning}
        </span>
      )}
    </div>
  );
}

function numberOrNull(value) {
  if (value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

// Why `id` cannot be this node's id (the schema's rule: 1 to 64 Latin
// letters, digits, _ and -, unique), or null when it can.
export function idProblem(doc, node, id) {
  if (id === "") return "An id cannot be empty.";
  if (/\s/.test(id)) return "An id cannot contain spaces; use _ or - instead.";
  const others = [...new Set(id.replace(/[A-Za-z0-9_-]/g, ""))];
  if (others.length) return `An id uses only Latin letters, digits, _ and -, not ${others.map((c) => `“${c}”`).join(" ")}.`;
  if (id.length > 64) return `An id is at most 64 characters; this one has ${id.length}.`;
  if (id !== node.id && doc.nodes.some((n) => n.id === id)) return `Another node already has the id “${id}”.`;
  return null;
}

function RenameField({ doc, node, onRename }) {
  const [id, setId] = useState(node.id);
  const problem = idProblem(doc, node, id);
  // An id that cannot be used stays in the field with its reason beside it;
  // Escape goes back to the node's id.
  const commit = () => {
    if (id !== node.id && !problem) onRename(id);
  };
  return (
    <label className="field">
      <span>Id</span>
      <input
        className="node-id-input"
        value={id}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem ? "node-id-error" : undefined}
        onChange={(e) => setId(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === "Enter") commit();
          if (e.key === "Escape") setId(node.id);
        }}
      />
      {problem && (
        <span className="field-error" id="node-id-error" role="alert">
          {problem} The node keeps the id “{node.id}”.
        </span>
      )}
    </label>
  );
}

export function NodePanel({ doc, node, problems, readOnly, api, recordings = [], onRecording, onChange, onDelete, onRename }) {
  const variants = node.prompt?.variants || [];
  const routes = node.routes || [];
  const listening = LISTENING.has(node.type);
  const terminal = TERMINAL.has(node.type);
  const nodeIds = doc.nodes.map((n) => n.id);
  const intentIds = [...new Set([...Object.keys(doc.intents || {}), ...(window.__builtinIntents || [])])].sort();

  const setVariants = (next) => onChange((n) => ({ ...n, prompt: { ...(n.prompt || {}), variants: next } }));
  const setVariant = (i, change) => setVariants(variants.map((v, j) => (j === i ? clean({ ...v, ...change }) : v)));
  // From the node as it is when an upload ends, not as it was when it began.
  const setVariantAudio = (i, audio) =>
    onChange((n) => ({
      ...n,
      prompt: { ...(n.prompt || {}), variants: (n.prompt?.variants || []).map((v, j) => (j === i ? clean({ ...v, audio }) : v)) },
    }));
  const setRoutes = (next) => onChange((n) => ({ ...n, routes: next }));
  const setRoute = (i, route) => setRoutes(routes.map((r, j) => (j === i ? route : r)));

  return (
    <div className="node-panel" data-node={node.id}>
      <h2>
        <span className={`chip type-${node.type}`}>{node.type}</span> {node.id}
      </h2>
      {problems.length > 0 && (
        <ul className="node-problem-list">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              {p.field && <code>{p.field}</code>} {p.message}
            </li>
          ))}
        </ul>
      )}
      <fieldset disabled={readOnly}>
        <RenameField doc={doc} node={node} onRename={onRename} />
        <label className="field">
          <span>Title</span>
          <input className="node-title-input" value={node.title || ""} onChange={(e) => onChange({ title: e.target.value })} />
        </label>
        <label className="field">
          <span>Type</span>
          <select value={node.type} onChange={(e) => onChange({ type: e.target.value })}>
            {NODE_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="button" className="danger" onClick={onDelete}>
          Delete node
        </button>

        <h3>Prompt variants</h3>
        {variants.map((variant, i) => (
          <div className="variant" key={i} data-variant={variant.id}>
            <div className="row">
              <label>
                id <input size="4" value={variant.id || ""} onChange={(e) => setVariant(i, { id: e.target.value })} />
              </label>
              <label>
                segment{" "}
                <input
                  size="8"
                  value={variant.segment || ""}
                  placeholder="any"
                  onChange={(e) => setVariant(i, { segment: e.target.value || undefined })}
                />
              </label>
              <label>
                weight{" "}
                <input
                  type="number"
                  min="0"
                  style={{ width: "4em" }}
                  value={variant.weight ?? ""}
                  onChange={(e) => setVariant(i, { weight: numberOrNull(e.target.value) })}
                />
              </label>
              <button type="button" onClick={() => setVariants(variants.filter((_, j) => j !== i))} title="Remove variant">
                ✕
              </button>
            </div>
            <textarea
              className="variant-text"
              rows="3"
              value={variant.text || ""}
              onChange={(e) => setVariant(i, { text: e.target.value })}
            />
            <Preview api={api} doc={doc} text={variant.text || ""} segment={variant.segment} />
            <VariantRecording
              api={api}
              audio={variant.audio}
              recordings={recordings}
              readOnly={readOnly}
              onUploaded={(recording) => {
                onRecording?.(recording);
                setVariantAudio(i, recording.reference);
              }}
              onRemove={() => setVariantAudio(i, undefined)}
            />
          </div>
        ))}
        <button
          type="button"
          onClick={() =>
            setVariants([...variants, { id: String.fromCharCode(97 + variants.length), text: "", weight: 1 }])
          }
        >
          Add variant
        </button>

        <h3>Speaking and listening</h3>
        <label className="check">
          <input
            type="checkbox"
            checked={node.barge_in !== false}
            onChange={(e) => onChange({ barge_in: e.target.checked })}
          />{" "}
          Caller may interrupt (barge-in)
        </label>
        {listening && (
          <>
            <label className="field">
              <span>No-input timeout, s</span>
              <input
                type="number"
                step="0.5"
                value={node.no_input_timeout ?? ""}
                placeholder="5"
                onChange={(e) => onChange((n) => clean({ ...n, no_input_timeout: numberOrNull(e.target.value) }))}
              />
            </label>
            <label className="field">
              <span>End-of-speech silence, s</span>
              <input
                type="number"
                step="0.1"
                value={node.endpoint_silence ?? ""}
                placeholder="0.8"
                onChange={(e) => onChange((n) => clean({ ...n, endpoint_silence: numberOrNull(e.target.value) }))}
              />
            </label>
            <LinesField
              label="Reprompts on silence (one a line)"
              value={node.reprompts?.no_input}
              onChange={(list) =>
                onChange((n) => ({ ...n, reprompts: clean({ ...(n.reprompts || {}), no_input: list.length ? list : undefined }) }))
              }
            />
            <LinesField
              label="Reprompts when not understood (one a line)"
              value={node.reprompts?.no_match}
              onChange={(list) =>
                onChange((n) => ({ ...n, reprompts: clean({ ...(n.reprompts || {}), no_match: list.length ? list : undefined }) }))
              }
            />
          </>
        )}

        {terminal && (
          <>
            <h3>Outcome</h3>
            <label className="field">
              <span>Outcome</span>
              <select value={node.outcome || ""} onChange={(e) => onChange({ outcome: e.target.value })}>
                <option value="">—</option>
                {OUTCOMES.map((o) => (
                  <option key={o}>{o}</option>
                ))}
              </select>
            </label>
            {node.outcome === "transfer" && (
              <>
                <label className="field">
                  <span>Transfer target</span>
                  <input
                    value={node.transfer?.target || ""}
                    onChange={(e) => onChange((n) => ({ ...n, transfer: { ...(n.transfer || {}), target: e.target.value } }))}
                  />
                </label>
                <label className="field">
                  <span>Operator summary (template)</span>
                  <textarea
                    rows="2"
                    value={node.transfer?.summary || ""}
                    onChange={(e) => onChange((n) => ({ ...n, transfer: { ...(n.transfer || {}), summary: e.target.value } }))}
                  />
                </label>
              </>
            )}
          </>
        )}

        {!terminal && (
          <>
            <h3>Routes</h3>
            <RouteList
              routes={routes}
              events={eventsOf(node.type)}
              intentIds={intentIds}
              nodeIds={nodeIds}
              onRoute={setRoute}
              onRemove={(i) => setRoutes(routes.filter((_, j) => j !== i))}
            />
            <button
              type="button"
              onClick={() => setRoutes([...routes, { event: eventsOf(node.type)[0] || "next", to: "" }])}
            >
              Add route
            </button>
          </>
        )}
      </fieldset>
    </div>
  );
}

function clean(object) {
  const out = {};
  for (const [k, v] of Object.entries(object)) if (v !== undefined) out[k] = v;
  return out;
}

export function RouteList({ routes, events, intentIds, nodeIds, onRoute, onRemove }) {
  return (
    <table className="routes">
      <tbody>
        {routes.map((route, i) => {
          const kind = routeKind(route);
          const value = route[kind] ?? "";
          return (
            <tr key={i} className="route" data-route={i}>
              <td>
                <select
                  className="route-kind"
                  value={kind}
                  onChange={(e) => {
                    const next = { [e.target.value]: e.target.value === "event" ? events[0] || "" : "", to: route.to };
                    onRoute(i, next);
                  }}
                >
                  <option value="intent">intent</option>
                  <option value="dtmf">DTMF</option>
                  <option value="event">event</option>
                </select>
              </td>
              <td>
                {kind === "event" ? (
                  <select className="route-value" value={value} onChange={(e) => onRoute(i, { event: e.target.value, to: route.to })}>
                    {[...new Set([...events, value])].map((ev) => (
                      <option key={ev}>{ev}</option>
                    ))}
                  </select>
                ) : (
                  <input
                    className="route-value"
                    list={kind === "intent" ? "intent-ids" : undefined}
                    size="12"
                    value={value}
                    onChange={(e) => onRoute(i, { [kind]: e.target.value, to: route.to })}
                  />
                )}
              </td>
              <td>→</td>
              <td>
                <select className="route-to" value={route.to || ""} onChange={(e) => onRoute(i, { ...route, to: e.target.value })}>
                  <option value="">(choose)</option>
                  {[...new Set([...nodeIds, route.to].filter(Boolean))].map((id) => (
                    <option key={id}>{id}</option>
                  ))}
                </select>
              </td>
              <td>
                <button type="button" onClick={() => onRemove(i)} title="Remove route" className="route-remove">
                  ✕
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
      <datalist id="intent-ids">
        {intentIds.map((id) => (
          <option key={id} value={id} />
        ))}
      </datalist>
    </table>
  );
}

// The script-wide settings: start node, contact variables, global routes.
export function ScriptPanel({ doc, readOnly, onChange }) {
  const variables = doc.variables || {};
  const globals = doc.global_routes || [];
  const [newVar, setNewVar] = useState("");
  const nodeIds = doc.nodes.map((n) => n.id);
  const intentIds = [...new Set([...Object.keys(doc.intents || {}), ...(window.__builtinIntents || [])])].sort();
  const setVariable = (name, change) =>
    onChange({ ...doc, variables: { ...variables, [name]: clean({ ...variables[name], ...change }) } });
  return (
    <fieldset disabled={readOnly} className="script-panel">
      <label className="field">
        <span>Start node</span>
        <select value={doc.start || ""} onChange={(e) => onChange({ ...doc, start: e.target.value })}>
          {nodeIds.map((id) => (
            <option key={id}>{id}</option>
          ))}
        </select>
      </label>
      <h3>Contact variables</h3>
      <p className="hint">The example is the sample contact of previews and the simulator.</p>
      <table className="variables">
        <tbody>
          {Object.entries(variables).map(([name, spec]) => (
            <tr key={name}>
              <td>
                <code>{name}</code>
              </td>
              <td>
                <input
                  placeholder="example"
                  value={spec?.example || ""}
                  onChange={(e) => setVariable(name, { example: e.target.value })}
                />
              </td>
              <td>
                <input
                  placeholder="description"
                  value={spec?.description || ""}
                  onChange={(e) => setVariable(name, { description: e.target.value })}
                />
              </td>
              <td>
                <button
                  type="button"
                  onClick={() => {
                    const { [name]: _, ...rest } = variables;
                    onChange({ ...doc, variables: rest });
                  }}
                >
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <input value={newVar} placeholder="new variable" onChange={(e) => setNewVar(e.target.value.trim())} />
        <button
          type="button"
          disabled={!newVar || newVar in variables}
          onClick={() => {
            onChange({ ...doc, variables: { ...variables, [newVar]: { example: "" } } });
            setNewVar("");
          }}
        >
          Add variable
        </button>
      </div>
      <h3>Global routes</h3>
      <p className="hint">Tried at every listening node after its own routes.</p>
      <RouteList
        routes={globals}
        events={["no_input", "no_match"]}
        intentIds={intentIds}
        nodeIds={nodeIds}
        onRoute={(i, route) => onChange({ ...doc, global_routes: globals.map((r, j) => (j === i ? route : r)) })}
        onRemove={(i) => onChange({ ...doc, global_routes: globals.filter((_, j) => j !== i) })}
      />
      <button type="button" onClick={() => onChange({ ...doc, global_routes: [...globals, { intent: "", to: "" }] })}>
        Add global route
      </button>
    </fieldset>
  );
}
