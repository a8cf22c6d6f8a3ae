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


class ContactError(EngineError):
    """The contact lacks variables the script's prompts use.

    A call is refused before it starts rather than saying a prompt with a
    hole in it, or skipping it. ``missing`` lists the variable names.
    """

    code = "contact_missing_variables"

    def __init__(self, missing):
        self.missing = sorted(missing)
        super().__init__(
            "the contact lacks variables the script uses: "
            + ", ".join(self.missing)
            + " (pass them, or give the variables a default in the script)"
        )
