"""The call pipeline: audio in, the dialog engine, prompt audio out.

Plain asyncio; it imports neither Django nor Channels. A transport builds
a ``CallPipeline`` with a sink (where audio and control messages go), a
transcriber (``async transcribe(samples_16k, language=)``), the speech
output and a call log, then feeds it frames, digits and the hang-up.

Everything that changes the call's state happens in one task, in the order
it was queued: the transport's input, the end of a prompt, a transcript, a
timer. Voice activity detection runs inline as frames arrive (a fraction
of a millisecond per 32 ms window); recognition and synthesis run off the
event loop.

Rules, as in ``runtime.replay``:

- Speech that goes on for ``BARGE_IN_SECONDS`` during a prompt that allows
  barge-in stops the prompt at once (``clear``); the utterance is handled
  when it ends. A shorter one is recognised first: a backchannel («угу»,
  «да-да», "mhm"), or a short sound recognised with a confidence below
  ``BACKCHANNEL_CONFIDENCE``, leaves the prompt playing; anything else
  interrupts it. An utterance is judged by whether it began during a
  prompt, even if the prompt has ended by the time it is recognised.
- During a prompt that does not allow barge-in, what the caller says is
  taken when the prompts end.
- Silence of the node's ``no_input_timeout`` after the prompts is
  ``NoInput``; speech of the node's ``endpoint_silence`` ends an utterance.
- A digit stops the prompt and goes to the engine.
- The caller hanging up (or vanishing) is logged with the prompt they were
  hearing and how many seconds of it they heard.
"""

import asyncio
import logging
import re
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from runtime.engine import (
    CallerHangup,
    Dtmf,
    HangUp,
    Listen,
    NoInput,
    Say,
    Transfer,
    Utterance,
)
from runtime.live.audio import FRAME_SECONDS, AudioFormat, to_16k
from runtime.live.vad import SpeechEnded, SpeechStarted, StreamingVad

logger = logging.getLogger("outcall.live")

BARGE_IN_SECONDS = 0.8
# A short sound during a prompt that ASR is this unsure of (a murmur, a
# cough, «угу» heard as anything) does not interrupt it either.
BACKCHANNEL_CONFIDENCE = 0.5
# Audio kept before the VAD's start of speech, so ASR hears the onset.
PRE_ROLL = 0.3
DEFAULT_NO_INPUT = 5.0
DEFAULT_ENDPOINT = 0.8

_BACKCHANNEL_WORDS = {
    "ru": {"угу", "ага", "мгм", "ммм", "мм", "хм", "ну", "так", "да", "ясно", "понятно"},
    "en": {"mhm", "mm", "hmm", "uh", "huh", "yeah", "yep", "ok", "okay", "right",
           "mmhmm", "uhhuh", "hm", "yes", "sure", "i", "see"},
}
# A lone «да» or "yes" answers the question; repeated, it is a backchannel.
_ANSWERS = {"да", "yes", "yeah", "ok", "okay", "sure", "i", "see", "ну", "так", "right"}


def is_backchannel(text: str, language: str) -> bool:
    """Whether ``text`` is only a listener's signal: «угу», «да-да», "mhm"."""
    words = re.findall(r"\w+", text.lower().replace("ё", "е"))
    if not words or len(words) > 3:
        return False
    vocabulary = _BACKCHANNEL_WORDS.get(language, set()) | _BACKCHANNEL_WORDS["en"]
    if any(word not in vocabulary for word in words):
        return False
    return not (len(words) == 1 and words[0] in _ANSWERS)


@dataclass
class CallStats:
    """What a call measured about itself."""

    frames: int = 0
    frame_lag: list = field(default_factory=list)  # seconds behind real time
    playback_lag: list = field(default_factory=list)  # prompt frames sent late
    turn_latency: list = field(default_factory=list)  # end of speech → answer
    # The same turns' latency less their recognition time: the pipeline's own
    # share (the engine, synthesis, the first frame out).
    turn_overhead: list = field(default_factory=list)
    asr_seconds: list = field(default_factory=list)  # sent to ASR → transcript
    decode_seconds: list = field(default_factory=list)  # the model's own share

    def as_dict(self) -> dict:
        def ms(values, q):
            return round(float(np.percentile(values, q)) * 1000, 1) if values else None

        return {
            "frames": self.frames,
            "frame_lag_p95_ms": ms(self.frame_lag, 95),
            "frame_lag_max_ms": ms(self.frame_lag, 100),
            "playback_lag_p95_ms": ms(self.playback_lag, 95),
            "turn_latency_ms": [round(v * 1000, 1) for v in self.turn_latency],
            "turn_overhead_ms": [round(v * 1000, 1) for v in self.turn_overhead],
            "asr_ms": [round(v * 1000, 1) for v in self.asr_seconds],
            "decode_ms": [round(v * 1000, 1) for v in self.decode_seconds],
        }


@dataclass
class _Playing:
    say: Say
    started: float
    duration: float


@dataclass
class _Heard:
    """A finished utterance of the caller, before or after recognition."""

    start: float
    end: float
    during_prompt: bool
    barged: bool
    text: str = ""
    confidence: float = 0.0
    ended_at: float = 0.0  # loop time the endpointing ended the utterance
    asr_seconds: float = 0.0


class CallPipeline:
    """One live call. Use ``start()``, then ``feed_audio``, ``dtmf``,
    ``hangup``; ``done`` is set once the call has ended and been logged."""

    def __init__(
        self,
        *,
        compiled,
        call_id: str,
        contact,
        language: str,
        audio_format: AudioFormat,
        sink,
        transcriber,
        speech,
        log,
        monitor: bool = False,
    ):
        self.call_id = call_id
        self.language = language
        self.format = audio_format
        self.sink = sink
        self.transcriber = transcriber
        self.speech = speech
        self.log = log
        self.monitor = monitor
        self.stats = CallStats()

        self._loop = asyncio.get_running_loop()
        self._t0 = self._loop.time()
        self.call = compiled.start_call(call_id=call_id, contact=contact, clock=self.clock)
        self._inbox = asyncio.Queue()
        self._vad = StreamingVad(endpoint_silence=DEFAULT_ENDPOINT)
        self._recent = deque()  # (first sample index, samples) at the call's rate
        self._samples_in = 0
        self._first_frame_at = None

        self._queue = []  # Say actions waiting to be played
        self._player = None
        self._playing = None
        self._listen = None
        self._ending = None
        self._pending = None  # an utterance waiting for a prompt to end
        self._barged = False
        self._began_in_prompt = False
        self._no_input = None
        self._answering = None  # the utterance whose answer is being prepared
        self._runner = None
        self._tasks = set()
        self._caller_gone = False
        self._vanished = False
        self._opened = False
        self._opening = False
        self.ended = False
        self.done = asyncio.Event()

    def clock(self) -> float:
        return self._loop.time() - self._t0

    # The transport's side.

    async def open(self) -> None:
        """Open the call's log. If that fails the call has ended (``done``
        is set, nothing is logged or sent) and the error is raised."""
        if self._opened or self._opening:
            return
        self._opening = True
        try:
            await self.log.open()
        except BaseException:
            self.ended = True
            self._caller_gone = True
            self.done.set()
            raise
        finally:
            self._opening = False
        self._opened = True
        if self._caller_gone and self._runner is None:
            # Hung up while the log was opening: closed in the log as such.
            self._runner = asyncio.create_task(self._run(), name=f"call {self.call_id}")

    async def start(self) -> None:
        """Open the log (if ``open()`` was not called) and begin the call."""
        await self.open()
        if self.ended or self._runner is not None:
            return  # hung up between opening the log and starting
        self._runner = asyncio.create_task(self._run(), name=f"call {self.call_id}")
        self._inbox.put_nowait(("start",))

    def feed_audio(self, frame: bytes) -> None:
        """One 20 ms frame in the call's format, as it arrives."""
        if self.ended:
            return
        now = self._loop.time()
        if self._first_frame_at is None:
            self._first_frame_at = now
        samples = self.format.decode(frame)
        self._recent.append((self._samples_in, samples))
        self._samples_in += len(samples)
        self.stats.frames += 1
        if not self._vad.speaking:
            keep = int(PRE_ROLL / FRAME_SECONDS) + 2
            while len(self._recent) > keep:
                self._recent.popleft()

        for event in self._vad.feed(to_16k(samples, self.format.sample_rate)):
            if isinstance(event, SpeechStarted):
                self._inbox.put_nowait(("speech_started",))
            elif isinstance(event, SpeechEnded):
                self._inbox.put_nowait(("speech_ended", event, self._cut(event)))
        if (
            self._vad.speaking
            and self._vad.speech_seconds() >= BARGE_IN_SECONDS
            and self._playing is not None
            and self._playing.say.barge_in
            and not self._barged
        ):
            self._barged = True
            self._inbox.put_nowait(("barge_in",))

        expected = self._first_frame_at + (self.stats.frames - 1) * FRAME_SECONDS
        self.stats.frame_lag.append(max(0.0, self._loop.time() - expected))

    def dtmf(self, digit: str) -> None:
        if not self.ended:
            self._inbox.put_nowait(("dtmf", digit))

    def hangup(self, *, vanished: bool = False) -> None:
        """The caller hung up, or the connection was lost (``vanished``)."""
        self._caller_gone = True
        self._vanished = self._vanished or vanished
        if self.ended:
            return
        if not self._opened and not self._opening:
            # Nothing was logged or said: the call never began.
            self.ended = True
            self.done.set()
            return
        self._inbox.put_nowait(("hangup", vanished))
        if self._opened and self._runner is None:
            # Logged but not started: the call is closed in the log as hung up.
            self._runner = asyncio.create_task(self._run(), name=f"call {self.call_id}")

    async def wait_closed(self) -> None:
        await self.done.wait()

    # The call's own task.

    async def _run(self) -> None:
        try:
            while not self.ended:
                message = await self._inbox.get()
                await getattr(self, f"_on_{message[0]}")(*message[1:])
        except asyncio.CancelledError:
            if not self.ended:
                await self._end(None, reason="cancelled")
            raise
        except Exception:
            logger.exception("%s: the call failed; ending it", self.call_id)
            await self._end(None, reason="error")
        finally:
            self.done.set()

    async def _on_start(self):
        await self._act(self.call.start())

    async def _on_speech_started(self):
        self._cancel_no_input()
        self._began_in_prompt = self._playing is not None

    async def _on_barge_in(self):
        if self._playing is not None and self._playing.say.barge_in:
            logger.debug("%s: barge-in at %s", self.call_id, self._playing.say.node)
            await self._stop_playback()

    async def _on_speech_ended(self, span, samples):
        heard = _Heard(
            start=span.start,
            end=span.end,
            during_prompt=self._began_in_prompt or self._playing is not None,
            barged=self._barged and self._playing is None,
            ended_at=self._loop.time(),
        )
        self._barged = False
        task = asyncio.create_task(self._recognise(heard, samples))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _recognise(self, heard, samples):
        started = time.perf_counter()
        try:
            transcript = await self.transcriber.transcribe(samples, language=self.language)
        except Exception as exc:
            logger.warning("%s: recognition failed (%s); the utterance is lost",
                           self.call_id, exc, exc_info=not isinstance(exc, RuntimeError))
            self._inbox.put_nowait(("transcript", heard))
            return
        heard.asr_seconds = time.perf_counter() - started
        self.stats.asr_seconds.append(heard.asr_seconds)
        self.stats.decode_seconds.append(transcript.decode_seconds)
        heard.text = transcript.text.strip()
        heard.confidence = transcript.confidence
        self._inbox.put_nowait(("transcript", heard))

    async def _on_transcript(self, heard):
        if self.monitor and heard.text:
            await self._send("send_event", {
                "type": "transcript", "text": heard.text,
                "confidence": round(heard.confidence, 3),
                "start": round(heard.start, 3), "end": round(heard.end, 3),
            })
        if not heard.text:
            self._listen_again()
            return
        if heard.during_prompt and not heard.barged:
            # Judged by where it began: the prompt may have ended since.
            if is_backchannel(heard.text, self.language) or (
                heard.end - heard.start < BARGE_IN_SECONDS
                and heard.confidence < BACKCHANNEL_CONFIDENCE
            ):
                logger.debug("%s: backchannel %r", self.call_id, heard.text)
                if self._playing is None:
                    self._listen_again()
                return
        if self._playing is not None and not heard.barged:
            if self._playing.say.barge_in:
                await self._stop_playback()
            else:
                self._pending = heard
                return
        await self._handle(Utterance(heard.text, heard.confidence), answering=heard)

    async def _on_played(self):
        self._playing = None
        self._player = None
        if self._pending is not None:
            heard, self._pending = self._pending, None
            await self._handle(Utterance(heard.text, heard.confidence))
        elif self._ending is not None:
            await self._end(self._ending)
        else:
            self._listen_again()

    async def _on_no_input(self):
        self._no_input = None
        if self._playing is None and not self._vad.speaking:
            await self._handle(NoInput())

    async def _on_dtmf(self, digit):
        self._cancel_no_input()
        if self._playing is not None or self._queue:
            await self._stop_playback()
        await self._handle(Dtmf(digit))

    async def _on_hangup(self, vanished):
        playing = self._playing
        heard = None
        if playing is not None:
            heard = round(min(self._loop.time() - playing.started, playing.duration), 3)
        await self._stop_playback(clear=False)
        if self.call.finished:
            await self._end(self._ending, reason="vanished" if vanished else "hangup")
            return
        actions = self.call.handle(
            CallerHangup(during_prompt=playing is not None, heard=heard)
        )
        await self._drain_log()
        ending = next((a for a in actions if isinstance(a, (HangUp, Transfer))), None)
        await self._end(ending, reason="vanished" if vanished else "hangup")

    # Acting on the engine.

    async def _handle(self, event, *, answering=None):
        # Turn latency is measured for an utterance answered as soon as it
        # is recognised, not for one that waited for a prompt to end.
        self._answering = answering
        if self.call.finished:
            return
        self._cancel_no_input()
        await self._act(self.call.handle(event))

    async def _act(self, actions):
        await self._drain_log()
        for action in actions:
            if isinstance(action, Say):
                self._queue.append(action)
            elif isinstance(action, Listen):
                self._listen = action
                self._vad.endpoint_silence = action.endpoint_silence
            elif isinstance(action, (HangUp, Transfer)):
                self._ending = action
        if self._queue and self._player is None:
            self._player = asyncio.create_task(self._play())
        elif self._player is None:
            if self._ending is not None:
                await self._end(self._ending)
            else:
                self._listen_again()

    async def _drain_log(self):
        events = self.call.drain_log()
        if not events:
            return
        await self.log.record(events)
        if self.monitor:
            for event in events:
                await self._send("send_event", {
                    "type": "event", "kind": event.kind, "node": event.node,
                    "offset": round(event.offset, 3), "data": event.data,
                })

    def _listen_again(self):
        self._cancel_no_input()
        if self._ending is not None or self.call.finished or self._vad.speaking:
            return
        timeout = self._listen.timeout if self._listen else DEFAULT_NO_INPUT
        self._no_input = self._loop.call_later(
            timeout, self._inbox.put_nowait, ("no_input",)
        )

    def _cancel_no_input(self):
        if self._no_input is not None:
            self._no_input.cancel()
            self._no_input = None

    # Playback.

    async def _play(self):
        try:
            while self._queue:
                say = self._queue.pop(0)
                try:
                    samples = await self.speech.render(
                        say, language=self.language, sample_rate=self.format.sample_rate
                    )
                except Exception:
                    logger.exception("%s: no audio for %s; skipped", self.call_id, say.node)
                    continue
                frames = self.format.frames(samples)
                started = self._loop.time()
                self._playing = _Playing(say, started, len(frames) * FRAME_SECONDS)
                for index, frame in enumerate(frames):
                    due = started + index * FRAME_SECONDS
                    self.stats.playback_lag.append(max(0.0, self._loop.time() - due))
                    try:
                        await self.sink.send_audio(frame)
                    except Exception as exc:
                        # The connection is gone: the caller hung up mid-prompt.
                        logger.info("%s: audio not sent (%s)", self.call_id, exc)
                        self._caller_gone = True
                        self._inbox.put_nowait(("hangup", True))
                        return
                    if index == 0 and self._answering is not None:
                        latency = self._loop.time() - self._answering.ended_at
                        self.stats.turn_latency.append(latency)
                        self.stats.turn_overhead.append(latency - self._answering.asr_seconds)
                        self._answering = None
                    delay = started + (index + 1) * FRAME_SECONDS - self._loop.time()
                    if delay > 0:
                        await asyncio.sleep(delay)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s: playback failed", self.call_id)
        self._inbox.put_nowait(("played",))

    async def _stop_playback(self, *, clear: bool = True):
        self._queue = []
        player, self._player = self._player, None
        was_playing = self._playing is not None
        self._playing = None
        if player is not None:
            player.cancel()
            try:
                await player
            except asyncio.CancelledError:
                # The player's own end, unless this task is being cancelled.
                if asyncio.current_task().cancelling():
                    raise
        if clear and was_playing:
            await self._send("send_clear")

    # The end.

    async def _end(self, ending, *, reason: str = "script"):
        if self.ended:
            return
        self.ended = True
        self._cancel_no_input()
        for task in list(self._tasks):
            task.cancel()
        if self._player is not None and self._player is not asyncio.current_task():
            self._player.cancel()
        try:
            await self._drain_log()
        except Exception:
            logger.exception("%s: the last events could not be logged", self.call_id)
        if isinstance(ending, Transfer):
            await self.log.record_transfer(ending)
        if not self._caller_gone:
            if isinstance(ending, Transfer):
                await self._send("send_transfer", ending)
            await self._send(
                "send_hangup",
                ending.node if ending else self.call.node,
                self.call.outcome or (ending.outcome if isinstance(ending, HangUp) else ""),
                self.stats.as_dict(),
            )
        try:
            await self.log.close(self.call, ended_offset=self.clock())
        except Exception:
            logger.exception("%s: the call could not be closed in the log", self.call_id)
        logger.info(
            "%s: ended (%s) outcome=%s node=%s", self.call_id, reason,
            self.call.outcome, self.call.node,
        )
        if not self._vanished:
            await self._send("close")

    async def _send(self, method, *args):
        """A message to the transport; a vanished caller is not an error."""
        try:
            await getattr(self.sink, method)(*args)
        except Exception as exc:
            if not self._caller_gone:
                logger.warning("%s: %s failed: %s", self.call_id, method, exc)
            self._caller_gone = True

    def _cut(self, span) -> np.ndarray:
        """The utterance's audio at 16 kHz, as one signal for ASR."""
        from runtime.live.audio import int16_at

        rate = self.format.sample_rate
        first = int(max(0.0, span.start - PRE_ROLL / 3) * rate)
        last = int((span.end + 0.1) * rate)
        parts = []
        for start, samples in self._recent:
            end = start + len(samples)
            if end <= first or start >= last:
                continue
            parts.append(samples[max(0, first - start) : min(len(samples), last - start)])
        if not parts:
            return np.zeros(0, dtype=np.float32)
        audio = np.concatenate(parts)
        if rate == 16000:
            return audio
        pcm = np.clip(np.round(audio * 32767.0), -32768, 32767).astype(np.int16)
        return int16_at(pcm, rate, 16000).astype(np.float32) / 32768.0
