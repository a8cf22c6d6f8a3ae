"""The recordings API: upload, list, play, delete; roles, teams, bad files,
and export/import carrying the audio."""

import hashlib
import io

import numpy as np
import pytest
import soundfile

from designer import services
from designer.audio_store import AudioStore
from designer.models import Membership, PromptAudio
from tests.designer.conftest import member
from tests.designer.documents import node

pytestmark = pytest.mark.django_db

AUDIO = "/api/scripts/card-offer/audio/"
NOBODY = "asterisk-sounds-ru/vm-nobodyavail.wav"
ACCEPTED = "a WAV (PCM, mu-law or A-law) or FLAC recording"


@pytest.fixture(autouse=True)
def store(settings, tmp_path) -> AudioStore:
    settings.OUTCALL_PROMPT_AUDIO_STORE = tmp_path / "store"
    return AudioStore(tmp_path / "store")


def stored_files(store):
    if not store.root.exists():
        return []
    return [p for p in store.root.rglob("*") if p.is_file() and p.name != ".lock"]


def named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def post_file(client, data: bytes, filename="take.wav", path=AUDIO, **fields):
    return client.post(
        path, {"file": named(data, filename), **fields}, format="multipart"
    )


def as_ogg(path) -> bytes:
    """A real recording in a format libsndfile reads but Outcall refuses."""
    samples, rate = soundfile.read(str(path))
    out = io.BytesIO()
    soundfile.write(out, samples, rate, format="OGG", subtype="VORBIS")
    return out.getvalue()


def error(response) -> dict:
    return response.json()["error"]


# -- upload --------------------------------------------------------------------


def test_an_author_uploads_a_recording_and_gets_its_reference(
    script, author, client_for, shared_data
):
    data = (shared_data / NOBODY).read_bytes()
    response = post_file(client_for(author), data, "nobody.wav")

    assert response.status_code == 201
    body = response.json()
    sha = body["sha256"]
    assert body["reference"] == f"sha256:{sha}"
    assert body["name"] == "nobody.wav"
    assert body["duration"] == 2.975
    assert body["format"] == "wav, mono, 16-bit PCM, 16000 Hz"
    assert body["original"] == {
        "format": "pcm_s16le",
        "sample_rate": 8000,
        "channels": 1,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    assert body["uploaded_by"] == "artem"
    assert body["used_by"] == {"draft": [], "versions": []}
    assert body["url"] == f"{AUDIO}{sha}/file/?team=acme"
    assert body["warnings"] == []

    again = post_file(client_for(author), data, "again.wav")
    assert again.status_code == 200
    assert again.json()["reference"] == body["reference"]
    assert again.json()["name"] == "nobody.wav"
    assert PromptAudio.objects.count() == 1


def test_a_team_token_uploads_and_the_name_field_names_it(
    team, script, client_for, shared_data
):
    client = client_for(token_team=team)
    response = post_file(
        client, (shared_data / "faster-whisper/jfk.flac").read_bytes(), "jfk.flac",
        name="Кеннеди.flac",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Кеннеди.flac"
    assert response.json()["uploaded_by"] is None


def test_a_viewer_reads_and_plays_but_cannot_upload_or_delete(
    script, author, viewer, client_for, shared_data, store
):
    data = (shared_data / NOBODY).read_bytes()
    refused = post_file(client_for(viewer), data)
    assert refused.status_code == 403
    assert error(refused)["message"] == (
        "Your role in team acme is viewer; editing scripts needs the author or "
        "publisher role."
    )
    assert stored_files(store) == []

    sha = post_file(client_for(author), data).json()["sha256"]
    reader = client_for(viewer)
    assert [r["sha256"] for r in reader.get(AUDIO).json()] == [sha]
    assert reader.get(f"{AUDIO}{sha}/").json()["sha256"] == sha
    played = reader.get(f"{AUDIO}{sha}/file/")
    assert played.status_code == 200
    assert reader.delete(f"{AUDIO}{sha}/").status_code == 403


def test_another_team_never_sees_a_recording(
    script, other_script, author, other_team, client_for, shared_data
):
    sha = post_file(
        client_for(author), (shared_data / NOBODY).read_bytes()
    ).json()["sha256"]
    theirs = client_for(token_team=other_team)
    # Their script has the same slug, but not our recording.
    assert theirs.get(AUDIO).json() == []
    for path in (f"{AUDIO}{sha}/", f"{AUDIO}{sha}/file/", f"{AUDIO}{sha}/original/"):
        response = theirs.get(path)
        assert response.status_code == 404
        assert error(response) == {
            "code": "audio_not_found",
            "message": f"Script 'card-offer' has no recording sha256:{sha}.",
        }
    assert theirs.delete(f"{AUDIO}{sha}/").status_code == 404
    assert PromptAudio.objects.filter(sha256=sha).count() == 1


# -- bad files -------------------------------------------------------------------


def truncated(shared_data):
    whole = (shared_data / "silero-vad/ru_num.wav").read_bytes()
    return whole[: len(whole) // 2]


def truncated_flac(shared_data):
    whole = (shared_data / "faster-whisper/jfk.flac").read_bytes()
    return whole[: len(whole) // 2]


def corrupt_flac(shared_data):
    data = bytearray((shared_data / "faster-whisper/jfk.flac").read_bytes())
    data[len(data) // 2 : len(data) // 2 + 4000] = bytes(4000)
    return bytes(data)


@pytest.mark.parametrize(
    "make, name, reason, message",
    [
        (lambda d: b"", "empty.wav", "empty", f"The file is empty; upload {ACCEPTED}."),
        (
            truncated, "cut.wav", "corrupt",
            "The WAV file is truncated: it declares 6.7 s of audio but holds 3.4 s. "
            "Upload the whole file.",
        ),
        (
            truncated_flac, "cut.flac", "corrupt",
            "The FLAC file is corrupt or truncated: its audio cannot be decoded to "
            "the end. Export it again.",
        ),
        (
            corrupt_flac, "damaged.flac", "corrupt",
            "The FLAC file is corrupt or truncated: its audio cannot be decoded to "
            "the end. Export it again.",
        ),
        (
            lambda d: (d / NOBODY).read_bytes()[:44], "header-only.wav", "corrupt",
            "The WAV file is truncated: it declares 3.0 s of audio but holds 0.0 s. "
            "Upload the whole file.",
        ),
        (
            lambda d: (d / "picovoice-rhino/test_data.json").read_bytes(),
            "prompt.wav", "not_audio",
            f"The file is not audio Outcall can read; upload {ACCEPTED}.",
        ),
        (
            lambda d: as_ogg(d / NOBODY), "take.ogg", "unsupported_format",
            f"OGG files are not accepted; upload {ACCEPTED} (convert it first, e.g. "
            "with `ffmpeg -i INPUT -ac 1 recording.wav`).",
        ),
    ],
)
def test_a_bad_file_is_a_clear_400_and_stores_nothing(
    script, author, client_for, shared_data, store, make, name, reason, message
):
    response = post_file(client_for(author), make(shared_data), name)
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid_audio", "message": message, "reason": reason
    }
    assert PromptAudio.objects.count() == 0
    assert stored_files(store) == []


def test_a_recording_over_the_time_limit_is_refused(
    script, author, client_for, shared_data, settings, store
):
    settings.OUTCALL_PROMPT_AUDIO_MAX_SECONDS = 5
    response = post_file(
        client_for(author), (shared_data / "silero-vad/ru_num.wav").read_bytes()
    )
    assert response.status_code == 400
    assert error(response) == {
        "code": "invalid_audio",
        "reason": "too_long",
        "message": "The recording lasts 6.7 s; a prompt recording may last at "
        "most 5.0 s.",
    }
    assert stored_files(store) == []


def test_a_file_over_the_size_limit_is_413_and_stores_nothing(
    script, author, client_for, shared_data, settings, store
):
    settings.OUTCALL_PROMPT_AUDIO_MAX_BYTES = 100_000
    response = post_file(
        client_for(author), (shared_data / "silero-vad/ru_num.wav").read_bytes()
    )
    assert response.status_code == 413
    assert error(response) == {
        "code": "too_large",
        "message": "The upload is 0.2 MB; a recording may be at most 0.1 MB. "
        "Nothing was stored.",
    }
    assert stored_files(store) == []


def test_a_recording_of_over_20_mb_is_413(script, author, client_for, store):
    # 21 MB of 16 kHz 16-bit audio is nearly 11 minutes.
    samples = np.zeros(21 * 1024 * 1024 // 2, dtype="<i2")
    out = io.BytesIO()
    soundfile.write(out, samples, 16000, format="WAV", subtype="PCM_16")
    response = post_file(client_for(author), out.getvalue(), "long.wav")
    assert response.status_code == 413
    assert error(response)["message"] == (
        "The upload is 21.0 MB; a recording may be at most 20.0 MB. Nothing was "
        "stored."
    )
    assert stored_files(store) == []


def test_an_upload_without_a_file_field_is_400(script, author, client_for):
    response = client_for(author).post(AUDIO, {"name": "x.wav"}, format="multipart")
    assert response.status_code == 400
    assert error(response)["message"] == (
        "Send the recording as a multipart/form-data field named `file`."
    )


def test_a_silent_recording_is_kept_with_a_warning(script, author, client_for):
    out = io.BytesIO()
    soundfile.write(out, np.zeros(8000, dtype="<i2"), 8000, format="WAV")
    response = post_file(client_for(author), out.getvalue(), "silence.wav")
    assert response.status_code == 201
    assert response.json()["peak_dbfs"] is None
    assert response.json()["warnings"] == [
        {
            "code": "silent",
            "message": "The recording sounds silent (its loudest moment is no "
            "sound at all); callers would hear nothing. Check the microphone and "
            "record it again.",
        }
    ]


# -- playing, listing, deleting ----------------------------------------------------


def test_the_wav_and_the_original_are_served_as_stored(
    script, author, client_for, shared_data
):
    data = (shared_data / "faster-whisper/jfk.flac").read_bytes()
    client = client_for(author)
    sha = post_file(client, data, "jfk.flac").json()["sha256"]

    wav = client.get(f"{AUDIO}{sha}/file/")
    assert wav["Content-Type"] == "audio/wav"
    assert wav["Content-Disposition"] == 'inline; filename="jfk.wav"'
    assert wav["Cache-Control"] == "private, max-age=31536000, immutable"
    assert hashlib.sha256(b"".join(wav.streaming_content)).hexdigest() == sha
    original = client.get(f"{AUDIO}{sha}/original/")
    assert original["Content-Type"] == "audio/flac"
    assert b"".join(original.streaming_content) == data


def test_the_list_says_where_each_recording_is_used(
    script, author, publisher, client_for, shared_data
):
    client = client_for(author)
    sha = post_file(client, (shared_data / NOBODY).read_bytes()).json()["sha256"]
    document = script.draft.document
    node(document, "explain")["prompt"]["variants"][0]["audio"] = f"sha256:{sha}"
    services.draft_save(script=script, document=document, author=None,
                        base_revision=None)
    services.script_publish(script=script, author=publisher)

    [listed] = client.get(AUDIO).json()
    assert listed["used_by"] == {
        "draft": [{"node": "explain", "variant": "a"}],
        "versions": [1],
    }
    refused = client.delete(f"{AUDIO}{sha}/")
    assert refused.status_code == 409
    assert error(refused) == {
        "code": "audio_in_use",
        "message": "Recording 'take.wav' is played by published version 1 of "
        "'card-offer'. Published versions never change, so it is kept.",
    }


def test_an_unused_recording_is_deleted(
    script, author, client_for, shared_data, store
):
    client = client_for(author)
    sha = post_file(client, (shared_data / NOBODY).read_bytes()).json()["sha256"]
    assert client.delete(f"{AUDIO}{sha}/").status_code == 204
    assert client.get(AUDIO).json() == []
    assert stored_files(store) == []
    response = client.get(f"{AUDIO}not-a-digest/file/")
    assert response.status_code == 404
    assert error(response)["message"] == (
        "'not-a-digest' is not a recording's id: use the 64 hex digits after "
        "'sha256:' in its reference."
    )


# -- export and import -------------------------------------------------------------


def test_an_exported_draft_carries_its_audio_into_another_team(
    script, author, other_team, client_for, shared_data
):
    client = client_for(author)
    sha = post_file(client, (shared_data / NOBODY).read_bytes()).json()["sha256"]
    document = script.draft.document
    node(document, "explain")["prompt"]["variants"][0]["audio"] = f"sha256:{sha}"
    saved = client.put(
        "/api/scripts/card-offer/draft/",
        {"document": document, "base_revision": None},
        format="json",
    )
    assert saved.status_code == 200

    bundle = client.get("/api/scripts/card-offer/draft/export/").json()
    assert list(bundle["audio"]) == [f"sha256:{sha}"]
    bare = client.get("/api/scripts/card-offer/draft/export/?audio=0").json()
    assert "audio" not in bare

    theirs = client_for(token_team=other_team)
    refused = theirs.post("/api/scripts/import/", bare, format="json")
    assert refused.status_code == 422
    assert [p["code"] for p in error(refused)["problems"]] == ["unknown_audio"]
    created = theirs.post("/api/scripts/import/", bundle, format="json")
    assert created.status_code == 201
    [recording] = theirs.get(AUDIO).json()
    assert recording["sha256"] == sha
    assert recording["used_by"]["draft"] == [{"node": "explain", "variant": "a"}]


# -- the schema --------------------------------------------------------------------


def test_the_schema_describes_the_recordings_endpoints(author, client_for):
    schema = client_for(author).get(
        "/api/schema/", HTTP_ACCEPT="application/json"
    ).json()
    paths = schema["paths"]
    upload = paths["/api/scripts/{slug}/audio/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    assert set(upload["responses"]) == {"200", "201", "400", "403", "404", "413"}
    played = paths["/api/scripts/{slug}/audio/{sha256}/file/"]["get"]
    assert list(played["responses"]["200"]["content"]) == ["audio/wav"]
    assert set(paths["/api/scripts/{slug}/audio/{sha256}/"]) == {"get", "delete"}


def test_a_file_over_the_limit_inside_a_body_near_it_stops_the_parser(
    script, author, client_for, shared_data, settings, store
):
    # The body is under limit + 64 KB, so only the upload handler sees that
    # the file itself is over the limit.
    settings.OUTCALL_PROMPT_AUDIO_MAX_BYTES = 200_000
    response = post_file(
        client_for(author), (shared_data / "silero-vad/ru_num.wav").read_bytes()
    )
    assert response.status_code == 413
    assert error(response) == {
        "code": "too_large",
        "message": "The file is over 0.2 MB, the most a recording may be; "
        "nothing was stored.",
    }
    assert stored_files(store) == []


def test_a_member_of_two_teams_names_the_team_in_the_form(
    script, other_script, other_team, client_for, shared_data
):
    both = member(script.team, "dana", Membership.Role.AUTHOR)
    Membership.objects.create(user=both, team=other_team, role="viewer")
    data = (shared_data / NOBODY).read_bytes()
    client = client_for(both)

    assert error(post_file(client, data))["code"] == "team_required"
    assert post_file(client, data, team="acme").status_code == 201
    assert post_file(client, data, team="globex").status_code == 403
