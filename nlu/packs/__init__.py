"""Built-in intent packs: example phrases for outbound calls, per language.

Each language module (``ru``, ``en``) holds ``EXAMPLES``, a dict from every
id of ``BUILTIN_INTENTS`` to a tuple of example phrases. The examples are
written as a caller would say them or as a transcript would spell them;
``nlu.normalize`` evens out case, punctuation and numbers, so the packs need
not repeat those variants.
"""

from importlib import import_module

from nlu.languages import require_language

BUILTIN_INTENTS: tuple[str, ...] = (
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


def load_pack(language: str) -> dict[str, list[str]]:
    """Return a fresh copy of the built-in examples of ``language``.

    The dict has one key per id of ``BUILTIN_INTENTS``, in that order.
    Raises ``UnknownLanguage`` (a ``ValueError``) for a language with no pack.
    """
    require_language(language)
    examples = import_module(f"nlu.packs.{language}").EXAMPLES
    return {intent: list(examples[intent]) for intent in BUILTIN_INTENTS}


def phrases(block: str) -> tuple[str, ...]:
    """The non-blank lines of ``block``, stripped: one example per line."""
    return tuple(line.strip() for line in block.splitlines() if line.strip())
