"""The admin pages of the designer's models, and ``issue_token``."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer import services
from designer.models import ApiToken, Script

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", None)
    client.force_login(admin)
    return client


# -- issue_token ---------------------------------------------------------------


def test_issue_token_prints_only_a_working_key(team):
    out = StringIO()
    call_command("issue_token", "--team", "acme", "--name", "telephony", stdout=out)

    key = out.getvalue().strip()
    assert out.getvalue() == key + "\n"
    token = ApiToken.objects.get()
    assert (token.team, token.name, token.prefix) == (team, "telephony", key[:10])
    assert token.digest == ApiToken.digest_of(key)
    assert key not in (token.prefix, token.digest)


def test_issue_token_for_an_unknown_team_fails(team):
    with pytest.raises(CommandError, match=r"no team 'acne' \(teams: acme\)"):
        call_command("issue_token", "--team", "acne")
    assert not ApiToken.objects.exists()


# -- the admin -----------------------------------------------------------------


@pytest.mark.parametrize(
    "model", ["team", "membership", "apitoken", "script", "scriptversion"]
)
def test_every_designer_model_has_an_admin_list(admin_client, script, model):
    assert admin_client.get(f"/admin/designer/{model}/").status_code == 200


def test_issuing_a_token_in_the_admin_shows_its_key_once(admin_client, team):
    response = admin_client.post(
        "/admin/designer/apitoken/add/", {"team": team.pk, "name": "crm"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert token.digest == ApiToken.digest_of(key)
    assert key in response.content.decode()

    page = admin_client.get(
        f"/admin/designer/apitoken/{token.pk}/change/"
    ).content.decode()
    assert token.prefix in page and key not in page


def test_a_published_version_is_read_only_in_the_admin(admin_client, script, publisher):
    version = services.script_publish(script=script, author=publisher)
    url = f"/admin/designer/scriptversion/{version.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="document"' not in page.content.decode()

    draft_page = admin_client.get(
        f"/admin/designer/scriptversion/{script.draft.pk}/change/"
    )
    assert 'name="document"' in draft_page.content.decode()


def test_a_script_added_in_the_admin_gets_its_draft(admin_client, team):
    response = admin_client.post(
        "/admin/designer/script/add/",
        {
            "team": team.pk,
            "slug": "from-admin",
            "name": "From the admin",
            "language": "en",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    script = Script.objects.get(slug="from-admin")
    assert services.script_validate(script=script) == []


def test_saving_the_draft_in_the_admin_counts_a_revision(admin_client, script):
    draft = script.draft
    response = admin_client.post(
        f"/admin/designer/scriptversion/{draft.pk}/change/",
        {"document": '{"edited": true}'},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.document, draft.revision, draft.author.username) == (
        {"edited": True},
        2,
        "root",
    )
