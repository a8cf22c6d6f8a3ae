import { useEffect, useState } from "react";

function show(value) {
  if (value === undefined || value === null) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function Change({ change }) {
  switch (change.what) {
    case "field":
      return (
        <li>
          {change.field}: <del>{show(change.old)}</del> → <ins>{show(change.new)}</ins>
        </li>
      );
    case "variant_added":
      return (
        <li>
          variant {change.variant} added: <ins>{change.new}</ins>
        </li>
      );
    case "variant_removed":
      return (
        <li>
          variant {change.variant} removed: <del>{change.old}</del>
        </li>
      );
    case "variant_changed":
      return (
        <li>
          variant {change.variant} {change.field}: <del>{show(change.old)}</del> → <ins>{show(change.new)}</ins>
        </li>
      );
    case "route_added":
      return (
        <li>
          route added: <ins>{change.route}</ins>
        </li>
      );
    case "route_removed":
      return (
        <li>
          route removed: <del>{change.route}</del>
        </li>
      );
    default:
      return <li>{JSON.stringify(change)}</li>;
  }
}

export function Diff({ diff }) {
  if (diff.same) return <p className="diff-same">No differences.</p>;
  const list = (title, items) =>
    items.length > 0 && (
      <p>
        {title}: {items.join(", ")}
      </p>
    );
  return (
    <div className="diff">
      {list("Nodes added", diff.nodes_added)}
      {list("Nodes removed", diff.nodes_removed)}
      {diff.start && (
        <p>
          Start: {diff.start.old} → {diff.start.new}
        </p>
      )}
      {diff.nodes_changed.map((node) => (
        <div key={node.node} className="diff-node">
          <b>{node.node}</b>
          <ul>
            {node.changes.map((c, i) => (
              <Change key={i} change={c} />
            ))}
          </ul>
        </div>
      ))}
      {list("Intents added", diff.intents_added)}
      {list("Intents removed", diff.intents_removed)}
      {list("Intents with other examples", diff.intents_changed)}
      {list("Global routes added", diff.global_routes_added)}
      {list("Global routes removed", diff.global_routes_removed)}
    </div>
  );
}

export function HistoryPanel({ api, refresh }) {
  const [versions, setVersions] = useState(null);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("draft");
  const [diff, setDiff] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api
      .versions()
      .then((list) => {
        setVersions(list);
        if (list.length) setFrom(String(list[0].number));
      })
      .catch((e) => setError(e.message));
  }, [api, refresh]);
  if (error) return <p className="error">{error}</p>;
  if (!versions) return <p>Loading…</p>;
  const options = [
    <option key="draft" value="draft">
      draft (saved)
    </option>,
    ...versions.map((v) => (
      <option key={v.number} value={v.number}>
        v{v.number}
      </option>
    )),
  ];
  return (
    <div className="history-panel">
      <h3>Published versions</h3>
      {versions.length === 0 && <p>Nothing published yet.</p>}
      <table className="versions">
        <tbody>
          {versions.map((v) => (
            <tr key={v.number}>
              <td>v{v.number}</td>
              <td>{new Date(v.published_at).toLocaleString()}</td>
              <td>{v.author || "API"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Compare</h3>
      <div className="row">
        <select id="diff-from" aria-label="From" value={from} onChange={(e) => setFrom(e.target.value)}>
          {options}
        </select>
        →
        <select id="diff-to" aria-label="To" value={to} onChange={(e) => setTo(e.target.value)}>
          {options}
        </select>
        <button
          type="button"
          onClick={() =>
            api
              .diff(from, to)
              .then(setDiff)
              .catch((e) => setError(e.message))
          }
          disabled={!from}
        >
          Show diff
        </button>
      </div>
      {diff && <Diff diff={diff} />}
    </div>
  );
}
