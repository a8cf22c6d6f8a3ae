"""The designer's pages: login, the script list and the editor page."""

import json

import pytest
from django.test import Client

from designer import services
from designer.models import Membership
from tests.editor.helpers import make_script, make_team, member

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login():
    client = Client()
    assert client.get("/").url == "/scripts/"
    assert client.get("/scripts/").url == "/login/?next=/scripts/"
    assert client.get("/scripts/offer/edit/").url == "/login/?next=/scripts/offer/edit/"


def test_logging_in_leads_to_the_script_list():
    team = make_team()
    user = member(team, "anna", Membership.Role.AUTHOR)
    user.set_password("s3cret-pass")
    user.save()
    client = Client()
    answer = client.post("/login/", {"username": "anna", "password": "s3cret-pass"})
    assert answer.status_code == 302
    assert answer.url == "/scripts/"
    wrong = Client().post("/login/", {"username": "anna", "password": "nope"})
    assert wrong.status_code == 200
    assert b"Wrong user name or password." in wrong.content


def test_the_list_shows_the_teams_scripts_with_their_state():
    team = make_team()
    user = member(team, "anna", Membership.Role.PUBLISHER)
    offer = make_script(team, slug="offer")
    services.script_publish(script=offer, author=user)
    make_script(team, slug="second")
    make_script(make_team("globex"), slug="theirs")

    page = logged_in(user).get("/scripts/").content.decode()
    assert 'data-slug="offer"' in page
    assert 'data-slug="second"' in page
    assert "theirs" not in page
    assert "v1" in page
    assert page.count("unpublished changes") == 1
    assert "publisher" in page


def test_the_editor_page_carries_the_script_and_the_role():
    team = make_team()
    user = member(team, "vera", Membership.Role.VIEWER)
    make_script(team, slug="offer")
    answer = logged_in(user).get("/scripts/offer/edit/")
    assert answer.status_code == 200
    page = answer.content.decode()
    start = page.index('<script id="editor-config" type="application/json">')
    config = json.loads(page[start:].split(">", 1)[1].split("</script>", 1)[0])
    assert config == {
        "slug": "offer",
        "team": "acme",
        "name": "Card offer",
        "language": "en",
        "role": "viewer",
        "user": "vera",
    }
    assert "/static/build/assets/editor-" in page
    assert "csrftoken" in answer.cookies


def test_the_editor_of_another_teams_script_is_not_found():
    user = member(make_team(), "anna", Membership.Role.PUBLISHER)
    make_script(make_team("globex"), slug="theirs")
    assert logged_in(user).get("/scripts/theirs/edit/").status_code == 404
