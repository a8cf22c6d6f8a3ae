"""The JSON Schema (draft 2020-12) of the graph document, format version 1.

``docs/graph.schema.json`` is this schema written out; a test keeps the two
equal. After changing it here, regenerate the file::

    python -m designer.graph.schema > docs/graph.schema.json

The schema checks the shape of the document. The rules that need the whole
graph (targets exist, every node has a way out, known intents and
outcomes, templates compile …) are in ``designer.graph.validation``.
"""

import json

SCHEMA_ID = "https://outcall.dev/schemas/graph/1.json"

_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}
_NAME = "^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_TEMPLATE = {"type": "string"}
_SECONDS = {"type": "number", "exclusiveMinimum": 0, "maximum": 120}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "Outcall script graph, format version 1",
    "description": "See docs/graph-format.md.",
    "type": "object",
    "required": ["format", "format_version", "language", "start", "nodes"],
    "additionalProperties": False,
    "properties": {
        "format": {"const": "outcall-graph"},
        "format_version": {"const": 1},
        "language": {"enum": ["ru", "en"]},
        "start": {"$ref": "#/$defs/node_id"},
        "variables": {
            "type": "object",
            "propertyNames": {"pattern": _NAME},
            "additionalProperties": {"$ref": "#/$defs/variable"},
        },
        "intents": {
            "type": "object",
            "propertyNames": {"pattern": _NAME},
            "additionalProperties": {"$ref": "#/$defs/intent"},
        },
        "global_routes": {"type": "array", "items": {"$ref": "#/$defs/route"}},
        "nodes": {"type": "array", "items": {"$ref": "#/$defs/node"}},
    },
    "$defs": {
        "node_id": _ID,
        "variable": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "description": {"type": "string"},
                "example": {"type": ["string", "number"]},
                "default": {"type": ["string", "number"]},
            },
        },
        "intent": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "examples": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                },
            },
        },
        "route": {
            "type": "object",
            "required": ["to"],
            "additionalProperties": False,
            "properties": {
                "to": {"$ref": "#/$defs/node_id"},
                "intent": {"type": "string", "pattern": _NAME},
                "dtmf": {"type": "string", "pattern": "^[0-9*#]$"},
                "event": {
                    "enum": [
                        "no_input",
                        "no_match",
                        "human",
                        "machine",
                        "unsure",
                        "next",
                    ]
                },
            },
            # Exactly one trigger.
            "oneOf": [
                {"required": ["intent"]},
                {"required": ["dtmf"]},
                {"required": ["event"]},
            ],
        },
        "variant": {
            "type": "object",
            "required": ["id", "text"],
            "additionalProperties": False,
            "properties": {
                "id": _ID,
                "text": _TEMPLATE,
                "segment": {"type": ["string", "null"], "maxLength": 64},
                "weight": {"type": "number"},
                "audio": {"type": ["string", "null"]},
            },
        },
        "node": {
            "type": "object",
            "required": ["id", "type"],
            "additionalProperties": False,
            "properties": {
                "id": {"$ref": "#/$defs/node_id"},
                "type": {
                    "enum": [
                        "greeting",
                        "offer",
                        "objection",
                        "question",
                        "amd_question",
                        "say",
                        "target_action",
                        "end",
                    ]
                },
                "title": {"type": "string"},
                "prompt": {
                    "type": "object",
                    "required": ["variants"],
                    "additionalProperties": False,
                    "properties": {
                        "variants": {
                            "type": "array",
                            "items": {"$ref": "#/$defs/variant"},
                        }
                    },
                },
                "barge_in": {"type": "boolean"},
                "no_input_timeout": _SECONDS,
                "endpoint_silence": _SECONDS,
                "reprompts": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "no_input": {"type": "array", "items": _TEMPLATE},
                        "no_match": {"type": "array", "items": _TEMPLATE},
                    },
                },
                "routes": {"type": "array", "items": {"$ref": "#/$defs/route"}},
                "outcome": {"type": "string"},
                "transfer": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "target": {"type": "string"},
                        "summary": _TEMPLATE,
                    },
                },
                "position": {
                    "type": "object",
                    "required": ["x", "y"],
                    "additionalProperties": False,
                    "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
                },
            },
        },
    },
}


def schema_json() -> str:
    """The schema as ``docs/graph.schema.json`` holds it."""
    return json.dumps(SCHEMA, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    print(schema_json(), end="")
