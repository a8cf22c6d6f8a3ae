"""Replay lays out a prompt with an uploaded recording for as long as the
recording lasts, not for an estimate from its text."""

import pytest

from designer import prompt_audio, services
from designer.models import Team
from runtime.audio.formats import read_audio
from runtime.engine import Contact, compile_script
from runtime.replay import estimate_prompt_seconds, replay_recording
from runtime.speech import RecordedPrompts
from tests.live.test_prompt_audio_call import RECORDING, TEXT, document

pytestmark = pytest.mark.django_db


def test_a_replayed_prompt_lasts_as_long_as_its_uploaded_recording(
    shared_data, settings
):
    team = Team.objects.create(slug="studio", name="Studio")
    script = services.script_create(
        team=team, slug="recorded", name="Recorded", language="ru"
    )
    audio = prompt_audio.prompt_audio_upload(
        script=script,
        data=(shared_data / RECORDING).read_bytes(),
        name="nobody.wav",
        uploaded_by=None,
    ).audio
    services.draft_save(
        script=script, document=document(audio.reference), author=None,
        base_revision=None,
    )
    version = services.script_publish(script=script, author=None)
    compiled = compile_script(version.document)
    # The say node does not listen, so the caller's words are never heard.
    caller = read_audio(shared_data / "asterisk-sounds-ru/vm-intro.wav")

    def replay(recordings):
        [prompt] = replay_recording(
            compiled, caller, None, call_id="replayed", contact=Contact(),
            language="ru", recordings=recordings,
        ).prompts
        return prompt.end - prompt.start

    store = RecordedPrompts(store=settings.OUTCALL_PROMPT_AUDIO_STORE)
    assert replay(store) == pytest.approx(audio.duration, abs=0.001)
    assert replay(None) == estimate_prompt_seconds(TEXT)
    assert abs(estimate_prompt_seconds(TEXT) - audio.duration) > 0.3
