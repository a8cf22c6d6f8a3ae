"""Graph documents for the designer's tests."""

import copy

# The ids of nlu.packs.BUILTIN_INTENTS, so that the validator's tests do not
# depend on the matcher; test_services checks the two agree.
BUILTIN_INTENTS = (
    "yes",
    "no",
    "who_is_calling",
    "is_robot",
    "busy_callback",
    "not_interested",
    "already_have",
    "expensive",
    "think_about_it",
    "operator",
    "wrong_person",
    "repeat",
    "hold_on",
    "do_not_call",
    "answering_machine",
)

_VALID = {
    "format": "outcall-graph",
    "format_version": 1,
    "language": "ru",
    "start": "greeting",
    "variables": {
        "name": {"description": "Contact's first name", "example": "Анна"},
        "limit": {"description": "Credit limit offered", "example": "150 000"},
    },
    "intents": {
        "card_question": {"examples": ["а какая карта", "что за карта"]},
        "yes": {"examples": ["ну давайте"]},
    },
    "global_routes": [
        {"intent": "do_not_call", "to": "end_dnc"},
        {"intent": "operator", "to": "transfer"},
        {"event": "no_input", "to": "end_no_response"},
    ],
    "nodes": [
        {
            "id": "greeting",
            "type": "greeting",
            "title": "Greeting",
            "prompt": {
                "variants": [
                    {"id": "a", "text": "Здравствуйте, {{ name }}!", "weight": 1},
                    {"id": "b", "text": "Добрый день, {{ name }}!", "weight": 2},
                    {
                        "id": "vip",
                        "text": "{{ name }}, добрый день!",
                        "segment": "active",
                        "weight": 1,
                        "audio": "greeting-vip.wav",
                    },
                ]
            },
            "barge_in": True,
            "no_input_timeout": 5.0,
            "endpoint_silence": 0.8,
            "reprompts": {
                "no_input": ["Алло, {{ name }}, вы меня слышите?"],
                "no_match": ["Простите, не расслышала."],
            },
            "routes": [
                {"intent": "yes", "to": "amd"},
                {"dtmf": "1", "to": "amd"},
                {"intent": "wrong_person", "to": "end_wrong_person"},
                {"event": "no_match", "to": "amd"},
            ],
            "position": {"x": 0, "y": 0},
        },
        {
            "id": "amd",
            "type": "amd_question",
            "prompt": {"variants": [{"id": "a", "text": "Вам удобно говорить?"}]},
            "routes": [
                {"event": "human", "to": "offer"},
                {"event": "machine", "to": "end_machine"},
                {"event": "unsure", "to": "end_no_response"},
                {"event": "no_input", "to": "end_no_response"},
            ],
        },
        {
            "id": "offer",
            "type": "offer",
            "prompt": {
                "variants": [
                    {"id": "a", "text": "Вам одобрена карта с лимитом {{ limit }}."}
                ]
            },
            "routes": [
                {"intent": "yes", "to": "confirm"},
                {"intent": "expensive", "to": "objection"},
                {"intent": "card_question", "to": "explain"},
                {"intent": "no", "to": "end_refusal"},
                {"event": "no_match", "to": "objection"},
            ],
        },
        {
            "id": "explain",
            "type": "say",
            "prompt": {"variants": [{"id": "a", "text": "Это кредитная карта."}]},
            "routes": [{"event": "next", "to": "offer"}],
        },
        {
            "id": "objection",
            "type": "objection",
            "prompt": {"variants": [{"id": "a", "text": "Обслуживание бесплатно."}]},
            "routes": [
                {"intent": "yes", "to": "confirm"},
                {"event": "no_match", "to": "end_refusal"},
            ],
        },
        {
            "id": "confirm",
            "type": "question",
            "prompt": {"variants": [{"id": "a", "text": "Соединить с оператором?"}]},
            "routes": [
                {"intent": "yes", "to": "transfer"},
                {"intent": "busy_callback", "to": "end_callback"},
                {"event": "no_match", "to": "end_refusal"},
            ],
        },
        {
            "id": "transfer",
            "type": "target_action",
            "prompt": {"variants": [{"id": "a", "text": "Соединяю."}]},
            "outcome": "transfer",
            "transfer": {
                "target": "sip:operators@bank.example",
                "summary": "{{ name }} согласен на карту с лимитом {{ limit }}; "
                "звонок {{ call_id }}.",
            },
        },
        {
            "id": "end_refusal",
            "type": "end",
            "outcome": "refusal",
            "prompt": {"variants": [{"id": "a", "text": "Всего доброго!"}]},
        },
        {
            "id": "end_callback",
            "type": "end",
            "outcome": "callback",
            "prompt": {
                "variants": [{"id": "a", "text": "Перезвоним {{ callback_time }}."}]
            },
        },
        {"id": "end_machine", "type": "end", "outcome": "answering_machine"},
        {"id": "end_no_response", "type": "end", "outcome": "no_response"},
        {"id": "end_wrong_person", "type": "end", "outcome": "wrong_person"},
        {"id": "end_dnc", "type": "end", "outcome": "do_not_call"},
    ],
}


def valid_document() -> dict:
    """A document using every node type that passes every check."""
    return copy.deepcopy(_VALID)


def node(document: dict, node_id: str) -> dict:
    return next(n for n in document["nodes"] if n["id"] == node_id)


def minimal_document(*nodes, start="n1", language="ru", **top) -> dict:
    """A document of the given nodes; ``top`` sets top-level keys."""
    return {
        "format": "outcall-graph",
        "format_version": 1,
        "language": language,
        "start": start,
        "nodes": list(nodes),
        **top,
    }


def prompt(text="Здравствуйте!") -> dict:
    return {"variants": [{"id": "a", "text": text}]}


def listening(node_id, *routes, type="question", **fields) -> dict:
    return {
        "id": node_id,
        "type": type,
        "prompt": prompt(),
        "routes": list(routes),
        **fields,
    }


def end(node_id="end", outcome="refusal", **fields) -> dict:
    return {"id": node_id, "type": "end", "outcome": outcome, **fields}


def handled(to="end") -> list[dict]:
    """The no_input and no_match routes every listening node needs."""
    return [{"event": "no_input", "to": to}, {"event": "no_match", "to": to}]
