// The analytics dashboard of one script: funnel, node drop-off drawn on the
// script graph as a heat overlay, A/B comparisons with their intervals, and
// trends. Reads /api/analytics/* with the session; charts by Chart.js.
import { StrictMode, useEffect, useMemo, useRef, useState } from "react";
import { createRoot } from "react-dom/client";
import { Background, Controls, MiniMap, ReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import Chart from "chart.js/auto";
import "./analytics.css";

const config = JSON.parse(document.getElementById("analytics-config").textContent);

function query(filters) {
  const params = new URLSearchParams({ script: config.script, team: config.team });
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return params.toString();
}

async function load(path, filters) {
  const response = await fetch(`/api/analytics/${path}/?${query(filters)}`, {
    credentials: "same-origin",
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function ChartBox({ id, type, data, options }) {
  const canvas = useRef(null);
  useEffect(() => {
    const chart = new Chart(canvas.current, { type, data, options: { animation: false, ...options } });
    return () => chart.destroy();
  }, [type, data, options]);
  return <canvas id={id} ref={canvas} height="90" />;
}

const percent = (share) => (share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)}%`);

function Funnel({ stages }) {
  const data = useMemo(
    () => ({
      labels: stages.map((s) => s.name),
      datasets: [{ label: "calls", data: stages.map((s) => s.count), backgroundColor: "#3b6fd8" }],
    }),
    [stages],
  );
  return (
    <section>
      <h2>Funnel</h2>
      <ChartBox id="funnel-chart" type="bar" data={data} options={{ indexAxis: "y" }} />
      <table className="list" id="funnel-table">
        <thead><tr><th>Stage</th><th>Calls</th><th>Of previous</th><th>Of all</th></tr></thead>
        <tbody>
          {stages.map((s) => (
            <tr key={s.name} data-stage={s.name}>
              <td>{s.name}</td><td>{s.count}</td>
              <td>{percent(s.share_of_previous)}</td><td>{percent(s.share_of_all)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function dropShare(row) {
  const lost = row.hung_up_in_prompt + row.hung_up_listening;
  return row.entered ? lost / row.entered : null;
}

// Drop-off levels: share of the callers who entered a node and hung up
// there. Each level one step darker; nodes nobody entered are grey.
const HEAT_LEVELS = [
  { below: 0.1, label: "under 10%", background: "#fdf0ec", color: "#1d2330" },
  { below: 0.25, label: "10–25%", background: "#f9c3ad", color: "#1d2330" },
  { below: 0.5, label: "25–50%", background: "#f2775a", color: "#1d2330" },
  { below: 0.75, label: "50–75%", background: "#c4231f", color: "#ffffff" },
  { below: Infinity, label: "75% and more", background: "#6b0710", color: "#ffffff" },
];
const NO_CALLS = { label: "no calls", background: "#d3d6dc", color: "#4a5060" };

function heatLevel(share) {
  if (share === null) return NO_CALLS;
  return HEAT_LEVELS.find((level) => share < level.below);
}

function nodeLabel(id, row, share) {
  if (!row.entered) return `${id} · no calls`;
  return `${id} · ${row.entered} in · ${percent(share)} lost`;
}

function HeatLegend() {
  return (
    <ul className="heat-legend" id="heat-legend">
      <li>Lost in the node:</li>
      {[...HEAT_LEVELS, NO_CALLS].map((level) => (
        <li key={level.label}>
          <span className="swatch" style={{ background: level.background }} /> {level.label}
        </li>
      ))}
    </ul>
  );
}

function Graph({ document, rows }) {
  const byNode = Object.fromEntries(rows.map((r) => [r.node, r]));
  const nodes = document.nodes.map((node, index) => {
    const row = byNode[node.id] || { entered: 0, hung_up_in_prompt: 0, hung_up_listening: 0 };
    const share = dropShare(row);
    const level = heatLevel(share);
    return {
      id: node.id,
      position: node.position || { x: (index % 5) * 220, y: Math.floor(index / 5) * 120 },
      data: { label: nodeLabel(node.id, row, share), level: level.label },
      style: { background: level.background, color: level.color, width: 200, fontSize: 11 },
      className: share === null ? "heat-node no-calls" : "heat-node",
    };
  });
  const ids = new Set(document.nodes.map((n) => n.id));
  const edges = [];
  for (const node of document.nodes) {
    for (const [i, route] of (node.routes || []).entries()) {
      if (ids.has(route.to)) edges.push({ id: `${node.id}-${i}`, source: node.id, target: route.to });
    }
  }
  return (
    <section>
      <h2>Drop-off on the graph</h2>
      <HeatLegend />
      <div id="heat-graph" style={{ height: 520, background: "#fff" }}>
        <ReactFlow
          nodes={nodes}
          edges={edges}
          fitView
          fitViewOptions={{ padding: 0.05 }}
          minZoom={0.05}
          maxZoom={2}
          nodesDraggable={false}
          nodesConnectable={false}
          panOnDrag
          zoomOnScroll
        >
          <Background />
          <Controls showInteractive={false} />
          <MiniMap pannable zoomable nodeColor={(n) => n.style.background} />
        </ReactFlow>
      </div>
    </section>
  );
}

function NodeTable({ rows }) {
  return (
    <section>
      <h2>Nodes</h2>
      <table className="list" id="node-table">
        <thead>
          <tr>
            <th>Node</th><th>Type</th><th>Entered</th><th>Hung up in prompt</th><th>Mean heard</th>
            <th>Hung up listening</th><th>No match</th><th>No input</th><th>Moved on</th><th>Ended</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.node} data-node={r.node}>
              <td>{r.node}</td><td>{r.type}</td><td>{r.entered}</td><td>{r.hung_up_in_prompt}</td>
              <td>{r.heard_in_prompt.mean_seconds === null ? "—" : `${r.heard_in_prompt.mean_seconds} s (${percent(r.heard_in_prompt.mean_share)})`}</td>
              <td>{r.hung_up_listening}</td><td>{r.no_match}</td><td>{r.no_input}</td><td>{r.moved_on}</td>
              <td>{Object.entries(r.ended).filter(([, n]) => n).map(([o, n]) => `${o} ${n}`).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Comparisons({ comparisons }) {
  return (
    <section>
      <h2>A/B variants</h2>
      <table className="list" id="comparisons">
        <thead>
          <tr><th>Node</th><th>Metric</th><th>Control</th><th>Variant</th><th>Difference</th><th>95% interval</th><th>p</th><th>More calls per arm</th></tr>
        </thead>
        <tbody>
          {comparisons.filter((c) => !c.ab_test).map((c) => (
            <tr key={`note-${c.segment || ""}${c.node}`} className="segment-variants">
              <td>{c.node}{c.segment ? ` (${c.segment})` : ""}</td>
              <td colSpan="7">{c.note}: {c.variants.map((v) => `${v.variant} ${v.calls} calls, ${percent(v.target_action_rate)} target`).join("; ")}</td>
            </tr>
          ))}
          {comparisons.flatMap((c) =>
            c.tests.map((t) => (
              <tr key={`${c.segment || ""}${c.node}${t.metric}${t.variant}`}>
                <td>{c.node}{c.segment ? ` (${c.segment})` : ""}</td><td>{t.metric}</td>
                <td>{t.control} {percent(t.rate_a)}</td><td>{t.variant} {percent(t.rate_b)}</td>
                <td>{percent(t.difference)}</td>
                <td>{t.ci_low === null ? "—" : `${percent(t.ci_low)} … ${percent(t.ci_high)}`}</td>
                <td>{t.p_value === null ? "—" : t.p_value.toFixed(4)}</td>
                <td>{t.significant ? "significant" : t.more_per_arm_needed ?? "—"}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  );
}

function Trends({ days }) {
  const data = useMemo(
    () => ({
      labels: days.map((d) => d.day),
      datasets: [
        { label: "calls", data: days.map((d) => d.calls), borderColor: "#3b6fd8" },
        { label: "target actions", data: days.map((d) => d.target_action), borderColor: "#2e9d57" },
      ],
    }),
    [days],
  );
  return (
    <section>
      <h2>Per day</h2>
      <ChartBox id="trend-chart" type="line" data={data} options={{}} />
    </section>
  );
}

const OUTCOME_COLOURS = {
  transfer: "#2e9d57", callback: "#7fb9e6", refusal: "#e0a030", answering_machine: "#8a6fc2",
  wrong_person: "#b0785a", do_not_call: "#444a57", dropped: "#d64541", no_response: "#a7adba",
};

function HourTrend({ hours }) {
  const data = useMemo(
    () => ({
      labels: hours.map((h) => `${String(h.hour).padStart(2, "0")}:00`),
      datasets: Object.keys(hours[0].outcomes).map((outcome) => ({
        label: outcome,
        data: hours.map((h) => h.outcomes[outcome]),
        backgroundColor: OUTCOME_COLOURS[outcome] || "#888888",
      })),
    }),
    [hours],
  );
  const options = useMemo(() => ({ scales: { x: { stacked: true }, y: { stacked: true } } }), []);
  return (
    <section>
      <h2>Outcomes per hour (contact's local time)</h2>
      <ChartBox id="hour-chart" type="bar" data={data} options={options} />
    </section>
  );
}

function AnsweringMachines({ amd }) {
  const data = useMemo(
    () => ({
      labels: amd.days.map((d) => d.day),
      datasets: [{ label: "answering-machine share", data: amd.days.map((d) => d.share), borderColor: "#8a6fc2" }],
    }),
    [amd],
  );
  const options = useMemo(() => ({ scales: { y: { min: 0, max: 1 } } }), []);
  return (
    <section>
      <h2>Answering machines</h2>
      <p id="amd-share">
        {percent(amd.share)} of answered calls ({amd.answering_machine} of {amd.answered})
      </p>
      <ChartBox id="amd-chart" type="line" data={data} options={options} />
    </section>
  );
}

function VariantChart({ comparisons }) {
  // Each variant against its node's control: the difference in rate as a
  // point, its 95% interval as a bar from low to high.
  const tests = comparisons.flatMap((c) =>
    c.tests.filter((t) => t.ci_low !== null).map((t) => ({
      ...t,
      label: `${c.node}${c.segment ? ` (${c.segment})` : ""}: ${t.variant} vs ${t.control}, ${t.metric}`,
    })),
  );
  const data = useMemo(
    () => ({
      labels: tests.map((t) => t.label),
      datasets: [
        { type: "bar", label: "95% interval", data: tests.map((t) => [t.ci_low, t.ci_high]),
          backgroundColor: tests.map((t) => (t.significant ? "#3b6fd8aa" : "#a7adbaaa")) },
        { type: "line", label: "difference", data: tests.map((t) => t.difference),
          showLine: false, pointRadius: 5, borderColor: "#1d2330", backgroundColor: "#1d2330" },
      ],
    }),
    [comparisons],
  );
  const options = useMemo(() => ({ scales: { y: { title: { display: true, text: "difference in rate" } } } }), []);
  if (!tests.length) return null;
  return (
    <section>
      <h2>Variants against the control (95% intervals)</h2>
      <div id="variant-chart-box" data-intervals={tests.length}>
        <ChartBox id="variant-chart" type="bar" data={data} options={options} />
      </div>
    </section>
  );
}

function Dashboard() {
  // Filters start from the page's query string, e.g. ?from=2026-03-01.
  const initial = new URLSearchParams(window.location.search);
  const [filters, setFilters] = useState(() => {
    const start = { version: String(config.versions[0].number), from: "", to: "", segment: "", variant: "", source: "" };
    for (const key of Object.keys(start)) if (initial.get(key)) start[key] = initial.get(key);
    return start;
  });
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const document = config.versions.find((v) => String(v.number) === filters.version).document;

  useEffect(() => {
    setError(null);
    Promise.all(["funnel", "nodes", "comparisons", "trends", "amd"].map((p) => load(p, filters)))
      .then(([funnel, nodes, comparisons, trends, amd]) => setData({ funnel, nodes, comparisons, trends, amd }))
      .catch((e) => {
        // Figures of the previous filters would read as this filter's.
        setData(null);
        setError(e.message);
      });
  }, [filters]);

  const field = (name, label, props = {}) => (
    <label>{label} <input name={name} value={filters[name]} {...props}
      onChange={(e) => setFilters({ ...filters, [name]: e.target.value })} /></label>
  );
  return (
    <main className="page analytics">
      <h1>{config.name}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>Version <select name="version" value={filters.version}
          onChange={(e) => setFilters({ ...filters, version: e.target.value })}>
          {config.versions.map((v) => <option key={v.number} value={v.number}>v{v.number}</option>)}
        </select></label>
        {field("from", "From", { type: "date" })}
        {field("to", "To", { type: "date" })}
        {field("segment", "Segment")}
        {field("variant", "Variant", { placeholder: "node:variant" })}
        {field("source", "Source", { placeholder: "live,replay,simulation" })}
      </form>
      {error && <p className="errors" id="error">{error}</p>}
      {data && (
        <div id="dashboard" data-calls={data.funnel.stages[0].count}>
          <Funnel stages={data.funnel.stages} />
          <Graph document={document} rows={data.nodes.nodes} />
          <NodeTable rows={data.nodes.nodes} />
          <Comparisons comparisons={data.comparisons.comparisons} />
          <VariantChart comparisons={data.comparisons.comparisons} />
          <Trends days={data.trends.days} />
          <HourTrend hours={data.trends.hours} />
          <AnsweringMachines amd={data.amd} />
        </div>
      )}
    </main>
  );
}

createRoot(document.getElementById("analytics-root")).render(
  <StrictMode><Dashboard /></StrictMode>,
);
