"""``/api/live/routes/``: AudioSocket call routes set with a team token."""

import uuid

import pytest
from rest_framework.test import APIClient

from designer.models import ApiToken, Team
from runtime.api.views import route_for
from runtime.models import CallRoute

pytestmark = pytest.mark.django_db


def client(key):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_a_route_for_a_call_uuid_is_stored_and_found(demo_token):
    call_uuid = uuid.uuid4()
    response = client(demo_token).post("/api/live/routes/", {
        "call_uuid": str(call_uuid), "script": "bank-card-offer", "segment": "active",
        "variables": {"name": "Ольга"},
    }, format="json")

    assert response.status_code == 201
    assert response.json()["call_uuid"] == str(call_uuid)
    route = route_for(call_uuid)
    assert route.script == "bank-card-offer" and route.variables == {"name": "Ольга"}
    assert client(demo_token).get("/api/live/routes/").json()["routes"][0]["script"] == (
        "bank-card-offer"
    )


def test_the_default_route_serves_unknown_uuids_and_is_replaced_by_its_team(demo_token):
    api = client(demo_token)
    assert api.post("/api/live/routes/", {"default": True, "script": "bank-card-offer"},
                    format="json").status_code == 201
    assert api.post("/api/live/routes/", {"default": True, "script": "bank-card-offer-en"},
                    format="json").status_code == 201
    assert CallRoute.objects.filter(is_default=True).count() == 1
    assert route_for(uuid.uuid4()).script == "bank-card-offer-en"

    other = Team.objects.create(slug="other", name="Other")
    _, key = ApiToken.issue(team=other)
    taken = client(key).post("/api/live/routes/", {"default": True, "script": "x"},
                             format="json")
    assert taken.status_code == 404  # its own scripts first: it has none


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"script": "bank-card-offer"}, 400, "invalid_input"),
        ({"call_uuid": str(uuid.UUID(int=1)), "default": True, "script": "bank-card-offer"},
         400, "invalid_input"),
        ({"call_uuid": "not-a-uuid", "script": "bank-card-offer"}, 400, "invalid_input"),
        ({"call_uuid": str(uuid.UUID(int=2)), "script": "no-such"}, 404, "not_found"),
        ({"call_uuid": str(uuid.UUID(int=3)), "script": "bank-card-offer", "version": 7},
         404, "not_found"),
    ],
    ids=["neither", "both", "bad-uuid", "unknown-script", "unknown-version"],
)
def test_bad_routes_are_refused_and_change_nothing(demo_token, body, status, code):
    response = client(demo_token).post("/api/live/routes/", body, format="json")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert CallRoute.objects.count() == 0


def test_a_uuid_routed_twice_is_a_conflict(demo_token):
    body = {"call_uuid": str(uuid.uuid4()), "script": "bank-card-offer"}
    assert client(demo_token).post("/api/live/routes/", body, format="json").status_code == 201
    again = client(demo_token).post("/api/live/routes/", body, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "route_exists"


def test_routes_need_a_token(db):
    assert APIClient().get("/api/live/routes/").status_code in (401, 403)
