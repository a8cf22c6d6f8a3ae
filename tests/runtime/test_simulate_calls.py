"""``simulate_calls``: text-mode calls from a JSON Lines file."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from runtime.eventlog import node_dropoff
from runtime.models import CallEvent, CallSession

pytestmark = pytest.mark.django_db

VARS = {"name": "Анна", "limit": "150 000"}


@pytest.fixture
def demo():
    call_command("load_demo", stdout=io.StringIO())


def write_calls(tmp_path, calls, name="calls.jsonl") -> str:
    path = tmp_path / name
    path.write_text(
        "".join(
            (c if isinstance(c, str) else json.dumps(c, ensure_ascii=False)) + "\n"
            for c in calls
        ),
        encoding="utf-8",
    )
    return str(path)


def simulate(path) -> str:
    out = io.StringIO()
    call_command("simulate_calls", path, stdout=out)
    return out.getvalue()


def call(call_id, turns, **extra):
    return {"script": "bank-card-offer", "segment": "active", "vars": VARS,
            "call_id": call_id, "turns": turns, **extra}


def test_calls_are_logged_with_source_simulation_and_their_outcomes(demo, tmp_path):
    path = write_calls(tmp_path, [
        call("transfer-1", ["Алло, да", "Да, это я", "Да, давайте, интересно"]),
        call("callback-1", ["Мне сейчас неудобно, перезвоните завтра после пяти"]),
        call("refusal-1", ["Да", "Да, я", "Нет, мне это не интересно", "Нет, всё равно не нужно"]),
        call("dropped-1", [], hangup_after=1),
        call("silent-1", [None, None, None, None]),
    ])

    output = simulate(path)

    outcomes = dict(CallSession.objects.values_list("call_id", "outcome"))
    assert outcomes == {
        "transfer-1": "transfer",
        "callback-1": "callback",
        "refusal-1": "refusal",
        "dropped-1": "dropped",
        "silent-1": "no_response",
    }
    assert set(CallSession.objects.values_list("source", flat=True)) == {"simulation"}
    assert output.splitlines()[0] == "5 calls simulated"
    assert "  bank-card-offer v1: 5" in output
    callback = CallSession.objects.get(call_id="callback-1")
    assert callback.variables == VARS
    assert callback.segment == "active"
    assert "greeting" in callback.variant_choices


def test_hanging_up_during_a_prompt_is_logged_at_its_node_with_the_seconds_heard(
    demo, tmp_path
):
    path = write_calls(tmp_path, [call("h-1", ["Алло, да"], hangup_after=2)])

    simulate(path)

    hangup = CallEvent.objects.get(session__call_id="h-1", kind="hangup")
    assert hangup.node == "check_person"
    assert hangup.data["during_prompt"] is True
    assert hangup.data["heard"] > 0
    ended = CallEvent.objects.get(session__call_id="h-1", kind="call_ended")
    assert ended.data["outcome"] == "dropped"


def test_drop_off_per_node_counts_entries_moves_hang_ups_and_ends(demo, tmp_path):
    path = write_calls(tmp_path, [
        call("a", [], hangup_after=1),
        call("b", [], hangup_after=1),
        call("c", ["Алло, да"], hangup_after=2),
        call("d", ["Мне сейчас неудобно, перезвоните позже"]),
    ])
    simulate(path)
    version = CallSession.objects.get(call_id="a").version

    rows = {row.node: row for row in node_dropoff(version)}

    assert (rows["greeting"].entered, rows["greeting"].moved_on) == (4, 2)
    assert (rows["greeting"].hung_up, rows["greeting"].ended) == (2, 0)
    assert (rows["check_person"].entered, rows["check_person"].hung_up) == (1, 1)
    assert (rows["end_callback"].entered, rows["end_callback"].ended) == (1, 1)
    assert rows["offer"].entered == 0


def test_started_at_places_the_call_in_time(demo, tmp_path):
    path = write_calls(tmp_path, [call("t-1", [], hangup_after=1,
                                       started_at="2026-11-02T10:15:00+03:00")])
    simulate(path)
    session = CallSession.objects.get(call_id="t-1")
    assert session.started_at.isoformat() == "2026-11-02T07:15:00+00:00"
    assert session.ended_at > session.started_at


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("{not json", "line 2: not valid JSON"),
        ('["a list"]', "line 2: a call is a JSON object"),
        ('{"segment": "active"}', "line 2: 'script' (a slug) is required"),
        ('{"script": "nope"}', "line 2: no such script: 'nope'"),
        ('{"script": "bank-card-offer", "turns": [42]}', "line 2: a turn is a string"),
        ('{"script": "bank-card-offer", "turns": [{"dtmf": "12"}]}', "line 2: not a DTMF digit"),
        ('{"script": "bank-card-offer", "hangup_after": 0}', "line 2: 'hangup_after' is a prompt number"),
        ('{"script": "bank-card-offer", "vars": []}', "line 2: 'vars' must be an object"),
        ('{"script": "bank-card-offer", "colour": "red"}', "line 2: unknown keys ['colour']"),
        ('{"script": "bank-card-offer", "version": 9}', "line 2: script 'bank-card-offer' has no version 9"),
        ('{"script": "bank-card-offer", "call_id": "ok-1", "vars": {"name": "A", "limit": "1"}}',
         "line 2: call id 'ok-1' appears twice"),
        ('{"script": "bank-card-offer", "vars": {"name": "Анна"}}',
         "line 2: the contact lacks variables the script uses: limit"),
        ('{"script": "bank-card-offer", "vars": {"name": {"first": "A"}, "limit": "1"}}',
         "line 2: variable 'name' must be a string or a number"),
        ('{"script": "bank-card-offer", "phone": "' + "7" * 65 + '"}',
         "line 2: 'phone' is longer than 64 characters"),
    ],
)
def test_a_bad_line_is_refused_before_any_call_is_written(demo, tmp_path, bad_line, message):
    path = write_calls(tmp_path, [call("ok-1", ["да"]), bad_line])

    with pytest.raises(CommandError) as caught:
        simulate(path)

    assert str(caught.value).startswith(message)
    assert CallSession.objects.count() == 0


def test_a_call_id_already_in_the_log_is_refused(demo, tmp_path):
    simulate(write_calls(tmp_path, [call("dup", [], hangup_after=1)]))
    with pytest.raises(CommandError, match="line 1: call id 'dup' is already in the event log"):
        simulate(write_calls(tmp_path, [call("dup", [])], name="again.jsonl"))
    assert CallSession.objects.count() == 1


def test_an_empty_file_and_a_missing_file_are_refused(demo, tmp_path):
    with pytest.raises(CommandError, match="no calls in the file"):
        simulate(write_calls(tmp_path, []))
    with pytest.raises(CommandError, match="cannot read"):
        simulate(str(tmp_path / "missing.jsonl"))


def test_calls_are_written_in_batches(demo, tmp_path):
    calls = [call(f"n-{i}", [], hangup_after=1) for i in range(23)]
    out = io.StringIO()
    call_command("simulate_calls", write_calls(tmp_path, calls), "--batch", "5", stdout=out)
    assert CallSession.objects.count() == 23
    assert CallEvent.objects.filter(kind="call_ended").count() == 23


def test_hanging_up_during_the_farewell_keeps_the_decided_outcome(demo, tmp_path):
    path = write_calls(tmp_path, [
        call("bye-1", ["Мне сейчас неудобно, перезвоните позже"], hangup_after=2),
    ])

    simulate(path)

    session = CallSession.objects.get(call_id="bye-1")
    assert session.outcome == "callback"
    assert not CallEvent.objects.filter(session=session, kind="hangup").exists()


def test_a_slug_two_teams_use_needs_a_team_key_on_the_line(demo, tmp_path):
    from designer.models import Team
    from designer.services import script_create

    other = Team.objects.create(slug="acme", name="Acme")
    script_create(team=other, slug="bank-card-offer", name="Same slug", language="ru")

    with pytest.raises(CommandError) as caught:
        simulate(write_calls(tmp_path, [call("t-1", [])]))

    assert str(caught.value) == (
        "line 1: script 'bank-card-offer' exists in several teams (acme, demo); "
        'add "team" to the line'
    )
