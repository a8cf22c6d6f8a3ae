"""Utterances found by the Silero VAD in telephony recordings.

Expected spans were measured on these recordings; a tolerance of 0.07 s
(about two 32 ms VAD windows) absorbs differences between onnxruntime
builds without letting an utterance boundary move noticeably.
"""

import numpy as np
import pytest

from runtime.audio.formats import Audio, read_audio
from runtime.audio.vad import Span, find_utterances

TOLERANCE = 0.07


def spans(audio: Audio, **options) -> list[tuple[float, float]]:
    return [(span.start, span.end) for span in find_utterances(audio, **options)]


def assert_spans(found, expected):
    assert len(found) == len(expected), found
    for (start, end), (expected_start, expected_end) in zip(
        found, expected, strict=True
    ):
        assert start == pytest.approx(expected_start, abs=TOLERANCE), found
        assert end == pytest.approx(expected_end, abs=TOLERANCE), found


def test_numbers_with_short_pauses_are_one_utterance(recordings):
    audio = read_audio(recordings["ru_num_mulaw8k"])

    assert_spans(spans(audio), [(0.0, 6.72)])


def test_the_endpointing_silence_is_set_per_call(recordings):
    audio = read_audio(recordings["vm_intro_ru_mulaw8k"])

    # «Оставьте сообщение после сигнала. | После этого нажмите решётку…»:
    # the pause after the first sentence is about 0.25 s long.
    assert_spans(spans(audio), [(0.0, 5.577)])
    assert_spans(spans(audio, min_silence=0.2), [(0.0, 2.372), (2.46, 5.577)])
    assert_spans(spans(audio, min_silence=1.0), [(0.0, 5.577)])


def test_phrases_of_a_speech_split_at_its_pauses(shared_data):
    audio = read_audio(shared_data / "faster-whisper/jfk.flac")

    assert_spans(
        spans(audio),
        [(0.22, 2.34), (3.228, 4.452), (5.34, 7.716), (8.124, 11.0)],
    )
    assert_spans(
        spans(audio, min_silence=1.0), [(0.22, 2.34), (3.228, 4.452), (5.34, 11.0)]
    )


def test_each_leg_of_a_stereo_call_has_its_own_speech(recordings):
    left = read_audio(recordings["stereo_mulaw8k"], channel=0)
    right = read_audio(recordings["stereo_mulaw8k"], channel=1)

    assert_spans(spans(left), [(0.188, 5.0)])
    assert_spans(spans(right), [(0.284, 2.628)])


def test_a_beep_and_silence_hold_no_utterance(recordings):
    beep = read_audio(recordings["beep_mulaw8k"])
    silence = Audio(np.zeros(16000, np.float32), 16000, 1.0, 16000, 1, "pcm_s16le")

    assert find_utterances(beep) == []
    assert find_utterances(silence) == []


def test_padding_widens_utterances_within_the_recording(recordings):
    audio = read_audio(recordings["stereo_mulaw8k"], channel=1)

    tight = find_utterances(audio, pad=0.0)[0]
    padded = find_utterances(audio, pad=0.2)[0]

    assert padded.start == pytest.approx(tight.start - 0.2, abs=0.001)
    assert padded.end == pytest.approx(tight.end + 0.2, abs=0.001)
    assert padded.duration == pytest.approx(tight.duration + 0.4, abs=0.002)


def test_short_bursts_are_dropped(recordings):
    audio = read_audio(recordings["stereo_mulaw8k"], channel=1)

    assert find_utterances(audio, min_speech=3.0) == []


def test_spans_are_values():
    assert Span(0.5, 1.25) == Span(0.5, 1.25)
    assert Span(0.5, 1.25).duration == 0.75


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"min_silence": -0.1}, "min_silence must be >= 0.0, got -0.1"),
        ({"threshold": 1.5}, "threshold must be between 0.0 and 1.0, got 1.5"),
        ({"pad": -1}, "pad must be >= 0.0, got -1"),
    ],
)
def test_misuse_is_refused(recordings, options, message):
    audio = read_audio(recordings["beep_mulaw8k"])

    with pytest.raises(ValueError) as error:
        find_utterances(audio, **options)

    assert str(error.value) == message


def test_audio_at_another_rate_is_refused():
    audio = Audio(np.zeros(8000, np.float32), 8000, 1.0, 8000, 1, "mulaw")

    with pytest.raises(ValueError, match="needs 16000 Hz audio"):
        find_utterances(audio)
