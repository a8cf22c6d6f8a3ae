import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import {
  Background,
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  getBezierPath,
  useStore,
  Handle,
  MiniMap,
  Position,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
} from "@xyflow/react";
import {
  NODE_HEIGHT,
  NODE_TYPES,
  NODE_WIDTH,
  TERMINAL,
  addNode,
  connectRoute,
  duplicateNode,
  hasPositions,
  layoutDocument,
  mergeDocuments,
  newNode,
  removeEdges,
  removeNodes,
  renameNode,
  toEdges,
  updateNode,
} from "./graph.js";
import { NodePanel, ScriptPanel } from "./NodePanel.jsx";
import { IntentsPanel } from "./IntentsPanel.jsx";
import { HistoryPanel } from "./HistoryPanel.jsx";
import { Simulator } from "./Simulator.jsx";

// Redrawn only when its own node, problems or highlight change: the flow's
// node objects are rebuilt from the document on every edit.
const ScriptNode = memo(
  function ScriptNode({ data }) {
  const { node, problems, current, start } = data;
  const errors = problems.filter((p) => p.severity === "error").length;
  const classes = ["script-node", `type-${node.type}`];
  if (errors) classes.push("has-errors");
  else if (problems.length) classes.push("has-warnings");
  if (current) classes.push("current");
  return (
    <div className={classes.join(" ")} data-node-id={node.id}>
      {!start && <Handle type="target" position={Position.Left} />}
      <div className="node-type">
        {node.type}
        {start && " · start"}
      </div>
      <div className="node-title">{node.title || node.id}</div>
      <div className="node-id">{node.id}</div>
      {problems.length > 0 && (
        <span className="node-problems" title={problems.map((p) => p.message).join("\n")}>
          {problems.length}
        </span>
      )}
      {!TERMINAL.has(node.type) && <Handle type="source" position={Position.Right} />}
    </div>
  );
  },
  (before, after) =>
    before.data.node === after.data.node &&
    before.data.problems === after.data.problems &&
    before.data.current === after.data.current &&
    before.data.start === after.data.start,
);

const nodeTypes = { script: ScriptNode };

// Labels are HTML (no SVG text measuring) and are left out when zoomed too
// far out to read them, which keeps large scripts quick to open and pan.
const labelsReadable = (state) => state.transform[2] >= 0.35;

function ScriptEdge({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, label, markerEnd, style }) {
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const readable = useStore(labelsReadable);
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} />
      {readable && label && (
        <EdgeLabelRenderer>
          <div className="edge-label" style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}>
            {label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const edgeTypes = { script: ScriptEdge };

// The minimap draws each node in a stronger shade of its type's colour.
const MINIMAP_COLORS = {
  greeting: "#93c5fd",
  offer: "#86efac",
  objection: "#fdba74",
  question: "#c4b5fd",
  amd_question: "#cbd5e1",
  say: "#fde047",
  target_action: "#22c55e",
  end: "#9ca3af",
};
const minimapColor = (flowNode) => MINIMAP_COLORS[flowNode.data?.node?.type] || "#e2e8f0";
const NO_PROBLEMS = [];
const NODE_SIZE = { width: NODE_WIDTH, height: NODE_HEIGHT };

// Undo/redo over whole documents. `record: false` replaces the present
// (the steps of one drag) without adding a step.
function historyReducer(state, action) {
  switch (action.type) {
    case "load":
      return { doc: action.doc, past: [], future: [] };
    case "set": {
      // `doc` may be a function of the present document, so that changes
      // React Flow reports together (a node and its edges) all apply.
      const doc = typeof action.doc === "function" ? action.doc(state.doc) : action.doc;
      if (doc === state.doc) return state;
      if (action.record === false) return { ...state, doc };
      return { doc, past: [...state.past.slice(-199), state.doc], future: [] };
    }
    case "checkpoint":
      return { ...state, past: [...state.past.slice(-199), state.doc], future: [] };
    case "undo":
      if (!state.past.length) return state;
      return { doc: state.past.at(-1), past: state.past.slice(0, -1), future: [state.doc, ...state.future] };
    case "redo":
      if (!state.future.length) return state;
      return { doc: state.future[0], past: [...state.past, state.doc], future: state.future.slice(1) };
    default:
      return state;
  }
}

export function App({ config, api, builtins }) {
  const canEdit = config.role === "author" || config.role === "publisher";
  const canPublish = config.role === "publisher";
  const [{ doc, past, future }, dispatch] = useReducer(historyReducer, {
    doc: null,
    past: [],
    future: [],
  });
  const [saved, setSaved] = useState(null); // {document, revision}
  const [problems, setProblems] = useState([]);
  const [valid, setValid] = useState(null);
  const [selected, setSelected] = useState(null);
  const [selectedEdge, setSelectedEdge] = useState(null);
  const [tab, setTab] = useState("node");
  const [status, setStatus] = useState("");
  const [conflict, setConflict] = useState(null);
  const [currentNode, setCurrentNode] = useState(null);
  const [versionsKey, setVersionsKey] = useState(0);
  const [loadError, setLoadError] = useState(null);
  const [recordings, setRecordings] = useState([]);
  const flow = useReactFlow();
  const initialized = useNodesInitialized();
  const readyMarked = useRef(false);
  const fileInput = useRef(null);
  const pendingEdgeRemoval = useRef(null);

  const commit = useCallback((next, record = true) => dispatch({ type: "set", doc: next, record }), []);

  // Someone else's draft may play recordings uploaded since this page
  // loaded; the list is loaded again whenever their draft is taken in.
  const loadRecordings = useCallback(
    () =>
      api
        .recordings()
        .then(setRecordings)
        .catch((error) => setStatus(`The recordings could not be loaded: ${error.message}`)),
    [api],
  );

  useEffect(() => {
    api
      .draft()
      .then((draft) => {
        performance.mark("editor-loaded");
        let document = draft.document;
        if (!hasPositions(document)) document = layoutDocument(document);
        performance.mark("editor-laid-out");
        dispatch({ type: "load", doc: document });
        setSaved({ document: draft.document, revision: draft.revision });
      })
      .catch((error) => setLoadError(error.message));
    loadRecordings();
  }, [api]);

  const addRecording = useCallback(
    (recording) =>
      setRecordings((list) => (list.some((r) => r.sha256 === recording.sha256) ? list : [...list, recording])),
    [],
  );

  useEffect(() => {
    if (doc && !performance.getEntriesByName("editor-rendered").length) performance.mark("editor-rendered");
  }, [doc]);

  useEffect(() => {
    if (initialized && doc && !readyMarked.current) {
      performance.mark("editor-measured");
      readyMarked.current = true;
      flow.fitView();
      requestAnimationFrame(() => {
        performance.mark("editor-ready");
        document.body.dataset.editorReady = "1";
      });
    }
  }, [initialized, doc, flow]);

  // Validation as you edit, debounced, by the API's validator.
  useEffect(() => {
    if (!doc) return undefined;
    const timer = setTimeout(() => {
      api
        .validate(doc)
        .then((result) => {
          setProblems(result.problems);
          setValid(result.valid);
        })
        .catch((error) => setStatus(`Validation failed: ${error.message}`));
    }, 350);
    return () => clearTimeout(timer);
  }, [doc, api]);

  const dirty = !!(doc && saved && JSON.stringify(doc) !== JSON.stringify(saved.document));

  useEffect(() => {
    const warn = (event) => {
      if (dirty) event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  useEffect(() => {
    const onKey = (event) => {
      const target = event.target;
      if (target && (target.closest("input, textarea, select") || target.isContentEditable)) return;
      if (!(event.ctrlKey || event.metaKey) || !canEdit) return;
      const key = event.key.toLowerCase();
      if (key === "z" && !event.shiftKey) {
        event.preventDefault();
        dispatch({ type: "undo" });
      } else if ((key === "z" && event.shiftKey) || key === "y") {
        event.preventDefault();
        dispatch({ type: "redo" });
      } else if (key === "d" && selected) {
        event.preventDefault();
        duplicate();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const problemsByNode = useMemo(() => {
    const map = new Map();
    for (const p of problems) {
      if (!p.node) continue;
      if (!map.has(p.node)) map.set(p.node, []);
      map.get(p.node).push(p);
    }
    return map;
  }, [problems]);

  const nodes = useMemo(
    () =>
      (doc?.nodes || []).map((node) => ({
        id: node.id,
        type: "script",
        position: node.position || { x: 0, y: 0 },
        selected: node.id === selected,
        // Every node has the fixed size of .script-node; telling React Flow
        // so spares a second render of all nodes once they are measured.
        measured: NODE_SIZE,
        data: {
          node,
          problems: problemsByNode.get(node.id) || NO_PROBLEMS,
          current: node.id === currentNode,
          start: node.id === doc.start,
        },
      })),
    [doc, selected, problemsByNode, currentNode],
  );
  const allEdges = useMemo(() => (doc ? toEdges(doc) : []), [doc]);
  const edges = useMemo(
    () => allEdges.map((e) => (e.id === selectedEdge ? { ...e, selected: true } : e)),
    [allEdges, selectedEdge],
  );

  const onNodesChange = useCallback(
    (changes) => {
      if (!canEdit) return;
      const moves = changes.filter((c) => c.type === "position" && c.position);
      const removed = changes.filter((c) => c.type === "remove").map((c) => c.id);
      if (moves.length) {
        commit((current) => {
          let next = current;
          for (const change of moves) {
            next = updateNode(next, change.id, {
              position: { x: Math.round(change.position.x), y: Math.round(change.position.y) },
            });
          }
          return next;
        }, false);
      }
      if (removed.length) {
        // Removing nodes removes the routes to and from them: the edges
        // React Flow removed with them just before are covered.
        pendingEdgeRemoval.current = null;
        commit((current) => removeNodes(current, removed));
        setSelected((id) => (removed.includes(id) ? null : id));
      }
    },
    [canEdit, commit],
  );

  const onEdgesChange = useCallback(
    (changes) => {
      if (!canEdit) return;
      const removed = changes
        .filter((c) => c.type === "remove")
        .map((c) => edges.find((e) => e.id === c.id))
        .filter(Boolean);
      if (!removed.length) return;
      // Deleting a node reports its edges first, then the node, in the same
      // task; wait a microtask so that one delete is one undo step.
      pendingEdgeRemoval.current = removed;
      queueMicrotask(() => {
        const edgesToRemove = pendingEdgeRemoval.current;
        pendingEdgeRemoval.current = null;
        if (edgesToRemove) commit((current) => removeEdges(current, edgesToRemove));
      });
    },
    [edges, canEdit, commit],
  );

  const onConnect = useCallback(
    ({ source, target }) => {
      if (!canEdit) return;
      commit(connectRoute(doc, source, target));
      setSelected(source);
      setTab("node");
    },
    [doc, canEdit, commit],
  );

  // A connection dropped anywhere on a node, not on its handle, connects
  // to that node: the handles are small targets to hit.
  const onConnectEnd = useCallback(
    (event, state) => {
      if (!canEdit || state.isValid || !state.fromNode) return;
      const point = event.changedTouches ? event.changedTouches[0] : event;
      const element = document.elementFromPoint(point.clientX, point.clientY);
      const dropped = element?.closest(".react-flow__node")?.dataset.id;
      if (!dropped || dropped === state.fromNode.id) return;
      const fromSource = state.fromHandle?.type !== "target";
      const source = fromSource ? state.fromNode.id : dropped;
      const target = fromSource ? dropped : state.fromNode.id;
      const targetNode = doc.nodes.find((n) => n.id === target);
      const sourceNode = doc.nodes.find((n) => n.id === source);
      // Nothing leaves a terminal node, and nothing enters the start.
      if (!targetNode || !sourceNode || TERMINAL.has(sourceNode.type) || target === doc.start) return;
      onConnect({ source, target });
    },
    [doc, canEdit, onConnect],
  );

  function selectNode(id, { center = false } = {}) {
    setSelected(id);
    setSelectedEdge(null);
    if (tab !== "simulator") setTab("node");
    if (center) {
      const node = doc.nodes.find((n) => n.id === id);
      if (node?.position) flow.setCenter(node.position.x + 95, node.position.y + 32, { zoom: 1, duration: 200 });
    }
  }

  function add(type) {
    // At the top left of the visible canvas, where the fitted graph
    // usually leaves room.
    const rect = document.querySelector(".canvas").getBoundingClientRect();
    const center = flow.screenToFlowPosition({ x: rect.left + 60, y: rect.top + 60 });
    const node = newNode(doc, type, { x: Math.round(center.x), y: Math.round(center.y) });
    commit(addNode(doc, node));
    setSelected(node.id);
    setTab("node");
  }

  function duplicate() {
    if (!selected) return;
    const [next, id] = duplicateNode(doc, selected);
    commit(next);
    setSelected(id);
  }

  function relayout() {
    commit(layoutDocument(doc));
    setTimeout(() => flow.fitView(), 0);
  }

  async function save(baseRevision = saved.revision, document = doc) {
    setStatus("Saving…");
    try {
      const draft = await api.save(document, baseRevision);
      setSaved({ document, revision: draft.revision });
      setConflict(null);
      setStatus(`Saved revision ${draft.revision}.`);
    } catch (error) {
      if (error.status === 409) {
        setConflict({ action: "save", revision: error.body?.error?.current_revision });
        setStatus("Not saved: conflict.");
      } else setStatus(`Not saved: ${error.message}`);
    }
  }

  async function reloadTheirs() {
    const draft = await api.draft();
    dispatch({ type: "load", doc: hasPositions(draft.document) ? draft.document : layoutDocument(draft.document) });
    setSaved({ document: draft.document, revision: draft.revision });
    setConflict(null);
    setStatus(`Reloaded revision ${draft.revision}; your changes were dropped.`);
    await loadRecordings();
  }

  async function overwrite() {
    const draft = await api.draft();
    await save(draft.revision);
  }

  async function merge() {
    const draft = await api.draft();
    const { merged, conflicts } = mergeDocuments(saved.document, doc, draft.document);
    commit(merged);
    loadRecordings();
    setSaved({ document: draft.document, revision: draft.revision });
    setConflict(null);
    setStatus(
      conflicts.length
        ? `Merged with revision ${draft.revision}; both changed ${conflicts.join(", ")} (yours kept). Check and save.`
        : `Merged with revision ${draft.revision}. Check and save.`,
    );
  }

  async function publish() {
    setStatus("Publishing…");
    try {
      const version = await api.publish(saved.revision);
      setStatus(`Published version ${version.number}.`);
      setVersionsKey((k) => k + 1);
    } catch (error) {
      if (error.status === 422) {
        setProblems(error.body?.error?.problems || problems);
        setStatus(`Not published: ${error.message}`);
      } else if (error.status === 409) {
        setConflict({ action: "publish", revision: error.body?.error?.current_revision });
        setStatus("Not published: the draft changed meanwhile.");
      } else setStatus(`Not published: ${error.message}`);
    }
  }

  function importFile(event) {
    const file = event.target.files[0];
    if (!file) return;
    file.text().then(async (text) => {
      try {
        const data = JSON.parse(text);
        const document = data && data.document && data.outcall_export ? data.document : data;
        if (!document || !Array.isArray(document.nodes)) throw new Error("no nodes in this file");
        // An exported bundle carries its recordings: add them to this script
        // first, so that the variants playing them find them.
        const carried = data.outcall_export && data.audio ? Object.entries(data.audio) : [];
        for (const [reference, item] of carried) {
          const bytes = Uint8Array.from(atob(item.wav_base64 || ""), (c) => c.charCodeAt(0));
          const name = item.name || "recording.wav";
          const uploaded = await api.uploadRecording(new File([bytes], name, { type: "audio/wav" }));
          if (uploaded.reference !== reference) throw new Error(`the recording “${name}” holds other audio than the bundle says`);
          addRecording(uploaded);
        }
        commit(hasPositions(document) ? document : layoutDocument(document));
        const with_ = carried.length ? ` with ${carried.length} recording${carried.length > 1 ? "s" : ""}` : "";
        setStatus(`Imported ${file.name}${with_}; save to keep it.`);
      } catch (error) {
        setStatus(`Not imported: ${error.message}`);
      }
      event.target.value = "";
    });
  }

  if (loadError) return <p className="load-error">The draft could not be loaded: {loadError}</p>;
  if (!doc) return <p className="loading">Loading…</p>;

  const selectedNode = doc.nodes.find((n) => n.id === selected) || null;
  const errorCount = problems.filter((p) => p.severity === "error").length;

  return (
    <div className={`editor ${canEdit ? "" : "read-only"}`}>
      <div className="toolbar">
        {canEdit && (
          <>
            <select
              aria-label="Add node"
              value=""
              onChange={(e) => e.target.value && add(e.target.value)}
              id="add-node"
            >
              <option value="">Add node…</option>
              {NODE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <button onClick={duplicate} disabled={!selected} title="Ctrl+D">
              Duplicate
            </button>
            <button onClick={() => dispatch({ type: "undo" })} disabled={!past.length} title="Ctrl+Z">
              Undo
            </button>
            <button onClick={() => dispatch({ type: "redo" })} disabled={!future.length} title="Ctrl+Shift+Z">
              Redo
            </button>
          </>
        )}
        <button onClick={relayout} disabled={!canEdit}>
          Layout
        </button>
        <span className="sep" />
        {canEdit && (
          <button id="save" onClick={() => save()} disabled={!dirty} className={dirty ? "primary" : ""}>
            Save
          </button>
        )}
        {canPublish && (
          <button
            id="publish"
            onClick={publish}
            disabled={dirty || valid === false}
            title={dirty ? "Save first" : valid === false ? "Fix the errors first" : "Publish the draft"}
          >
            Publish
          </button>
        )}
        <a className="button" href={api.exportUrl} download>
          Export
        </a>
        {canEdit && (
          <>
            <button onClick={() => fileInput.current.click()}>Import</button>
            <input ref={fileInput} type="file" accept="application/json,.json" hidden onChange={importFile} />
          </>
        )}
        <span className="sep" />
        <span className="revision">
          revision {saved.revision}
          {dirty ? " · unsaved changes" : ""} · {config.role}
        </span>
        <span id="status" className="status" role="status">
          {status}
        </span>
      </div>
      {conflict && (
        <div className="conflict" id="conflict" role="alert">
          <strong>Someone saved a newer draft{conflict.revision ? ` (revision ${conflict.revision})` : ""} while you were editing.</strong>
          {conflict.action === "publish"
            ? " Nothing was published. Merge their changes into yours, reload theirs, or overwrite theirs with yours; then save and publish."
            : " Your changes are kept here, not saved yet. Merge their changes into yours, reload theirs, or overwrite theirs with yours."}
          <button onClick={merge}>Merge theirs into mine</button>
          <button onClick={reloadTheirs}>Reload theirs (drop mine)</button>
          <button onClick={overwrite}>Overwrite with mine</button>
        </div>
      )}
      <div className="workspace">
        <div className="canvas">
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            defaultEdgeOptions={{ type: "script" }}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onConnectEnd={onConnectEnd}
            connectionRadius={40}
            onNodeDragStart={() => dispatch({ type: "checkpoint" })}
            onNodeClick={(_, node) => selectNode(node.id)}
            onEdgeClick={(_, edge) => {
              setSelected(null);
              setSelectedEdge(edge.id);
            }}
            onPaneClick={() => {
              setSelected(null);
              setSelectedEdge(null);
            }}
            nodesDraggable={canEdit}
            nodesConnectable={canEdit}
            edgesFocusable={canEdit}
            deleteKeyCode={canEdit ? ["Delete", "Backspace"] : null}
            minZoom={0.05}
            fitView
          >
            <Background />
            <Controls />
            <MiniMap
              pannable
              zoomable
              nodeStrokeWidth={3}
              nodeColor={minimapColor}
              nodeStrokeColor={minimapColor}
              nodeClassName={(flowNode) => `minimap-${flowNode.data?.node?.type}`}
              onClick={(_, at) => flow.setCenter(at.x, at.y, { zoom: flow.getZoom(), duration: 150 })}
            />
          </ReactFlow>
          <div className="problems" id="problems">
            <div className="problems-head">
              {valid === null
                ? "Checking…"
                : problems.length
                  ? `${errorCount} error${errorCount === 1 ? "" : "s"}, ${problems.length - errorCount} warning${problems.length - errorCount === 1 ? "" : "s"}`
                  : "No problems"}
            </div>
            <ul>
              {problems.map((p, i) => (
                <li
                  key={i}
                  className={`problem ${p.severity}`}
                  data-code={p.code}
                  onClick={() => p.node && selectNode(p.node, { center: true })}
                >
                  {p.node && <b>{p.node}: </b>}
                  {p.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
        <aside className="side">
          <nav className="tabs">
            {[
              ["node", "Node"],
              ["script", "Script"],
              ["intents", "Intents"],
              ["history", "History"],
              ["simulator", "Simulator"],
            ].map(([key, label]) => (
              <button key={key} className={tab === key ? "active" : ""} onClick={() => setTab(key)} data-tab={key}>
                {label}
              </button>
            ))}
          </nav>
          <div className="panel" hidden={tab !== "node"}>
            {selectedNode ? (
              <NodePanel
                key={selectedNode.id}
                doc={doc}
                node={selectedNode}
                problems={problemsByNode.get(selectedNode.id) || []}
                readOnly={!canEdit}
                api={api}
                recordings={recordings}
                onRecording={addRecording}
                onChange={(change) => commit((present) => updateNode(present, selectedNode.id, change))}
                onDelete={() => {
                  commit(removeNodes(doc, [selectedNode.id]));
                  setSelected(null);
                }}
                onRename={(id) => {
                  commit(renameNode(doc, selectedNode.id, id));
                  setSelected(id);
                }}
              />
            ) : (
              <p className="hint">Select a node to edit it. Drag from a node's right handle to another node to connect them.</p>
            )}
          </div>
          <div className="panel" hidden={tab !== "script"}>
            <ScriptPanel doc={doc} readOnly={!canEdit} onChange={commit} />
          </div>
          <div className="panel" hidden={tab !== "intents"}>
            <IntentsPanel doc={doc} readOnly={!canEdit} onChange={commit} builtins={builtins} />
          </div>
          <div className="panel" hidden={tab !== "history"}>
            {tab === "history" && <HistoryPanel api={api} refresh={versionsKey} />}
          </div>
          <div className="panel" hidden={tab !== "simulator"}>
            <Simulator config={config} doc={doc} onNode={setCurrentNode} api={api} refresh={versionsKey} />
          </div>
        </aside>
      </div>
    </div>
  );
}
