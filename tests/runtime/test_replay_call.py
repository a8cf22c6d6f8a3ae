"""``replay_call`` on real recordings, converted to 8 kHz mu-law as the
telephony layer delivers them."""

import io
import json
import re

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from designer.models import Script, Team
from designer.services import draft_save, script_create, script_publish
from runtime.audio.formats import read_audio, write_wav, write_wav_mulaw
from runtime.models import CallEvent, CallSession

pytestmark = pytest.mark.django_db

DEMO_VARS = ["--var", "name=Анна", "--var", "limit=150 000"]


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def replay(*args) -> dict:
    out = io.StringIO()
    call_command("replay_call", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def word_error_rate(reference: str, heard: str) -> float:
    """Word-level edit distance over the reference length."""
    ref, hyp = words(reference).split(), words(heard).split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        previous, row[0] = row[0], i
        for j, h in enumerate(hyp, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (r != h))
    return row[-1] / len(ref)


JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


@pytest.mark.asr
def test_russian_voicemail_greeting_ends_as_answering_machine(demo, recordings):
    report = replay(
        str(recordings["vm_intro_ru_mulaw8k"]),
        "--script", "bank-card-offer", *DEMO_VARS, "--call-id", "vm-ru-1",
    )

    assert report["outcome"] == "answering_machine"
    assert report["path"][0] == "greeting"
    assert report["path"][-1] == "end_answering_machine"
    assert report["turns"][0]["intent"] == "answering_machine"
    assert "оставьте сообщение после сигнала" in words(report["turns"][0]["text"])
    session = CallSession.objects.get(call_id="vm-ru-1")
    assert session.source == "replay"
    assert session.outcome == "answering_machine"
    kinds = list(session.events.values_list("kind", flat=True))
    assert kinds[0] == "node_entered"
    assert "utterance" in kinds and kinds[-1] == "call_ended"


@pytest.mark.asr
def test_english_recording_transcribes_to_its_known_text(demo, recordings):
    report = replay(
        str(recordings["jfk_mulaw8k"]),
        "--script", "bank-card-offer-en", *DEMO_VARS,
    )

    heard = " ".join(turn["text"] for turn in report["turns"])
    # 8 kHz telephone audio loses the final "s" of "Americans" (its energy
    # lies above 4 kHz): one word in 22 may differ, no more.
    assert word_error_rate(JFK, heard) <= 1 / 22
    assert "ask not what your country can do for you" in words(heard)
    assert "ask what you can do for your country" in words(heard)


@pytest.mark.asr
def test_each_channel_of_a_two_channel_recording_is_a_different_caller(
    demo, recordings
):
    left = replay(
        str(recordings["stereo_mulaw8k"]), "--channel", "0",
        "--script", "bank-card-offer-en", *DEMO_VARS,
    )
    right = replay(
        str(recordings["stereo_mulaw8k"]), "--channel", "1",
        "--script", "bank-card-offer-en", *DEMO_VARS,
    )

    left_text = words(" ".join(t["text"] for t in left["turns"]))
    right_text = words(" ".join(t["text"] for t in right["turns"]))
    assert "wizard" in left_text and "horizon" not in left_text
    assert "horizon" in right_text and "wizard" not in right_text


@pytest.mark.asr
def test_json_report_carries_the_documented_fields(demo, recordings):
    report = replay(
        str(recordings["ru_num_mulaw8k"]),
        "--script", "bank-card-offer", *DEMO_VARS, "--call-id", "fields-1",
        "--segment", "active",
    )

    assert {"call_id", "script", "version", "outcome", "path", "turns", "prompts"} <= set(
        report
    )
    assert report["call_id"] == "fields-1"
    assert report["script"] == "bank-card-offer"
    assert report["version"] == 1
    turn = report["turns"][0]
    assert set(turn) >= {"start", "end", "text", "intent", "confidence", "node"}
    assert 0 <= turn["start"] < turn["end"] <= 6.8
    prompt = report["prompts"][0]
    assert prompt["node"] == "greeting"
    assert prompt["variant"] == report["variants"]["greeting"]
    assert prompt["text"].startswith("Здравствуйте") or prompt["text"]


@pytest.mark.asr
def test_timeline_lists_prompts_utterances_and_the_outcome(demo, recordings):
    out = io.StringIO()
    call_command(
        "replay_call", str(recordings["vm_intro_ru_mulaw8k"]),
        "--script", "bank-card-offer", *DEMO_VARS, stdout=out,
    )

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("call replay-")
    assert any("robot  [greeting/" in line for line in lines)
    assert any("caller [greeting]" in line and "answering_machine" in line for line in lines)
    assert lines[-1].startswith("outcome: answering_machine  path: greeting > ")


def _publish(document: dict) -> Script:
    team = Team.objects.create(slug="qa", name="QA")
    script = script_create(team=team, slug="probe", name="Probe", language="ru")
    draft_save(script=script, document=document, author=None, base_revision=None)
    script_publish(script=script, author=None)
    return script


def _probe_document(*, barge_in: bool, timeout: float = 5.0) -> dict:
    return {
        "format": "outcall-graph",
        "format_version": 1,
        "language": "ru",
        "start": "ask",
        "variables": {},
        "intents": {},
        "global_routes": [],
        "nodes": [
            {
                "id": "ask",
                "type": "question",
                "prompt": {"variants": [{"id": "only", "text": "Здравствуйте, вам удобно говорить?"}]},
                "barge_in": barge_in,
                "no_input_timeout": timeout,
                "reprompts": {"no_input": ["Алло, вы меня слышите?"]},
                "routes": [
                    {"event": "no_input", "to": "silent"},
                    {"event": "no_match", "to": "done"},
                    {"intent": "yes", "to": "done"},
                    {"intent": "answering_machine", "to": "done"},
                ],
            },
            {"id": "done", "type": "end", "outcome": "refusal",
             "prompt": {"variants": [{"id": "bye", "text": "До свидания."}]}},
            {"id": "silent", "type": "end", "outcome": "no_response"},
        ],
    }


@pytest.mark.asr
def test_speech_during_a_prompt_without_barge_in_is_taken_after_it(recordings):
    _publish(_probe_document(barge_in=False))

    report = replay(str(recordings["vm_intro_ru_mulaw8k"]), "--script", "probe")

    greeting = report["prompts"][0]
    assert greeting["interrupted"] is False
    assert greeting["end"] > report["turns"][0]["start"]
    assert report["turns"][0]["barge_in"] is False
    assert report["outcome"] == "refusal"


@pytest.mark.asr
def test_speech_during_a_prompt_with_barge_in_cuts_it(recordings):
    _publish(_probe_document(barge_in=True))

    report = replay(str(recordings["vm_intro_ru_mulaw8k"]), "--script", "probe")

    greeting = report["prompts"][0]
    assert greeting["interrupted"] is True
    assert greeting["end"] == report["turns"][0]["start"]
    assert report["turns"][0]["barge_in"] is True


@pytest.mark.asr
def test_silence_past_the_timeout_is_no_input_then_the_route(recordings, tmp_path):
    _publish(_probe_document(barge_in=True, timeout=3.0))
    speech = read_audio(recordings["ru_num_mulaw8k"]).samples
    padded = np.concatenate([np.zeros(16000 * 12, dtype=np.float32), speech])
    path = tmp_path / "late.wav"
    write_wav_mulaw(path, padded)

    report = replay(str(path), "--script", "probe", "--call-id", "late-1")

    events = list(
        CallEvent.objects.filter(session__call_id="late-1").values_list("kind", flat=True)
    )
    assert events.count("no_input") == 2
    assert report["outcome"] == "no_response"
    assert report["turns"] == []


def test_a_recording_that_ends_during_a_prompt_is_a_hang_up_in_it(recordings, tmp_path):
    _publish(_probe_document(barge_in=True))
    path = tmp_path / "short.wav"
    write_wav_mulaw(path, np.zeros(16000, dtype=np.float32))

    report = replay(str(path), "--script", "probe", "--call-id", "short-1")

    assert report["outcome"] == "dropped"
    assert report["hangup_at"] == 1.0
    assert report["prompts"][0]["interrupted"] is True
    hangup = CallEvent.objects.get(session__call_id="short-1", kind="hangup")
    assert hangup.node == "ask"
    assert hangup.data["during_prompt"] is True
    assert hangup.data["heard"] == 1.0


# Bad input: a one-line error and nothing written.


def _fails(*args) -> str:
    with pytest.raises(CommandError) as caught:
        call_command("replay_call", *args, stdout=io.StringIO())
    assert CallSession.objects.count() == 0
    assert CallEvent.objects.count() == 0
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_file_is_refused(demo, tmp_path):
    message = _fails(str(tmp_path / "nope.wav"), "--script", "bank-card-offer")
    assert "nope.wav" in message


def test_corrupt_recording_is_refused(demo, tmp_path):
    path = tmp_path / "corrupt.wav"
    path.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt " + bytes(range(200)))
    message = _fails(str(path), "--script", "bank-card-offer")
    assert "corrupt.wav" in message


def test_empty_recording_is_refused(demo, tmp_path):
    path = tmp_path / "empty.wav"
    write_wav(path, np.zeros(0, dtype=np.float32), sample_rate=8000, encoding="mulaw")
    message = _fails(str(path), "--script", "bank-card-offer")
    assert "empty" in message


def test_a_channel_the_recording_lacks_is_refused(demo, recordings):
    message = _fails(
        str(recordings["stereo_mulaw8k"]), "--channel", "2", "--script", "bank-card-offer"
    )
    assert "channel 2" in message


def test_unknown_script_is_refused(demo, recordings):
    message = _fails(str(recordings["jfk_mulaw8k"]), "--script", "no-such-script")
    assert message == "no such script: 'no-such-script'"


def test_unknown_version_is_refused(demo, recordings):
    message = _fails(
        str(recordings["jfk_mulaw8k"]), "--script", "bank-card-offer", "--version", "7"
    )
    assert message == "script 'bank-card-offer' has no version 7 (published: 1)"


def test_malformed_variable_is_refused(demo, recordings):
    message = _fails(
        str(recordings["jfk_mulaw8k"]), "--script", "bank-card-offer", "--var", "name"
    )
    assert message == "--var takes key=value, not 'name'"


@pytest.mark.asr
def test_a_call_id_already_logged_is_refused(demo, recordings):
    replay(
        str(recordings["jfk_mulaw8k"]), "--script", "bank-card-offer-en", *DEMO_VARS,
        "--call-id", "x1",
    )
    with pytest.raises(CommandError, match="call id 'x1' is already in the event log"):
        call_command(
            "replay_call", str(recordings["jfk_mulaw8k"]),
            "--script", "bank-card-offer-en", *DEMO_VARS, "--call-id", "x1",
            stdout=io.StringIO(),
        )
    assert CallSession.objects.count() == 1


def test_a_contact_without_the_scripts_variables_is_refused(demo, recordings):
    message = _fails(
        str(recordings["jfk_mulaw8k"]), "--script", "bank-card-offer", "--var", "name=Анна"
    )
    assert message == (
        "the contact lacks variables the script uses: limit "
        "(pass them, or give the variables a default in the script)"
    )


def test_a_call_id_too_long_to_store_is_refused(demo, recordings):
    message = _fails(
        str(recordings["jfk_mulaw8k"]), "--script", "bank-card-offer", *DEMO_VARS,
        "--call-id", "x" * 129,
    )
    assert message == "call id is longer than 128 characters"


def test_a_variable_name_that_is_not_a_name_is_refused(demo, recordings):
    message = _fails(
        str(recordings["jfk_mulaw8k"]), "--script", "bank-card-offer", "--var", "bad key=1"
    )
    assert message == "--var 'bad key': a variable name is letters, digits and _"


def test_the_timeline_puts_a_silence_before_the_reprompt_it_causes(tmp_path):
    _publish(_probe_document(barge_in=True, timeout=3.0))
    path = tmp_path / "quiet.wav"
    write_wav_mulaw(path, np.zeros(16000 * 9, dtype=np.float32))
    out = io.StringIO()

    call_command("replay_call", str(path), "--script", "probe", stdout=out)

    lines = out.getvalue().splitlines()
    silence = next(i for i, line in enumerate(lines) if "silence [ask] no_input" in line)
    assert "robot  [ask/no_input.1] Алло, вы меня слышите?" in lines[silence + 1]
    assert lines[-2].endswith("caller hung up")
    assert lines[-1] == "outcome: dropped  path: ask"
