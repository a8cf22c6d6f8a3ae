"""What goes into a call, what comes out of it, and what it logs.

Plain, immutable values. A transport turns what it hears into events
(``Utterance``, ``NoInput``, ``Dtmf``, ``CallerHangup``), hands them to
``Call.handle`` and carries out the actions it gets back (``Say``,
``Listen``, ``Transfer``, ``HangUp``) in order.
"""

from dataclasses import dataclass, field

# The kinds of ``LogEvent``; ``runtime.models.CallEvent.Kind`` stores them.
NODE_ENTERED = "node_entered"
PROMPT_PLAYED = "prompt_played"
UTTERANCE = "utterance"
NO_INPUT = "no_input"
NO_MATCH = "no_match"
DTMF = "dtmf"
HANGUP = "hangup"
TARGET_REACHED = "target_reached"
CALL_ENDED = "call_ended"


@dataclass(frozen=True, slots=True)
class Contact:
    """Who is called: the phone, the segment that picks prompt variants,
    and the variables the templates use."""

    phone: str = ""
    segment: str = ""
    variables: dict = field(default_factory=dict)


# Events in.


@dataclass(frozen=True, slots=True)
class Utterance:
    """What the caller said, as recognised; ``confidence`` is the ASR's."""

    text: str
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class NoInput:
    """The caller said nothing within the ``Listen`` timeout."""


@dataclass(frozen=True, slots=True)
class Dtmf:
    digit: str


@dataclass(frozen=True, slots=True)
class CallerHangup:
    """The caller hung up; ``heard`` is how many seconds of the prompt that
    was playing they heard, when it was ``during_prompt``.

    ``node`` names the node whose prompt was playing when it is not the
    current one: one turn can chain prompts (a ``say`` node, then the next
    node's prompt), and a caller who hangs up during the first is lost
    there, not at the node the call has already moved on to.
    """

    during_prompt: bool = False
    heard: float | None = None
    node: str | None = None


# Actions out.


@dataclass(frozen=True, slots=True)
class Say:
    node: str
    text: str
    variant: str
    barge_in: bool
    audio: str | None


@dataclass(frozen=True, slots=True)
class Listen:
    node: str
    timeout: float
    endpoint_silence: float


@dataclass(frozen=True, slots=True)
class Transfer:
    """Send the call to ``target`` (an operator queue); the call has ended.

    ``summary`` is the rendered operator summary; ``context`` is what the
    engine knows of the call (see ``Call.context``).
    """

    node: str
    target: str
    summary: str
    context: dict


@dataclass(frozen=True, slots=True)
class HangUp:
    """End the call with ``outcome``; ``context`` is as for ``Transfer``."""

    node: str
    outcome: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LogEvent:
    """One fact of a call; ``offset`` is seconds since the call started."""

    kind: str
    node: str | None
    offset: float
    data: dict
