"""The engine's errors.

A script the engine cannot run fails when it is compiled, never in the
middle of a call. During a call, only misuse by the code that drives it
(an event after the end, an unknown event) and a loop the validator
should have caught raise.
"""


class EngineError(Exception):
    code = "engine_error"


class ScriptCompileError(EngineError):
    """The document cannot be run; ``problems`` lists every reason."""

    code = "script_compile_error"

    def __init__(self, problems):
        self.problems = list(problems)
        listed = "; ".join(self.problems)
        super().__init__(f"the script cannot be run: {listed}")


class CallNotStarted(EngineError):
    code = "call_not_started"


class CallEnded(EngineError):
    """An event was handed to a call that has already ended."""

    code = "call_ended"


class ScriptLoopError(EngineError):
    """One turn entered more nodes than the script has: a loop of say
    nodes. The call is ended without an outcome."""

    code = "script_loop"
