"""The live VAD on real speech and on a telephone line's noise."""

import numpy as np
import pytest

from runtime.audio.formats import read_audio
from runtime.audio.vad import find_utterances
from runtime.live.vad import WINDOW, SpeechEnded, SpeechStarted, StreamingVad


def line_noise(seconds, dbfs, seed=1):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(int(seconds * 16000)) * 10 ** (dbfs / 20)).astype(
        np.float32
    )


def feed(vad, samples):
    events = []
    for start in range(0, len(samples), 320):  # 20 ms frames
        events += vad.feed(samples[start : start + 320])
    return events


@pytest.fixture(scope="module")
def recording(shared_data):
    return read_audio(shared_data / "picovoice-rhino/test_within_context_ru.wav")


@pytest.fixture(scope="module")
def speech(recording):
    return recording.samples


def test_speech_on_a_quiet_line_starts_and_ends(recording, speech):
    vad = StreamingVad(endpoint_silence=0.8)
    signal = np.concatenate(
        [np.zeros(8000, np.float32), speech, np.zeros(32000, np.float32)]
    )
    signal += line_noise(len(signal) / 16000, -62)
    events = feed(vad, signal)

    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    ended = events[1]
    # Where the whole-recording VAD finds the speech, 0.5 s of line later.
    (reference,) = find_utterances(recording)
    assert abs(ended.start - (0.5 + reference.start)) < 0.2
    assert abs(ended.end - (0.5 + reference.end)) < 0.2
    # The quiet line around the speech needed no model runs.
    assert vad.skipped >= (0.5 + 1.5) * 16000 / WINDOW


def test_a_quiet_line_is_silence_without_the_model():
    vad = StreamingVad()
    assert feed(vad, line_noise(5, -62)) == []
    assert vad.skipped == int(5 * 16000 / WINDOW)


@pytest.mark.parametrize("noise", [-45, -40])
def test_speech_on_a_noisy_line_is_heard_and_the_noise_is_gated(
    recording, speech, noise
):
    vad = StreamingVad(endpoint_silence=0.8)
    signal = np.concatenate(
        [np.zeros(16000, np.float32), speech, np.zeros(32000, np.float32)]
    )
    signal += line_noise(len(signal) / 16000, noise)
    events = feed(vad, signal)

    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]
    (reference,) = find_utterances(recording)
    assert abs(events[1].start - (1.0 + reference.start)) < 0.2
    assert abs(events[1].end - (1.0 + reference.end)) < 0.2
    # Once half a second of the line is heard, its noise needs no model.
    noise_windows = (
        (len(signal) / 16000 - (reference.end - reference.start) - 0.5) * 16000 / WINDOW
    )
    assert vad.skipped >= 0.8 * noise_windows


def test_a_very_noisy_line_goes_to_the_model_and_is_still_not_speech():
    vad = StreamingVad()
    assert feed(vad, line_noise(3, -30)) == []
    assert vad.skipped == 0
    assert not vad.speaking


def test_speech_below_the_gate_is_not_heard_and_just_above_it_is(speech):
    peak = float(np.max(np.abs(speech)))
    rms = float(np.sqrt(np.mean(speech**2)))
    # Scaled so that its loud windows sit about 10 dB above the gate
    # (-55 dBFS RMS): still heard as speech.
    quiet = speech * (10 ** (-45 / 20) / rms)
    assert np.max(np.abs(quiet)) < peak
    vad = StreamingVad()
    events = feed(vad, np.concatenate([quiet, np.zeros(24000, np.float32)]))
    assert SpeechStarted in [type(e) for e in events]

    # 30 dB further down every window is under the gate: nothing is heard.
    vad = StreamingVad()
    assert feed(vad, quiet * 10 ** (-30 / 20)) == []
