"""Prompt templates: Jinja2 rendered in a sandbox from contact variables."""

from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, meta
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Variables every call provides, beside those a script declares.
BUILTIN_VARIABLES = frozenset(
    {"phone", "segment", "call_id", "callback_time", "last_utterance", "intents_heard"}
)

_env = ImmutableSandboxedEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)


class TemplateError(ValueError):
    """A prompt template that does not compile or cannot be rendered."""


def check_template(source: str) -> set[str]:
    """Compile ``source`` and return the variable names it uses.

    Raises ``TemplateError`` with the line and reason when it does not
    compile.
    """
    try:
        ast = _env.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None
    return set(meta.find_undeclared_variables(ast))


@lru_cache(maxsize=4096)
def _compiled(source: str):
    try:
        return _env.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None


def render_template(source: str, context: dict) -> str:
    """Render ``source`` with ``context``; unknown names are an error."""
    try:
        text = _compiled(source).render(context)
    except UndefinedError as exc:
        raise TemplateError(str(exc)) from None
    except SecurityError as exc:
        raise TemplateError(f"not allowed in a prompt: {exc}") from None
    except TemplateError:
        raise
    except Exception as exc:  # a filter failing on a value, a bad operand…
        raise TemplateError(f"{type(exc).__name__}: {exc}") from None
    return " ".join(text.split())
