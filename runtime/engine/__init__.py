"""The dialog engine: compile a script version, run its calls.

Plain Python (no Django, no Channels), so it runs the same in a live call,
a replay and a text simulation. See ``docs/engine.md``.

    script = compile_script(version.document)
    call = script.start_call(call_id="c-1", contact=Contact(segment="active"))
    actions = call.start()                  # [Say(...), Listen(...)]
    actions = call.handle(Utterance("да"))  # ...
    events = call.drain_log()               # for the event log
"""

from .call import HOLD_ON_TIMEOUT, Call
from .compiler import MIN_ASR_CONFIDENCE, CompiledScript, compile_script
from .errors import (
    CallEnded,
    CallNotStarted,
    ContactError,
    EngineError,
    ScriptCompileError,
    ScriptLoopError,
)
from .messages import (
    CallerHangup,
    Contact,
    Dtmf,
    HangUp,
    Listen,
    LogEvent,
    NoInput,
    Say,
    Transfer,
    Utterance,
)

__all__ = [
    "HOLD_ON_TIMEOUT",
    "MIN_ASR_CONFIDENCE",
    "Call",
    "CallEnded",
    "CallNotStarted",
    "CallerHangup",
    "CompiledScript",
    "Contact",
    "ContactError",
    "Dtmf",
    "EngineError",
    "HangUp",
    "Listen",
    "LogEvent",
    "NoInput",
    "Say",
    "ScriptCompileError",
    "ScriptLoopError",
    "Transfer",
    "Utterance",
    "compile_script",
]
