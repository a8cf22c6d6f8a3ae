"""Text-mode calls: the caller's turns are given as text, silence or digits.

Used by ``simulate_calls`` (many calls from a file), ``chat`` (a writer in
the terminal) and tests. Time is virtual: each prompt lasts as long as the
estimate from its text, each answer one second after the prompts end.
Plain Python, like the engine.
"""

from dataclasses import dataclass

from runtime.engine import CallerHangup, Dtmf, NoInput, Say, Utterance
from runtime.replay import VirtualClock, estimate_prompt_seconds

ANSWER_SECONDS = 1.0


class TurnError(ValueError):
    """A simulated turn that is not text, null (silence) or {"dtmf": "1"}."""


def parse_turn(turn):
    """The engine event for one simulated turn."""
    if turn is None:
        return NoInput()
    if isinstance(turn, str):
        return Utterance(turn, 1.0)
    if isinstance(turn, dict) and set(turn) == {"dtmf"}:
        digit = str(turn["dtmf"])
        if len(digit) != 1 or digit not in "0123456789*#ABCD":
            raise TurnError(f"not a DTMF digit: {turn['dtmf']!r}")
        return Dtmf(digit)
    raise TurnError(
        f"a turn is a string, null (silence) or {{\"dtmf\": \"1\"}}, not {turn!r}"
    )


@dataclass
class TextCall:
    call: object
    prompts: int
    end_offset: float


def run_text_call(
    compiled, *, call_id: str, contact, turns, hangup_after: int | None = None
) -> TextCall:
    """Play ``turns`` against a new call of ``compiled`` until it ends.

    ``hangup_after=k`` hangs up during the k-th robot prompt (from 1), after
    half of it, unless that prompt is the farewell of a call that has
    already ended. A caller who runs out of turns while the robot listens
    hangs up then.
    """
    events = [parse_turn(t) for t in turns]
    clock = VirtualClock()
    call = compiled.start_call(call_id=call_id, contact=contact, clock=clock)
    prompts = 0

    def play(actions):
        nonlocal prompts
        for action in actions:
            if not isinstance(action, Say):
                continue
            prompts += 1
            seconds = estimate_prompt_seconds(action.text)
            # A hang-up during the farewell of a call that has already ended
            # changes nothing: its outcome was decided before the prompt.
            if hangup_after == prompts and not call.finished:
                clock.now += seconds / 2
                return call.handle(
                    CallerHangup(
                        during_prompt=True,
                        heard=round(seconds / 2, 3),
                        node=action.node,
                    )
                )
            clock.now += seconds
        return None

    actions = call.start()
    hung_up = play(actions)
    pending = iter(events)
    while not call.finished and hung_up is None:
        event = next(pending, None)
        if event is None:
            call.handle(CallerHangup(during_prompt=False))
            break
        clock.now += ANSWER_SECONDS
        hung_up = play(call.handle(event))
    return TextCall(call=call, prompts=prompts, end_offset=clock.now)
