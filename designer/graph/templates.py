"""Prompt templates: Jinja2 rendered in a sandbox from contact variables."""

import math
import operator
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import ImmutableSandboxedEnvironment

# Variables every call provides, beside those a script declares.
BUILTIN_VARIABLES = frozenset(
    {"phone", "segment", "call_id", "callback_time", "last_utterance", "intents_heard"}
)

# The most characters a template renders to; also the longest string or
# list that '*' may build inside one.
MAX_LENGTH = 2000
# The largest integer (in bits) that '*' and '**' may compute: well past
# any number a prompt says, far below one that takes seconds to build.
MAX_INT_BITS = 8000
# Rendering stops once the raw output (before whitespace is collapsed)
# passes this, so that a loop cannot build megabytes first.
_MAX_RAW_LENGTH = 4 * MAX_LENGTH

_SEQUENCES = (str, list, tuple)


class TemplateError(ValueError):
    """A prompt template that does not compile or cannot be rendered."""


def _int_bits(value) -> int:
    return abs(value).bit_length() if isinstance(value, int) else 0


def _check_product(left, right) -> None:
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, _SEQUENCES) and isinstance(count, int):
            if len(seq) * max(count, 0) > MAX_LENGTH:
                what = "characters" if isinstance(seq, str) else "items"
                raise SecurityError(
                    f"'*' would make {len(seq) * count} {what}; "
                    f"the limit is {MAX_LENGTH}"
                )
            return
    if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
        raise SecurityError("'*' would make a number too large to say")


def _check_power(base, exponent) -> None:
    if not isinstance(base, int) or not isinstance(exponent, int):
        return  # floats overflow with an error of their own
    if abs(base) < 2 or exponent <= 0:
        return
    if exponent * math.log2(abs(base)) > MAX_INT_BITS:
        raise SecurityError("'**' would make a number too large to say")


class PromptEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox, refusing '*' and '**' results too large to say.

    Intercepting the operators also stops Jinja from folding constant
    expressions such as ``'x' * 100000000`` while it compiles.
    """

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, op, left, right):
        if op == "*":
            _check_product(left, right)
            return operator.mul(left, right)
        if op == "**":
            _check_power(left, right)
            return operator.pow(left, right)
        return super().call_binop(context, op, left, right)


# The most items ``range`` gives inside a prompt.
MAX_RANGE = 1000


def _prompt_range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SecurityError(f"range() of {len(numbers)} items; the limit is {MAX_RANGE}")
    return numbers


_env = PromptEnvironment(
    undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
)
_env.globals["range"] = _prompt_range

# Tags that read other templates: a prompt has none to read.
_OTHER_TEMPLATES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


def _parse(source: str):
    """The checked syntax tree of ``source``.

    Rendering has no clock, so what could run for long is refused here,
    before it runs: a loop inside a loop, a recursive loop, macros (a macro
    called in a loop is a loop inside a loop), and number arguments to
    functions and filters past ``MAX_LENGTH`` (``center(100000000)``).
    """
    try:
        ast = _env.parse(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None
    for node in ast.find_all(_OTHER_TEMPLATES):
        raise TemplateError(
            f"line {node.lineno}: a prompt cannot include, import or extend "
            "other templates"
        )
    for node in ast.find_all((nodes.Macro, nodes.CallBlock)):
        raise TemplateError(f"line {node.lineno}: a prompt cannot define macros")
    for loop in ast.find_all(nodes.For):
        if loop.recursive:
            raise TemplateError(f"line {loop.lineno}: a prompt cannot loop recursively")
        for nested in loop.find_all(nodes.For):
            raise TemplateError(
                f"line {nested.lineno}: a prompt cannot nest one loop in another"
            )
    for call in ast.find_all((nodes.Call, nodes.Filter)):
        for arg in (*call.args, *(kw.value for kw in call.kwargs)):
            if isinstance(arg, nodes.Const) and isinstance(arg.value, (int, float)):
                if abs(arg.value) > MAX_LENGTH:
                    raise TemplateError(
                        f"line {call.lineno}: the number {arg.value} is too large "
                        f"for a prompt (at most {MAX_LENGTH})"
                    )
    return ast


def check_template(source: str) -> set[str]:
    """Compile ``source`` and return the variable names it uses.

    Raises ``TemplateError`` with the line and reason when it does not
    compile, or when it could run for long (see ``_parse``).
    """
    return set(meta.find_undeclared_variables(_parse(source)))


@lru_cache(maxsize=4096)
def _compiled(source: str):
    _parse(source)
    try:
        return _env.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateError(f"line {exc.lineno}: {exc.message}") from None


def render_template(source: str, context: dict) -> str:
    """Render ``source`` with ``context``; unknown names are an error.

    The text is at most ``MAX_LENGTH`` characters once its whitespace is
    collapsed; a longer one is a ``TemplateError``.
    """
    template = _compiled(source)
    chunks, size = [], 0
    try:
        for chunk in template.generate(context):
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_RAW_LENGTH:
                raise TemplateError(
                    f"prompt renders to more than {_MAX_RAW_LENGTH} characters; "
                    f"the limit is {MAX_LENGTH}"
                )
    except UndefinedError as exc:
        raise TemplateError(str(exc)) from None
    except SecurityError as exc:
        raise TemplateError(f"not allowed in a prompt: {exc}") from None
    except TemplateError:
        raise
    except Exception as exc:  # a filter failing on a value, a bad operand…
        raise TemplateError(f"{type(exc).__name__}: {exc}") from None

    text = " ".join("".join(chunks).split())
    if len(text) > MAX_LENGTH:
        raise TemplateError(
            f"prompt renders to {len(text)} characters; the limit is {MAX_LENGTH}"
        )
    return text
