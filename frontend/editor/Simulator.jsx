import { useEffect, useRef, useState } from "react";

// The chat simulator: a text-mode call of the draft or a published
// version, run by the server's engine over a WebSocket.
export function Simulator({ config, doc, onNode, api, refresh }) {
  const [versions, setVersions] = useState([]);
  useEffect(() => {
    api.versions().then(setVersions).catch(() => setVersions([]));
  }, [api, refresh]);
  const [version, setVersion] = useState("draft");
  const [segment, setSegment] = useState("");
  const [variables, setVariables] = useState({});
  const [lines, setLines] = useState([]);
  const [text, setText] = useState("");
  const [digit, setDigit] = useState("1");
  const [state, setState] = useState("idle"); // idle, connecting, talking, ended
  const [error, setError] = useState(null);
  const socket = useRef(null);
  const log = useRef(null);

  useEffect(() => {
    const examples = {};
    for (const [name, spec] of Object.entries(doc.variables || {})) examples[name] = spec?.example ?? "";
    setVariables((current) => ({ ...examples, ...current }));
  }, [JSON.stringify(doc.variables)]);

  useEffect(() => () => socket.current?.close(), []);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [lines]);

  function add(line) {
    setLines((current) => [...current, line]);
  }

  function onMessage(event) {
    const message = JSON.parse(event.data);
    if (message.type === "error") {
      setError(message.message);
      return;
    }
    setError(null);
    if (message.type === "started") {
      add({ kind: "info", text: `Call ${message.call_id} of ${message.version === "draft" ? "the draft" : `v${message.version}`}${message.logged ? ", logged as a simulation" : ""}` });
      return;
    }
    for (const e of message.events) {
      if (e.kind === "utterance")
        add({ kind: "nlu", text: `${e.data.intent || "no match"} (${Number(e.data.confidence || 0).toFixed(2)})` });
      if (e.kind === "no_match") add({ kind: "nlu", text: "not understood" });
    }
    for (const action of message.actions) {
      if (action.type === "say") add({ kind: "robot", node: action.node, variant: action.variant, text: action.text });
      if (action.type === "transfer")
        add({ kind: "end", text: `Transfer to ${action.target}${action.summary ? `: ${action.summary}` : ""}` });
      if (action.type === "hangup") add({ kind: "end", text: `Hang-up: ${action.outcome}` });
    }
    onNode(message.node);
    if (message.finished) {
      add({ kind: "info", text: `Call ended: ${message.outcome}. Path: ${message.path.join(" › ")}` });
      setState("ended");
    }
  }

  function start() {
    socket.current?.close();
    setLines([]);
    setError(null);
    setState("connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws/simulator/${config.slug}/?team=${encodeURIComponent(config.team)}`);
    socket.current = ws;
    ws.onopen = () => {
      setState("talking");
      ws.send(
        JSON.stringify({
          type: "start",
          version: version === "draft" ? "draft" : Number(version),
          document: version === "draft" ? doc : undefined,
          segment,
          variables,
        }),
      );
    };
    ws.onmessage = onMessage;
    ws.onclose = () => setState((s) => (s === "connecting" ? "idle" : s));
    ws.onerror = () => setError("The simulator connection failed.");
  }

  function send(message, line) {
    if (!socket.current || state !== "talking") return;
    if (line) add(line);
    socket.current.send(JSON.stringify(message));
  }

  const talking = state === "talking";
  return (
    <div className="simulator">
      <label className="field">
        <span>Run</span>
        <select value={version} onChange={(e) => setVersion(e.target.value)} aria-label="Version to run" id="sim-version">
          <option value="draft">this draft (not logged)</option>
          {versions.map((v) => (
            <option key={v.number} value={v.number}>
              version {v.number} (logged)
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Segment</span>
        <input value={segment} onChange={(e) => setSegment(e.target.value)} placeholder="none" aria-label="Segment" />
      </label>
      {Object.keys(variables).map((name) => (
        <label className="field" key={name}>
          <span>{name}</span>
          <input value={variables[name]} onChange={(e) => setVariables({ ...variables, [name]: e.target.value })} />
        </label>
      ))}
      <button type="button" id="sim-start" onClick={start}>
        {state === "idle" ? "Start call" : "Restart call"}
      </button>
      <div className="chat" ref={log} id="chat">
        {lines.map((line, i) => (
          <div key={i} className={`line ${line.kind}`}>
            {line.kind === "robot" && (
              <small>
                {line.node} · variant {line.variant}
              </small>
            )}
            <div>{line.text}</div>
          </div>
        ))}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          send({ type: "say", text }, { kind: "caller", text });
          setText("");
        }}
      >
        <input
          id="sim-text"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="The caller says…"
          disabled={!talking}
        />
        <button type="submit" disabled={!talking}>
          Say
        </button>
      </form>
      <div className="row">
        <button type="button" disabled={!talking} onClick={() => send({ type: "silence" }, { kind: "caller", text: "(silence)" })}>
          Silence
        </button>
        <input size="2" value={digit} onChange={(e) => setDigit(e.target.value.slice(0, 1))} aria-label="DTMF digit" />
        <button
          type="button"
          disabled={!talking}
          onClick={() => send({ type: "dtmf", digit }, { kind: "caller", text: `(pressed ${digit})` })}
        >
          DTMF
        </button>
        <button type="button" disabled={!talking} onClick={() => send({ type: "hangup" }, { kind: "caller", text: "(hangs up)" })}>
          Hang up
        </button>
      </div>
    </div>
  );
}
