"""``/api/live/calls/<call_id>/``: how a live call ended, read by the
telephony layer with its team token once the call is over."""

import uuid

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from designer.models import ApiToken, Membership, Team
from designer.services import resolve_version
from runtime.engine import CallerHangup, Contact, Dtmf, Transfer
from runtime.eventlog import CallRecorder
from runtime.live.setup import compiled_version
from runtime.models import CallSession

pytestmark = pytest.mark.django_db

CONTACT = Contact(
    phone="+70000000003",
    segment="active",
    variables={"name": "Ольга", "limit": "120 000"},
)
SUMMARY = (
    "Ольга, сегмент active, одобренный лимит 120 000 ₽. Интересуется кредитной картой."
)


def client(key=None):
    api = APIClient()
    if key:
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def logged_call(call_id, *, events, keep_transfer=True, close=True,
                source=CallSession.Source.LIVE):
    """A call of the demo's bank-card-offer run by the engine and written to
    the event log as a live transport writes it."""
    version = resolve_version(
        team=Team.objects.get(slug="demo"), slug="bank-card-offer", number=None
    )
    call = compiled_version(version).start_call(call_id=call_id, contact=CONTACT)
    recorder = CallRecorder.for_call(
        version=version, source=source, call_id=call_id, contact=CONTACT
    )
    recorder.open()
    actions = call.start()
    for event in events:
        actions = call.handle(event)
    recorder.record(call.drain_log())
    transfer = next((a for a in actions if isinstance(a, Transfer)), None)
    if transfer and keep_transfer:
        recorder.record_transfer(summary=transfer.summary, context=transfer.context)
    if close:
        recorder.close(call, ended_offset=14.5)
    return recorder.session


TO_THE_OPERATOR = [Dtmf("1")] * 4


def test_a_transfer_answers_its_outcome_node_target_summary_and_context(demo_token):
    call_uuid = uuid.uuid4()
    logged_call(f"audiosocket-{call_uuid}", events=TO_THE_OPERATOR)

    response = client(demo_token).get(f"/api/live/calls/{call_uuid}/")

    assert response.status_code == 200
    answer = response.json()
    assert answer["call_id"] == f"audiosocket-{call_uuid}"
    assert answer["status"] == "ended"
    assert (answer["outcome"], answer["node"]) == ("transfer", "transfer")
    assert answer["duration"] == 14.5 and answer["ended_at"]
    assert answer["transfer"]["target"] == "operators-cards"
    assert answer["transfer"]["summary"] == SUMMARY
    assert answer["transfer"]["context"]["path"][-2:] == ["say_connect", "transfer"]
    assert answer["transfer"]["context"]["phone"] == "+70000000003"
    by_call_id = client(demo_token).get(f"/api/live/calls/audiosocket-{call_uuid}/")
    assert by_call_id.json() == answer


def test_the_text_form_is_the_target_alone_whatever_the_client_accepts(demo_token):
    logged_call("tw-CA42", events=TO_THE_OPERATOR)

    response = client(demo_token).get(
        "/api/live/calls/tw-CA42/transfer-target/", HTTP_ACCEPT="application/json"
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"operators-cards"


def test_a_transfer_whose_details_were_not_kept_still_has_its_target(demo_token):
    """A transport that sent the summary on its wire (the Outcall WebSocket)
    keeps nothing more; the target comes from the event log."""
    logged_call("ws-1", events=TO_THE_OPERATOR, keep_transfer=False)

    transfer = client(demo_token).get("/api/live/calls/ws-1/").json()["transfer"]

    assert transfer == {"target": "operators-cards", "summary": None, "context": None}


def test_a_call_that_did_not_end_in_a_transfer_has_no_target(demo_token):
    logged_call("drop-1", events=[CallerHangup(during_prompt=True, heard=1.2)])

    answer = client(demo_token).get("/api/live/calls/drop-1/").json()
    text = client(demo_token).get("/api/live/calls/drop-1/transfer-target/")

    assert (answer["status"], answer["outcome"], answer["transfer"]) == (
        "ended", "dropped", None
    )
    assert answer["node"] == "greeting"
    assert (text.status_code, text.content) == (200, b"")


def test_a_running_call_says_it_is_running_and_has_no_target_yet(demo_token):
    logged_call("live-running", events=[Dtmf("1")], close=False)

    answer = client(demo_token).get("/api/live/calls/live-running/").json()
    text = client(demo_token).get("/api/live/calls/live-running/transfer-target/")

    assert answer["status"] == "running"
    assert answer["outcome"] is None and answer["node"] is None
    assert answer["transfer"] is None and answer["ended_at"] is None
    assert (text.status_code, text.content) == (200, b"")


@pytest.mark.parametrize("call_id", ["no-such-call", str(uuid.uuid4()), "sim-1"])
def test_unknown_other_teams_and_simulated_calls_are_not_found(demo_token, call_id):
    logged_call("sim-1", events=TO_THE_OPERATOR, source=CallSession.Source.SIMULATION)
    other = Team.objects.create(slug="rivals", name="Rivals")
    _, rival_key = ApiToken.issue(team=other)
    logged_call("theirs-1", events=TO_THE_OPERATOR)  # demo's: the rivals' 404

    for key, path_id in ((demo_token, call_id), (rival_key, "theirs-1")):
        response = client(key).get(f"/api/live/calls/{path_id}/")
        text = client(key).get(f"/api/live/calls/{path_id}/transfer-target/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "call_not_found"
        assert (text.status_code, text.content) == (404, b"")


def test_results_take_a_team_token(demo_token):
    logged_call("live-auth", events=TO_THE_OPERATOR)
    assert client().get("/api/live/calls/live-auth/").status_code == 401
    assert client().get("/api/live/calls/live-auth/transfer-target/").content == b""

    user = User.objects.create_user("olga", password="pw")
    Membership.objects.create(
        user=user, team=Team.objects.get(slug="demo"), role=Membership.Role.PUBLISHER
    )
    browser = APIClient()
    browser.force_login(user)
    response = browser.get("/api/live/calls/live-auth/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "token_required"


@pytest.mark.parametrize(
    "path",
    [
        "/api/live/calls//transfer-target/",  # an empty ${CALL_UUID}
        "/api/live/calls/no-such-call/transfer-target",  # no final slash
        "/api/live/calls/nul%00id/transfer-target/",  # PostgreSQL refuses NUL
    ],
)
def test_a_mistaken_transfer_target_request_still_has_an_empty_body(demo_token, path):
    """CURL() hands the body to the dialplan whatever the status."""
    text = client(demo_token).get(path)
    assert text.status_code in (404, 500)
    assert text.content == b""
