"""A test harness: one call of a script, driven turn by turn.

For the engine's own tests and for anyone who writes a script and wants
to pin its behaviour down::

    h = ScriptHarness(document, segment="active", variables={"name": "Анна"})
    h.start()
    assert h.say("да") == [Say("offer", "...", "a", True, None), Listen(...)]
    h.silence(); h.press("1")
    assert h.outcome == "transfer"

Time is virtual and stands still unless ``advance()`` moves it, so log
offsets are exact. ``document`` may also be a ``CompiledScript``, to run
many calls of one script without compiling it each time.
"""

from .compiler import CompiledScript, compile_script
from .messages import (
    CallerHangup,
    Contact,
    Dtmf,
    HangUp,
    Listen,
    NoInput,
    Say,
    Transfer,
    Utterance,
)


class VirtualClock:
    def __init__(self, now: float = 0.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


class ScriptHarness:
    def __init__(
        self,
        document,
        *,
        segment: str = "",
        variables: dict | None = None,
        phone: str = "",
        call_id: str = "harness-call",
        matcher=None,
    ):
        if isinstance(document, CompiledScript):
            self.script = document
        else:
            self.script = compile_script(document, matcher=matcher)
        self.clock = VirtualClock()
        self.contact = Contact(
            phone=phone, segment=segment, variables=dict(variables or {})
        )
        self.call = self.script.start_call(
            call_id=call_id, contact=self.contact, clock=self.clock
        )
        self.actions = []  # every action of the call, in order
        self.last = []  # the actions of the latest turn

    # Turns.

    def start(self) -> list:
        return self._took(self.call.start())

    def say(self, text: str, confidence: float = 1.0) -> list:
        return self._took(self.call.handle(Utterance(text, confidence)))

    def silence(self) -> list:
        return self._took(self.call.handle(NoInput()))

    def press(self, digit: str) -> list:
        return self._took(self.call.handle(Dtmf(str(digit))))

    def hang_up(
        self, *, during_prompt: bool = False, heard: float | None = None
    ) -> list:
        return self._took(self.call.handle(CallerHangup(during_prompt, heard)))

    def run(self, *turns) -> list:
        """Play several turns: a string is said, ``None`` is silence, an
        event (``Dtmf("1")``, ``Utterance(...)``) is handed over as it is.
        Returns the actions of the last turn."""
        for turn in turns:
            if turn is None:
                self.silence()
            elif isinstance(turn, str):
                self.say(turn)
            else:
                self._took(self.call.handle(turn))
        return self.last

    def advance(self, seconds: float) -> None:
        """Move the call's clock on."""
        self.clock.now += seconds

    def _took(self, actions: list) -> list:
        self.last = actions
        self.actions.extend(actions)
        return actions

    # What happened.

    @property
    def prompts(self) -> list[str]:
        """The texts the robot said, in order."""
        return [a.text for a in self.actions if isinstance(a, Say)]

    @property
    def said(self) -> list[str]:
        """The texts the robot said in the latest turn."""
        return [a.text for a in self.last if isinstance(a, Say)]

    @property
    def listening(self) -> Listen | None:
        """The ``Listen`` the latest turn ended with, if any."""
        return next((a for a in reversed(self.last) if isinstance(a, Listen)), None)

    @property
    def ending(self) -> Transfer | HangUp | None:
        """The ``Transfer`` or ``HangUp`` that ended the call, if any."""
        return next(
            (a for a in reversed(self.actions) if isinstance(a, (Transfer, HangUp))),
            None,
        )

    @property
    def node(self) -> str | None:
        return self.call.node

    @property
    def outcome(self) -> str | None:
        return self.call.outcome

    @property
    def finished(self) -> bool:
        return self.call.finished

    @property
    def path(self) -> list[str]:
        return self.call.path

    @property
    def variant_choices(self) -> dict:
        return self.call.variant_choices

    @property
    def log(self) -> list:
        return self.call.log

    def events(self, kind: str) -> list:
        """The logged events of one kind, in order."""
        return [e for e in self.call.log if e.kind == kind]
