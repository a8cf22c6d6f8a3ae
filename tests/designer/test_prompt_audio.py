"""Recordings of a script: upload, the store, delete, publish, export and
import, on the test database and a store of the test's own."""

import base64
import copy
import hashlib
import json
import wave

import pytest

from designer import prompt_audio, services
from designer.audio_store import AudioStore
from designer.errors import (
    AudioInUse,
    AudioNotFound,
    AudioRejected,
    InvalidInput,
    ValidationFailed,
)
from designer.models import PromptAudio, VersionAudio
from tests.designer.documents import node, valid_document

pytestmark = pytest.mark.django_db

NOBODY = "asterisk-sounds-ru/vm-nobodyavail.wav"  # 8 kHz PCM, 2.98 s
JFK = "faster-whisper/jfk.flac"  # stereo 44.1 kHz FLAC, 11 s


@pytest.fixture(autouse=True)
def store(settings, tmp_path) -> AudioStore:
    settings.OUTCALL_PROMPT_AUDIO_STORE = tmp_path / "store"
    return AudioStore(tmp_path / "store")


def stored_files(store: AudioStore) -> list[str]:
    if not store.root.exists():
        return []
    return sorted(
        str(p.relative_to(store.root)) for p in store.root.rglob("*") if p.is_file()
        and p.name != ".lock"
    )


def upload(script, shared_data, name=NOBODY, **kwargs):
    return prompt_audio.prompt_audio_upload(
        script=script,
        data=(shared_data / name).read_bytes(),
        name=kwargs.pop("filename", name.rsplit("/", 1)[-1]),
        uploaded_by=kwargs.pop("uploaded_by", None),
    )


def play(script, reference, node_id="greeting", variant="a", author=None):
    """Save the draft with ``reference`` as the variant's audio."""
    document = copy.deepcopy(script.draft.document)
    target = next(v for v in node(document, node_id)["prompt"]["variants"]
                  if v["id"] == variant)
    target["audio"] = reference
    services.draft_save(script=script, document=document, author=author,
                        base_revision=None)
    return document


# -- upload and the store -------------------------------------------------------


def test_an_upload_is_kept_as_16_khz_mono_wav_named_by_its_digest(
    script, shared_data, store, author
):
    result = upload(script, shared_data, uploaded_by=author)

    audio = result.audio
    assert result.created and result.warnings == []
    wav = store.wav_path(audio.sha256).read_bytes()
    assert hashlib.sha256(wav).hexdigest() == audio.sha256
    assert audio.reference == f"sha256:{audio.sha256}"
    with wave.open(str(store.wav_path(audio.sha256))) as reader:
        shape = reader.getnchannels(), reader.getsampwidth(), reader.getframerate()
        assert shape == (1, 2, 16000)
        assert reader.getnframes() == 47602  # 23801 frames at 8 kHz, doubled
    assert audio.duration == 2.975
    assert (audio.name, audio.size, audio.uploaded_by) == (
        "vm-nobodyavail.wav", len(wav), author
    )
    # The original is kept as it came.
    original = (shared_data / NOBODY).read_bytes()
    assert store.original_path(audio.original_sha256).read_bytes() == original
    assert (
        audio.original_format, audio.original_sample_rate, audio.original_channels,
        audio.original_size,
    ) == ("pcm_s16le", 8000, 1, len(original))


def test_a_stereo_flac_is_averaged_to_mono(script, shared_data, store):
    audio = upload(script, shared_data, JFK).audio
    assert (audio.original_format, audio.original_channels) == ("flac", 2)
    assert audio.duration == 11.0
    with wave.open(str(store.wav_path(audio.sha256))) as reader:
        assert reader.getnchannels() == 1 and reader.getnframes() == 176000


def test_the_same_audio_twice_is_the_same_recording(script, shared_data, store):
    first = upload(script, shared_data, filename="first.wav")
    # Its normalised WAV uploaded again is still the same audio.
    again = prompt_audio.prompt_audio_upload(
        script=script,
        data=store.wav_path(first.audio.sha256).read_bytes(),
        name="again.wav",
        uploaded_by=None,
    )
    assert not again.created
    assert again.audio.pk == first.audio.pk and again.audio.name == "first.wav"
    assert PromptAudio.objects.count() == 1


def test_two_teams_uploading_the_same_audio_share_one_file(
    script, other_script, shared_data, store
):
    ours = upload(script, shared_data).audio
    theirs = upload(other_script, shared_data).audio
    assert ours.pk != theirs.pk and ours.sha256 == theirs.sha256
    assert len([f for f in stored_files(store) if f.startswith("wav/")]) == 1
    # Deleting theirs keeps the file ours still needs.
    prompt_audio.prompt_audio_delete(script=other_script, sha256=theirs.sha256)
    assert store.wav_path(ours.sha256).is_file()


@pytest.mark.parametrize(
    "data, reason, message",
    [
        (b"", "empty", "The file is empty; upload a WAV (PCM, mu-law or A-law) or "
         "FLAC recording."),
        (b"Hello, this is a text file.\n" * 40, "not_audio",
         "The file is not audio Outcall can read; upload a WAV (PCM, mu-law or "
         "A-law) or FLAC recording."),
    ],
)
def test_bad_audio_is_refused_and_stores_nothing(script, store, data, reason, message):
    with pytest.raises(AudioRejected) as refused:
        prompt_audio.prompt_audio_upload(
            script=script, data=data, name="x.wav", uploaded_by=None
        )
    assert (refused.value.reason, refused.value.message) == (reason, message)
    assert PromptAudio.objects.count() == 0
    assert stored_files(store) == []


def test_a_truncated_wav_is_refused_and_stores_nothing(script, shared_data, store):
    whole = (shared_data / "silero-vad/ru_num.wav").read_bytes()
    with pytest.raises(AudioRejected) as refused:
        prompt_audio.prompt_audio_upload(
            script=script, data=whole[: len(whole) // 2], name="cut.wav",
            uploaded_by=None,
        )
    assert refused.value.reason == "corrupt"
    assert refused.value.message == (
        "The WAV file is truncated: it declares 6.7 s of audio but holds 3.4 s. "
        "Upload the whole file."
    )
    assert stored_files(store) == []


def test_a_name_too_long_is_refused_and_stores_nothing(script, shared_data, store):
    with pytest.raises(InvalidInput, match="at most 200 characters"):
        upload(script, shared_data, filename="x" * 201 + ".wav")
    assert stored_files(store) == []


def test_a_recordings_name_is_only_the_files_own_name(script, shared_data):
    audio = upload(script, shared_data, filename="C:\\takes\\..\\greeting.wav").audio
    assert audio.name == "greeting.wav"


# -- validation and publishing ----------------------------------------------------


def test_a_variant_playing_audio_the_script_lacks_is_an_error(
    script, other_script, shared_data
):
    theirs = upload(other_script, shared_data).audio
    play(script, theirs.reference, "offer", "a")

    problems = services.script_validate(script=script)
    assert [(p.code, p.node, p.field, p.severity) for p in problems] == [
        ("unknown_audio", "offer", "prompt.variants[0].audio", "error"),
        ("audio_with_template", "offer", "prompt.variants[0].audio", "warning"),
    ]
    assert problems[0].message == (
        f"Variant 'a' of node 'offer' plays recording {theirs.reference[:19]}…, "
        "which this script does not have: upload the recording to the script, "
        "or remove it from the variant."
    )
    with pytest.raises(ValidationFailed):
        services.script_publish(script=script, author=None)

    upload(script, shared_data)
    assert [p.code for p in services.script_validate(script=script)] == [
        "audio_with_template"
    ]


def test_a_malformed_reference_is_an_error(script):
    play(script, "sha256:not-hex", "explain", "a")
    [problem] = services.script_validate(script=script)
    assert (problem.code, problem.node) == ("invalid_audio_reference", "explain")
    assert "'sha256:' and 64 lower-case hex digits" in problem.message


def test_publishing_keeps_the_recordings_the_version_plays(
    script, shared_data, publisher
):
    nobody = upload(script, shared_data).audio
    jfk = upload(script, shared_data, JFK).audio
    play(script, nobody.reference, "explain", "a")
    version = services.script_publish(script=script, author=publisher)

    assert list(VersionAudio.objects.values_list("version", "audio")) == [
        (version.pk, nobody.pk)
    ]
    # The draft moves on, the version keeps its audio.
    play(script, jfk.reference, "explain", "a")
    with pytest.raises(AudioInUse) as refused:
        prompt_audio.prompt_audio_delete(script=script, sha256=nobody.sha256)
    assert refused.value.message == (
        "Recording 'vm-nobodyavail.wav' is played by published version 1 of "
        "'card-offer'. Published versions never change, so it is kept."
    )
    assert refused.value.status_code == 409


def test_a_recording_the_draft_plays_is_kept_until_the_draft_drops_it(
    script, shared_data, store
):
    audio = upload(script, shared_data).audio
    play(script, audio.reference, "explain", "a")
    with pytest.raises(AudioInUse) as refused:
        prompt_audio.prompt_audio_delete(script=script, sha256=audio.sha256)
    assert refused.value.message == (
        "Recording 'vm-nobodyavail.wav' is used by the draft (node 'explain' "
        "variant 'a'). Remove it from those variants and save the draft, then "
        "delete it."
    )

    play(script, None, "explain", "a")
    prompt_audio.prompt_audio_delete(script=script, sha256=audio.sha256)
    assert PromptAudio.objects.count() == 0
    assert stored_files(store) == []
    with pytest.raises(AudioNotFound):
        prompt_audio.prompt_audio_delete(script=script, sha256=audio.sha256)


def test_deleting_an_unpublished_script_deletes_its_recordings(
    script, shared_data, store
):
    upload(script, shared_data)
    services.script_delete(script=script)
    assert PromptAudio.objects.count() == 0
    assert stored_files(store) == []


# -- export and import --------------------------------------------------------------


def test_an_export_carries_the_recordings_it_plays_and_imports_anywhere(
    script, other_team, shared_data, store, publisher
):
    audio = upload(script, shared_data).audio
    upload(script, shared_data, JFK)  # not played: not exported
    play(script, audio.reference, "explain", "a")
    version = services.script_publish(script=script, author=publisher)

    bundle = json.loads(json.dumps(services.version_export(version=version)))
    assert list(bundle["audio"]) == [audio.reference]
    carried = bundle["audio"][audio.reference]
    assert carried["name"] == "vm-nobodyavail.wav" and carried["duration"] == 2.975
    assert base64.b64decode(carried["wav_base64"]) == store.wav_path(
        audio.sha256
    ).read_bytes()

    copied = services.script_import(team=other_team, bundle=bundle, author=None)
    [theirs] = copied.prompt_audio.all()
    assert (theirs.sha256, theirs.name) == (audio.sha256, "vm-nobodyavail.wav")
    assert services.script_validate(script=copied) == []
    services.script_publish(script=copied, author=None)


def test_an_export_without_audio_imports_only_where_the_recordings_are(
    script, other_team, shared_data, publisher
):
    audio = upload(script, shared_data).audio
    play(script, audio.reference, "explain", "a")
    bundle = services.version_export(version=script.draft, audio=False)
    assert "audio" not in bundle

    # The same script has them.
    services.script_import(team=script.team, bundle=bundle, author=None)
    with pytest.raises(ValidationFailed) as refused:
        services.script_import(team=other_team, bundle=bundle, author=None)
    assert refused.value.message == (
        "The imported document has errors; nothing was imported."
    )
    [problem] = refused.value.problems
    assert (problem.code, problem.node, problem.field) == (
        "unknown_audio", "explain", "prompt.variants[0].audio"
    )
    assert not other_team.scripts.exists()


def test_an_import_with_altered_audio_is_refused_and_stores_nothing(
    script, other_team, shared_data, store
):
    audio = upload(script, shared_data).audio
    play(script, audio.reference, "explain", "a")
    bundle = services.version_export(version=script.draft)
    other = (shared_data / "asterisk-sounds-ru/beep.wav").read_bytes()
    bundle["audio"][audio.reference]["wav_base64"] = base64.b64encode(other).decode()
    files = stored_files(store)

    with pytest.raises(InvalidInput, match="holds other audio"):
        services.script_import(team=other_team, bundle=bundle, author=None)
    bundle["audio"][audio.reference]["wav_base64"] = "not base64!"
    with pytest.raises(InvalidInput, match="is not valid base64"):
        services.script_import(team=other_team, bundle=bundle, author=None)
    assert stored_files(store) == files
    assert not other_team.scripts.exists()


def test_a_failed_import_removes_the_files_it_brought(
    script, other_team, shared_data, store
):
    audio = upload(script, shared_data).audio
    play(script, audio.reference, "explain", "a")
    bundle = services.version_export(version=script.draft)
    # The recording is gone from the installation before the import.
    play(script, None, "explain", "a")
    prompt_audio.prompt_audio_delete(script=script, sha256=audio.sha256)
    assert stored_files(store) == []

    # A name too long to keep fails after the file went into the store.
    bundle["audio"][audio.reference]["name"] = "x" * 201 + ".wav"
    with pytest.raises(InvalidInput, match="at most 200 characters"):
        services.script_import(team=other_team, bundle=bundle, author=None)
    assert stored_files(store) == []
    assert not other_team.scripts.exists()
