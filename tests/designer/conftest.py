"""Teams, people in them and API clients, for the designer's tests."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from designer import services
from designer.models import ApiToken, Membership, Team
from tests.designer.documents import valid_document

Role = Membership.Role


@pytest.fixture(autouse=True)
def prompt_audio_dir(settings, tmp_path):
    """The fixture document's variant plays a legacy file
    ("greeting-vip.wav"), so a prompt audio directory is set; without one
    validation warns about it (tests that need that unset it)."""
    settings.OUTCALL_PROMPT_AUDIO_DIR = str(tmp_path / "prompts")


@pytest.fixture
def team(db):
    return Team.objects.create(slug="acme", name="Acme Bank")


@pytest.fixture
def other_team(db):
    return Team.objects.create(slug="globex", name="Globex Bank")


def member(team, username, role):
    # No password: the tests log in with force_login, and hashing is slow.
    user = get_user_model().objects.create_user(username=username)
    Membership.objects.create(user=user, team=team, role=role)
    return user


@pytest.fixture
def viewer(team):
    return member(team, "vera", Role.VIEWER)


@pytest.fixture
def author(team):
    return member(team, "artem", Role.AUTHOR)


@pytest.fixture
def publisher(team):
    return member(team, "polina", Role.PUBLISHER)


@pytest.fixture
def script(team, author):
    """A script of ``team`` whose draft is the valid fixture document."""
    return services.script_create(
        team=team,
        slug="card-offer",
        name="Card offer",
        language="ru",
        document=valid_document(),
        author=author,
    )


@pytest.fixture
def other_script(other_team):
    return services.script_create(
        team=other_team, slug="card-offer", name="Their offer", language="ru"
    )


@pytest.fixture
def client_for():
    """An API client logged in as a user, or sending a team's token."""

    def make(user=None, *, token_team=None, key=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        if token_team is not None:
            _, key = ApiToken.issue(team=token_team, name="tests")
        if key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
