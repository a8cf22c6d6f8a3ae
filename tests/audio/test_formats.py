"""Reading recordings, G.711 codecs and resampling."""

import io
import wave

import numpy as np
import pytest
import soundfile

from runtime.audio.formats import (
    AudioError,
    decode_alaw,
    decode_mulaw,
    encode_alaw,
    encode_mulaw,
    read_audio,
    resample,
    write_wav,
)


def tone(frequency: float, rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(round(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


# G.711 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subtype", "decode"), [("ULAW", decode_mulaw), ("ALAW", decode_alaw)]
)
def test_g711_decoding_matches_libsndfile_for_every_code(subtype, decode):
    codes = bytes(range(256))
    expected, _ = soundfile.read(
        io.BytesIO(codes),
        format="RAW",
        subtype=subtype,
        samplerate=8000,
        channels=1,
        dtype="float32",
    )

    assert np.array_equal(decode(codes), expected)


@pytest.mark.parametrize(
    ("subtype", "encode"), [("ULAW", encode_mulaw), ("ALAW", encode_alaw)]
)
def test_g711_encoding_matches_libsndfile_for_every_16_bit_value(subtype, encode):
    linear = np.arange(-32768, 32768, dtype=np.int16)
    buffer = io.BytesIO()
    soundfile.write(buffer, linear, 8000, format="RAW", subtype=subtype)

    assert np.array_equal(encode(linear), np.frombuffer(buffer.getvalue(), np.uint8))


def test_float_samples_survive_a_mulaw_round_trip_within_g711_precision():
    samples = tone(440, 8000)

    decoded = decode_mulaw(encode_mulaw(samples))

    noise = decoded - samples
    snr = 10 * np.log10(np.mean(samples**2) / np.mean(noise**2))
    assert decoded.dtype == np.float32
    assert snr > 35


def test_g711_decoders_take_bytes_or_uint8_arrays():
    frame = bytes([0xFF, 0x7F, 0x00, 0x80])

    assert np.array_equal(
        decode_mulaw(frame), decode_mulaw(np.frombuffer(frame, np.uint8))
    )
    assert decode_mulaw(frame)[:2].tolist() == [0.0, 0.0]
    assert decode_alaw(bytes([0xD5]))[0] == pytest.approx(8 / 32768)


# Resampling ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("src", "dst", "frequency"),
    [
        (8000, 16000, 1000),
        (8000, 16000, 3400),
        (44100, 16000, 1000),
        (48000, 16000, 6000),
        (16000, 8000, 3000),
        (22050, 16000, 5000),
    ],
)
def test_resample_keeps_tones_in_the_passband(src, dst, frequency):
    resampled = resample(tone(frequency, src), src, dst)

    expected = tone(frequency, dst)
    inner = slice(dst // 10, len(expected) - dst // 10)
    assert len(resampled) == len(expected)
    assert np.abs(resampled[inner] - expected[inner]).max() < 1e-3


@pytest.mark.parametrize(
    ("src", "dst", "frequency"),
    [(48000, 16000, 9000), (44100, 16000, 8500), (16000, 8000, 4300)],
)
def test_resample_removes_tones_above_the_new_nyquist_frequency(src, dst, frequency):
    resampled = resample(tone(frequency, src), src, dst)

    inner = resampled[dst // 10 : -dst // 10]
    assert 20 * np.log10(np.abs(inner).max() / 0.5) < -60


def test_resample_length_is_rounded_up_and_same_rate_is_a_copy():
    samples = np.ones(7, dtype=np.float32)

    assert len(resample(samples, 44100, 16000)) == 3
    copy = resample(samples, 16000, 16000)
    assert copy is not samples and np.array_equal(copy, samples)
    assert len(resample(np.zeros(0, np.float32), 8000, 16000)) == 0


def test_resample_rejects_stereo_input():
    with pytest.raises(ValueError, match="mono samples"):
        resample(np.zeros((10, 2), np.float32), 8000, 16000)


# read_audio ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "channel", "duration", "source_rate", "source_channels", "source_format"),
    [
        ("ru_num_mulaw8k", None, 6.72, 8000, 1, "mulaw"),
        ("vm_intro_ru_mulaw8k", None, 5.57725, 8000, 1, "mulaw"),
        ("vm_intro_ru_alaw8k", None, 5.57725, 8000, 1, "alaw"),
        ("jfk_mulaw8k", None, 11.0, 8000, 1, "mulaw"),
        ("stereo_mulaw8k", 1, 5.0, 8000, 2, "mulaw"),
        ("stereo_alaw8k", 0, 5.0, 8000, 2, "alaw"),
        ("stereo_pcm8k", 1, 5.0, 8000, 2, "pcm_s16le"),
        ("stereo_pcm44k", 0, 5.0, 44100, 2, "pcm_s16le"),
        ("stereo_pcm48k", 1, 5.0, 48000, 2, "pcm_s16le"),
    ],
)
def test_read_audio_gives_16_khz_mono_float32(
    recordings, name, channel, duration, source_rate, source_channels, source_format
):
    audio = read_audio(recordings[name], channel=channel)

    assert audio.sample_rate == 16000
    assert audio.samples.dtype == np.float32 and audio.samples.ndim == 1
    assert np.abs(audio.samples).max() <= 1.0
    assert audio.duration == pytest.approx(duration, abs=0.002)
    assert len(audio.samples) == pytest.approx(duration * 16000, abs=1)
    assert audio.source_rate == source_rate
    assert audio.source_channels == source_channels
    assert audio.source_format == source_format


def test_read_audio_reads_the_shared_flac_and_pcm_originals(shared_data):
    jfk = read_audio(shared_data / "faster-whisper/jfk.flac")
    ru_num = read_audio(shared_data / "silero-vad/ru_num.wav")

    assert (jfk.duration, jfk.source_rate, jfk.source_channels) == (11.0, 44100, 2)
    assert jfk.source_format == "flac"
    assert (ru_num.duration, ru_num.source_format) == (6.72, "pcm_s16le")


def test_telephony_conversion_keeps_the_signal(shared_data, recordings):
    original = read_audio(shared_data / "silero-vad/ru_num.wav").samples
    telephony = read_audio(recordings["ru_num_mulaw8k"]).samples

    # An 8 kHz channel keeps the band below 4 kHz: the two differ by the
    # high band and the G.711 noise, far less than the speech itself.
    band_limited = resample(resample(original, 16000, 8000), 8000, 16000)
    noise = telephony - band_limited
    assert 10 * np.log10(np.mean(band_limited**2) / np.mean(noise**2)) > 30


def test_the_caller_channel_is_chosen_and_defaults_to_the_first(recordings):
    path = recordings["stereo_pcm48k"]

    left = read_audio(path, channel=0)
    right = read_audio(path, channel=1)

    assert np.array_equal(read_audio(path).samples, left.samples)
    assert not np.allclose(left.samples, right.samples, atol=0.01)


def test_audio_between_cuts_a_span(recordings):
    audio = read_audio(recordings["stereo_pcm8k"], channel=1)

    assert len(audio.between(0.5, 1.25)) == 12000
    assert len(audio.between(4.5, 9.0)) == 8000


def test_write_wav_refuses_an_unknown_encoding(tmp_path):
    with pytest.raises(ValueError, match="unknown encoding 'gsm'"):
        write_wav(tmp_path / "x.wav", np.zeros(10), sample_rate=8000, encoding="gsm")


# read_audio errors -----------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.wav"

    with pytest.raises(AudioError) as error:
        read_audio(path)

    assert str(error.value) == f"audio file not found: {path}"
    assert error.value.code == "not_found"


def test_random_bytes_named_wav(tmp_path):
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(7).bytes(4096))

    with pytest.raises(AudioError) as error:
        read_audio(path)

    assert (
        str(error.value) == f"not a readable audio file (corrupt or truncated): {path}"
    )
    assert error.value.code == "unreadable"


def test_truncated_header(shared_data, tmp_path):
    path = tmp_path / "truncated.wav"
    path.write_bytes((shared_data / "silero-vad/ru_num.wav").read_bytes()[:30])

    with pytest.raises(AudioError) as error:
        read_audio(path)

    assert (
        str(error.value) == f"not a readable audio file (corrupt or truncated): {path}"
    )


def test_empty_recording(tmp_path):
    path = tmp_path / "empty.wav"
    soundfile.write(path, np.zeros((0, 1), np.float32), 8000, subtype="ULAW")

    with pytest.raises(AudioError) as error:
        read_audio(path)

    assert str(error.value) == f"recording has no audio samples: {path}"
    assert error.value.code == "empty"


def test_unsupported_format(tmp_path):
    path = tmp_path / "speech.ogg"
    soundfile.write(path, tone(440, 8000), 8000, format="OGG", subtype="VORBIS")

    with pytest.raises(AudioError) as error:
        read_audio(path)

    assert str(error.value) == (
        f"unsupported audio format OGG/VORBIS: {path} "
        "(use WAV with PCM, mu-law or A-law, or FLAC)"
    )
    assert error.value.code == "unsupported_format"


@pytest.mark.parametrize(
    ("name", "channel", "message"),
    [
        (
            "stereo_pcm8k",
            3,
            "recording has 2 channels; channel 3 does not exist (use 0 or 1)",
        ),
        (
            "stereo_pcm8k",
            -1,
            "recording has 2 channels; channel -1 does not exist (use 0 or 1)",
        ),
        (
            "ru_num_mulaw8k",
            1,
            "recording has 1 channel; channel 1 does not exist (use 0)",
        ),
    ],
)
def test_channel_that_does_not_exist(recordings, name, channel, message):
    with pytest.raises(AudioError) as error:
        read_audio(recordings[name], channel=channel)

    assert str(error.value) == message
    assert error.value.code == "bad_channel"


def test_channel_message_lists_every_channel(tmp_path):
    path = tmp_path / "three.wav"
    write_wav(path, np.zeros((800, 3), np.float32), sample_rate=8000)

    with pytest.raises(
        AudioError,
        match=r"^recording has 3 channels; channel 5 does not exist \(use 0, 1 or 2\)$",
    ):
        read_audio(path, channel=5)


def test_a_directory_is_not_an_audio_file(tmp_path):
    from runtime.audio.formats import AudioError, read_audio

    with pytest.raises(AudioError) as refused:
        read_audio(tmp_path)

    assert str(refused.value) == f"not an audio file but a directory: {tmp_path}"


def test_float_samples_that_are_not_numbers_are_corrupt(tmp_path):
    from runtime.audio.formats import AudioError, read_audio

    path = tmp_path / "nan.wav"
    soundfile.write(str(path), np.full(800, np.nan, dtype=np.float32), 8000, subtype="FLOAT")

    with pytest.raises(AudioError) as refused:
        read_audio(path)

    assert str(refused.value) == f"corrupt audio in {path}: samples that are not numbers"
    assert refused.value.code == "unreadable"


# -- sample rates that are not audio rates -------------------------------------


@pytest.mark.parametrize("rate", [2_147_483_647, 1_000_003, 7999])
def test_a_file_at_an_odd_sample_rate_is_refused(tmp_path, rate):
    from runtime.audio.formats import AudioError, read_audio

    path = tmp_path / "odd.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(bytes(2000))
    with pytest.raises(AudioError) as refused:
        read_audio(path)
    assert refused.value.code == "unsupported_format"
    assert str(refused.value).startswith(f"unsupported sample rate {rate} Hz: {path}")


def test_resample_refuses_a_ratio_that_needs_a_huge_filter():
    from runtime.audio.formats import resample

    with pytest.raises(ValueError, match="over 4096 phases"):
        resample(np.zeros(1000, np.float32), 1_000_003, 16000)
    # Every pair of standard rates stays within the bound.
    assert len(resample(np.zeros(100, np.float32), 11025, 192000)) == 1742


def test_every_channel_is_read_in_one_pass_as_read_audio_reads_each(shared_data):
    from runtime.audio.formats import read_audio, read_audio_channels

    path = shared_data / "faster-whisper/jfk.flac"  # stereo 44.1 kHz
    left, right = read_audio_channels(path)
    for index, audio in enumerate((left, right)):
        alone = read_audio(path, channel=index)
        assert np.array_equal(audio.samples, alone.samples)
        assert (audio.source_rate, audio.source_channels) == (44100, 2)
