"""What the editor page asks beside the documents: a template preview, the
built-in intent packs and a readable diff between two documents.

Plain functions over documents; the API views in ``designer.api`` call them.
"""

from designer.errors import InvalidInput
from designer.graph.templates import TemplateError, render_template
from nlu.packs import BUILTIN_INTENTS, load_pack

# A sample call's built-in variables, for previews.
SAMPLE_CALL = {
    "phone": "+10000000000",
    "call_id": "preview",
    "callback_time": "",
    "last_utterance": "",
    "intents_heard": [],
}


def sample_contact(document: dict) -> dict:
    """The example value of each variable the document declares."""
    variables = document.get("variables") if isinstance(document, dict) else None
    if not isinstance(variables, dict):
        return {}
    return {
        name: spec.get("example", "")
        for name, spec in variables.items()
        if isinstance(spec, dict)
    }


def template_preview(
    *, source: str, document: dict | None = None, variables=None, segment: str = ""
) -> dict:
    """Render a prompt template as a call would, for a sample contact.

    The contact's variables are the document's examples, overridden by
    ``variables``. Answers ``{"text": ...}``, or ``{"error": ...}`` with the
    line and reason when the template does not render.
    """
    if not isinstance(source, str):
        raise InvalidInput("`template` must be a string.")
    if variables is not None and not isinstance(variables, dict):
        raise InvalidInput("`variables` must be an object of names to values.")
    if not isinstance(segment, str):
        raise InvalidInput("`segment` must be a string.")
    context = sample_contact(document or {})
    context.update(variables or {})
    context.update(SAMPLE_CALL, segment=segment)
    try:
        return {"text": render_template(source, context), "error": None}
    except TemplateError as exc:
        return {"text": None, "error": str(exc)}


def builtin_intents(*, language: str) -> list[dict]:
    """The built-in intents of ``language`` with their examples, in order."""
    try:
        pack = load_pack(language)
    except ValueError:
        raise InvalidInput(
            f"No built-in intents for language {language!r}; use ru or en."
        ) from None
    return [{"id": intent, "examples": pack[intent]} for intent in BUILTIN_INTENTS]


# -- diff ---------------------------------------------------------------------

NODE_FIELDS = (
    "type",
    "title",
    "barge_in",
    "no_input_timeout",
    "endpoint_silence",
    "reprompts",
    "outcome",
    "transfer",
)


def _nodes(document: dict) -> dict[str, dict]:
    nodes = document.get("nodes") if isinstance(document, dict) else None
    return {
        n["id"]: n
        for n in nodes or []
        if isinstance(n, dict) and isinstance(n.get("id"), str)
    }


def route_label(route: dict) -> str:
    for kind in ("intent", "dtmf", "event"):
        if kind in route:
            return f"{kind} {route[kind]} → {route.get('to')}"
    return f"? → {route.get('to')}"


def _variants(node: dict) -> dict[str, dict]:
    prompt = node.get("prompt") or {}
    variants = prompt.get("variants") if isinstance(prompt, dict) else None
    return {v.get("id"): v for v in variants or [] if isinstance(v, dict)}


def _node_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    for field in NODE_FIELDS:
        if old.get(field) != new.get(field):
            changes.append(
                {
                    "what": "field",
                    "field": field,
                    "old": old.get(field),
                    "new": new.get(field),
                }
            )
    old_variants, new_variants = _variants(old), _variants(new)
    for vid in old_variants.keys() - new_variants.keys():
        changes.append(
            {
                "what": "variant_removed",
                "variant": vid,
                "old": old_variants[vid].get("text"),
            }
        )
    for vid in new_variants.keys() - old_variants.keys():
        changes.append(
            {
                "what": "variant_added",
                "variant": vid,
                "new": new_variants[vid].get("text"),
            }
        )
    for vid in sorted(old_variants.keys() & new_variants.keys(), key=str):
        before, after = old_variants[vid], new_variants[vid]
        for field in ("text", "weight", "segment", "audio"):
            if before.get(field) != after.get(field):
                changes.append(
                    {
                        "what": "variant_changed",
                        "variant": vid,
                        "field": field,
                        "old": before.get(field),
                        "new": after.get(field),
                    }
                )
    old_routes = [route_label(r) for r in old.get("routes") or []]
    new_routes = [route_label(r) for r in new.get("routes") or []]
    for label in old_routes:
        if label not in new_routes:
            changes.append({"what": "route_removed", "route": label})
    for label in new_routes:
        if label not in old_routes:
            changes.append({"what": "route_added", "route": label})
    return changes


def document_diff(old: dict, new: dict) -> dict:
    """What changed from ``old`` to ``new``, for people to read.

    Nodes added and removed (ids), nodes changed (their fields, prompt
    variants and routes), intents added, removed or with other examples,
    global routes added and removed, and the start node. Moving a node on
    the canvas is not a change.
    """
    if not isinstance(old, dict) or not isinstance(new, dict):
        raise InvalidInput("Both documents must be JSON objects.")
    old_nodes, new_nodes = _nodes(old), _nodes(new)
    changed = []
    for node_id in sorted(old_nodes.keys() & new_nodes.keys()):
        changes = _node_changes(old_nodes[node_id], new_nodes[node_id])
        if changes:
            changed.append({"node": node_id, "changes": changes})

    old_intents = old.get("intents") or {}
    new_intents = new.get("intents") or {}
    old_global = [route_label(r) for r in old.get("global_routes") or []]
    new_global = [route_label(r) for r in new.get("global_routes") or []]
    diff = {
        "nodes_added": sorted(new_nodes.keys() - old_nodes.keys()),
        "nodes_removed": sorted(old_nodes.keys() - new_nodes.keys()),
        "nodes_changed": changed,
        "intents_added": sorted(new_intents.keys() - old_intents.keys()),
        "intents_removed": sorted(old_intents.keys() - new_intents.keys()),
        "intents_changed": sorted(
            i
            for i in old_intents.keys() & new_intents.keys()
            if old_intents[i] != new_intents[i]
        ),
        "global_routes_added": [r for r in new_global if r not in old_global],
        "global_routes_removed": [r for r in old_global if r not in new_global],
        "start": (
            {"old": old.get("start"), "new": new.get("start")}
            if old.get("start") != new.get("start")
            else None
        ),
    }
    diff["same"] = (
        not any(v for k, v in diff.items() if k != "start") and diff["start"] is None
    )
    return diff
