// The script document as React Flow nodes and edges, dagre layout, and the
// small pure edits the editor makes to documents.
import dagre from "@dagrejs/dagre";

export const NODE_TYPES = [
  "greeting",
  "offer",
  "objection",
  "question",
  "amd_question",
  "say",
  "target_action",
  "end",
];
export const LISTENING = new Set(["greeting", "offer", "objection", "question", "amd_question"]);
export const TERMINAL = new Set(["target_action", "end"]);
export const OUTCOMES = [
  "transfer",
  "callback",
  "refusal",
  "answering_machine",
  "wrong_person",
  "do_not_call",
  "dropped",
  "no_response",
];
export const EVENTS = {
  listening: ["no_input", "no_match"],
  amd_question: ["no_input", "no_match", "human", "machine", "unsure"],
  say: ["next"],
};

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 64;

export function eventsOf(type) {
  if (type === "amd_question") return EVENTS.amd_question;
  if (type === "say") return EVENTS.say;
  if (LISTENING.has(type)) return EVENTS.listening;
  return [];
}

export function routeKind(route) {
  if ("intent" in route) return "intent";
  if ("dtmf" in route) return "dtmf";
  return "event";
}

export function routeLabel(route) {
  const kind = routeKind(route);
  if (kind === "intent") return route.intent;
  if (kind === "dtmf") return `DTMF ${route.dtmf}`;
  return `‹${route.event}›`;
}

// One edge per (source, target) pair, labelled with every route it carries.
export function toEdges(doc) {
  const edges = [];
  for (const node of doc.nodes || []) {
    const byTarget = new Map();
    (node.routes || []).forEach((route, index) => {
      if (!route || typeof route.to !== "string") return;
      if (!byTarget.has(route.to)) byTarget.set(route.to, []);
      byTarget.get(route.to).push({ route, index });
    });
    for (const [target, routes] of byTarget) {
      edges.push({
        id: `${node.id}->${target}`,
        source: node.id,
        target,
        label: routes.map(({ route }) => routeLabel(route)).join(", "),
        data: { indexes: routes.map(({ index }) => index) },
      });
    }
  }
  return edges;
}

export function hasPositions(doc) {
  return (doc.nodes || []).every(
    (n) => n.position && Number.isFinite(n.position.x) && Number.isFinite(n.position.y),
  );
}

// Left-to-right dagre layout; answers a new document with positions.
// Terminal nodes (end, target_action) are left out of dagre and stacked in
// a last column, beside the mean height of the nodes leading to them: most
// nodes of a script route to the same few endings, and those long edges
// would make dagre's crossing reduction take minutes on large scripts.
export function layoutDocument(doc) {
  const all = doc.nodes || [];
  const inner = all.filter((n) => !TERMINAL.has(n.type));
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: "LR",
    nodesep: 24,
    ranksep: 90,
    marginx: 20,
    marginy: 20,
    ranker: inner.length > 100 ? "longest-path" : "network-simplex",
  });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(inner.map((n) => n.id));
  for (const node of inner) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const node of inner) {
    for (const route of node.routes || []) {
      if (ids.has(route.to) && route.to !== node.id) g.setEdge(node.id, route.to);
    }
  }
  dagre.layout(g);
  const positions = new Map();
  let right = 0;
  for (const node of inner) {
    const p = g.node(node.id);
    const position = { x: Math.round(p.x - NODE_WIDTH / 2), y: Math.round(p.y - NODE_HEIGHT / 2) };
    positions.set(node.id, position);
    right = Math.max(right, position.x + NODE_WIDTH);
  }
  const leadingY = new Map();
  for (const node of inner) {
    for (const route of node.routes || []) {
      if (ids.has(route.to)) continue;
      if (!leadingY.has(route.to)) leadingY.set(route.to, []);
      leadingY.get(route.to).push(positions.get(node.id).y);
    }
  }
  const mean = (list) => (list && list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0);
  const endings = all
    .filter((n) => TERMINAL.has(n.type))
    .map((n) => ({ id: n.id, y: mean(leadingY.get(n.id)) }))
    .sort((a, b) => a.y - b.y);
  let y = -Infinity;
  const column = inner.length ? right + 120 : 20;
  for (const ending of endings) {
    y = Math.max(Math.round(ending.y), y + NODE_HEIGHT + 24);
    positions.set(ending.id, { x: column, y });
  }
  return { ...doc, nodes: all.map((node) => ({ ...node, position: positions.get(node.id) })) };
}

export function updateNode(doc, id, change) {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === id ? (typeof change === "function" ? change(n) : { ...n, ...change }) : n)),
  };
}

export function uniqueId(doc, base) {
  const taken = new Set((doc.nodes || []).map((n) => n.id));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function newNode(doc, type, position) {
  const node = {
    id: uniqueId(doc, type),
    type,
    title: "",
    prompt: { variants: [{ id: "a", text: "New prompt.", weight: 1 }] },
    routes: [],
    position,
  };
  if (type === "target_action") {
    node.outcome = "transfer";
    node.transfer = { target: "operator", summary: "" };
  }
  if (type === "end") node.outcome = "refusal";
  return node;
}

export function addNode(doc, node) {
  return { ...doc, nodes: [...doc.nodes, node] };
}

export function removeNodes(doc, ids) {
  const gone = new Set(ids);
  return {
    ...doc,
    start: doc.start,
    nodes: doc.nodes
      .filter((n) => !gone.has(n.id))
      .map((n) =>
        (n.routes || []).some((r) => gone.has(r.to))
          ? { ...n, routes: n.routes.filter((r) => !gone.has(r.to)) }
          : n,
      ),
  };
}

export function removeEdges(doc, edges) {
  let next = doc;
  for (const edge of edges) {
    next = updateNode(next, edge.source, (n) => ({
      ...n,
      routes: (n.routes || []).filter((r) => r.to !== edge.target),
    }));
  }
  return next;
}

export function duplicateNode(doc, id) {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node) return [doc, null];
  const copy = structuredClone(node);
  copy.id = uniqueId(doc, `${id}_copy`);
  const p = node.position || { x: 0, y: 0 };
  copy.position = { x: p.x + 40, y: p.y + 90 };
  return [addNode(doc, copy), copy.id];
}

// The route a new connection adds: `next` from a say node, an intent to
// choose (empty until the writer picks one) from a listening node.
export function connectRoute(doc, source, target) {
  const node = doc.nodes.find((n) => n.id === source);
  if (!node || TERMINAL.has(node.type)) return doc;
  const route = node.type === "say" ? { event: "next", to: target } : { intent: "", to: target };
  return updateNode(doc, source, (n) => ({ ...n, routes: [...(n.routes || []), route] }));
}

// Three-way merge by node and by top-level key: a side's change wins where
// the other side left the base alone; both changed → mine, listed.
export function mergeDocuments(base, mine, theirs) {
  const conflicts = [];
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const merged = { ...theirs };
  for (const key of new Set([...Object.keys(base), ...Object.keys(mine), ...Object.keys(theirs)])) {
    if (key === "nodes") continue;
    const m = mine[key];
    const t = theirs[key];
    const b = base[key];
    if (same(m, b)) merged[key] = t;
    else if (same(t, b) || same(m, t)) merged[key] = m;
    else {
      merged[key] = m;
      conflicts.push(key);
    }
    if (merged[key] === undefined) delete merged[key];
  }
  const index = (doc) => new Map((doc.nodes || []).map((n) => [n.id, n]));
  const [b, m, t] = [index(base), index(mine), index(theirs)];
  const order = [...new Set([...m.keys(), ...t.keys()])];
  merged.nodes = [];
  for (const id of order) {
    const bn = b.get(id);
    const mn = m.get(id);
    const tn = t.get(id);
    let chosen;
    if (same(mn, bn)) chosen = tn;
    else if (same(tn, bn) || same(mn, tn)) chosen = mn;
    else {
      chosen = mn ?? tn;
      conflicts.push(`node ${id}`);
    }
    if (chosen) merged.nodes.push(chosen);
  }
  return { merged, conflicts };
}

// Rename a node and every reference to it (routes, global routes, start).
export function renameNode(doc, oldId, newId) {
  const retarget = (routes) =>
    (routes || []).map((r) => (r.to === oldId ? { ...r, to: newId } : r));
  return {
    ...doc,
    start: doc.start === oldId ? newId : doc.start,
    global_routes: retarget(doc.global_routes),
    nodes: doc.nodes.map((n) => ({
      ...n,
      id: n.id === oldId ? newId : n.id,
      routes: n.routes ? retarget(n.routes) : n.routes,
    })),
  };
}
