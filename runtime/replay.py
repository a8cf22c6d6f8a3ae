"""Replay of a recorded call through the dialog engine, in virtual time.

No real waiting happens: a prompt lasts as long as its audio or an
estimate from its text, and the recording's clock is advanced to each
point where something happens. Plain Python: the caller brings the
compiled script, the decoded audio and the recogniser, and stores the
result.

Rules:

- Speech that starts during a prompt that allows barge-in interrupts it;
  during one that does not, the utterance is taken when the prompt ends.
- Speech segments closer together than the current node's
  ``endpoint_silence`` form one utterance.
- Silence longer than the node's ``no_input_timeout`` after the prompts is
  ``no_input``.
- The end of the recording is the caller hanging up.
"""

import re
from dataclasses import dataclass, field

import soundfile

from runtime.audio.vad import Span, find_utterances
from runtime.engine import (
    CallerHangup,
    HangUp,
    Listen,
    NoInput,
    Say,
    Transfer,
    Utterance,
)

# Speaking rate used to estimate how long a prompt without audio lasts.
CHARS_PER_SECOND = 14.0
PROMPT_PADDING = 0.3
# The VAD splits speech at pauses this short; segments are then joined into
# utterances where the node's endpoint silence says so.
RAW_MIN_SILENCE = 0.25
# 8 kHz telephone audio, upsampled for the VAD model, scores lower than
# wide-band speech: at the model's usual 0.5 quiet word onsets are lost.
VAD_THRESHOLD = 0.4
VAD_PAD = 0.2


def estimate_prompt_seconds(text: str) -> float:
    letters = len(re.sub(r"\s+", " ", text.strip()))
    return round(PROMPT_PADDING + letters / CHARS_PER_SECOND, 3)


def _prompt_seconds(say: Say, recordings) -> float:
    path = recordings.path_of(say.audio) if recordings and say.audio else None
    if path is not None:
        try:
            return soundfile.info(str(path)).duration
        except (soundfile.LibsndfileError, RuntimeError, EOFError):
            pass
    return estimate_prompt_seconds(say.text)


@dataclass
class PlayedPrompt:
    node: str
    variant: str
    text: str
    start: float
    end: float
    barge_in: bool
    interrupted: bool = False

    def as_dict(self) -> dict:
        return {
            "node": self.node,
            "variant": self.variant,
            "text": self.text,
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "interrupted": self.interrupted,
        }


@dataclass
class Turn:
    start: float
    end: float
    text: str
    intent: str | None
    confidence: float
    node: str
    barge_in: bool = False

    def as_dict(self) -> dict:
        return {
            "start": round(self.start, 2),
            "end": round(self.end, 2),
            "text": self.text,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "node": self.node,
            "barge_in": self.barge_in,
        }


@dataclass
class ReplayResult:
    call: object
    duration: float
    prompts: list[PlayedPrompt] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    no_inputs: list[tuple[float, str]] = field(default_factory=list)
    hangup_at: float | None = None
    end_offset: float = 0.0
    log: list = field(default_factory=list)

    @property
    def outcome(self) -> str | None:
        return self.call.outcome


class VirtualClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _merge_utterance(spans: list[Span], first: int, endpoint_silence: float) -> int:
    """Index one past the last span joined to ``spans[first]``."""
    last = first
    while last + 1 < len(spans) and spans[last + 1].start - spans[last].end < endpoint_silence:
        last += 1
    return last + 1


def replay_recording(
    compiled,
    audio,
    recognizer,
    *,
    call_id: str,
    contact,
    language: str,
    recordings=None,
    max_turns: int = 200,
) -> ReplayResult:
    """Run ``compiled`` against ``audio`` (a ``runtime.audio.formats.Audio``).

    ``recordings`` (a ``runtime.speech.RecordedPrompts``) finds the audio a
    variant plays, so that its prompt lasts as long as the recording; a
    prompt without one lasts as long as its text would take to say.
    """
    clock = VirtualClock()
    call = compiled.start_call(call_id=call_id, contact=contact, clock=clock)
    spans = find_utterances(
        audio, min_silence=RAW_MIN_SILENCE, threshold=VAD_THRESHOLD, pad=VAD_PAD
    )
    result = ReplayResult(call=call, duration=audio.duration)

    next_span = 0
    actions = call.start()
    for _ in range(max_turns):
        result.log.extend(call.drain_log())

        # Lay out the prompts from the current time on.
        played = []
        listen = None
        for action in actions:
            if isinstance(action, Say):
                seconds = _prompt_seconds(action, recordings)
                played.append(
                    PlayedPrompt(
                        node=action.node,
                        variant=action.variant,
                        text=action.text,
                        start=clock.now,
                        end=clock.now + seconds,
                        barge_in=action.barge_in,
                    )
                )
                clock.now += seconds
            elif isinstance(action, Listen):
                listen = action
        result.prompts.extend(played)
        if call.finished or any(isinstance(a, (HangUp, Transfer)) for a in actions):
            result.end_offset = clock.now
            break

        prompts_end = clock.now
        timeout = listen.timeout if listen else 5.0
        endpoint = listen.endpoint_silence if listen else 0.8
        upcoming = spans[next_span] if next_span < len(spans) else None

        if upcoming is None or upcoming.start >= prompts_end + timeout:
            # Nothing said in time: silence, unless the recording ends first.
            if audio.duration < prompts_end + timeout:
                actions = _hang_up(call, clock, played, audio.duration, result)
                continue
            clock.now = prompts_end + timeout
            result.no_inputs.append((clock.now, call.node))
            actions = call.handle(NoInput())
            continue

        # The caller speaks.
        stop = _merge_utterance(spans, next_span, endpoint)
        start, end = spans[next_span].start, spans[stop - 1].end
        next_span = stop
        barge_in = False
        interrupted = next((p for p in played if p.start <= start < p.end), None)
        if interrupted is not None and interrupted.barge_in:
            barge_in = True
            _cut(interrupted, start, played, result)
            clock.now = end
        else:
            clock.now = max(end, prompts_end)

        first = int(start * audio.sample_rate)
        last = int(end * audio.sample_rate)
        transcript = recognizer.transcribe(audio.samples[first:last], language=language)
        node = call.node
        actions = call.handle(Utterance(transcript.text, transcript.confidence))
        heard = [e for e in call.log if e.kind == "utterance"]
        intent = heard[-1].data.get("intent") if heard else None
        confidence = heard[-1].data.get("confidence", 0.0) if heard else 0.0
        result.turns.append(
            Turn(
                start=start,
                end=end,
                text=transcript.text,
                intent=intent,
                confidence=confidence or 0.0,
                node=node,
                barge_in=barge_in,
            )
        )
    else:
        raise RuntimeError(f"replay of {call_id} did not end within {max_turns} turns")

    result.log.extend(call.drain_log())
    return result


def _cut(prompt, at, played, result):
    """``prompt`` stops at ``at``; the prompts queued after it never play."""
    prompt.interrupted = True
    prompt.end = at
    for later in played[played.index(prompt) + 1 :]:
        result.prompts.remove(later)


def _hang_up(call, clock, played, at, result):
    """The recording ended: the caller hung up at ``at`` seconds."""
    during = next((p for p in played if p.start <= at < p.end), None)
    clock.now = at
    result.hangup_at = at
    if during is not None:
        heard = round(at - during.start, 3)
        _cut(during, at, played, result)
        actions = call.handle(
            CallerHangup(during_prompt=True, heard=heard, node=during.node)
        )
    else:
        actions = call.handle(CallerHangup(during_prompt=False))
    result.end_offset = at
    return actions
