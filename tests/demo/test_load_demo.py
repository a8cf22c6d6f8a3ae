"""``manage.py load_demo``: the demo team, its user and two published
scripts, installed once however often the command runs."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from designer.management.commands import load_demo
from designer.models import Membership, Script, ScriptVersion, Team

from .conftest import demo_document

pytestmark = pytest.mark.django_db

SLUGS = ["bank-card-offer", "bank-card-offer-en"]


def run():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue().splitlines()


def published_numbers():
    return {
        script.slug: list(
            script.versions.exclude(number=None).values_list("number", flat=True)
        )
        for script in Script.objects.all()
    }


def test_the_first_run_installs_team_user_and_both_scripts_published():
    lines = run()

    team = Team.objects.get()
    assert team.slug == "demo"
    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo")
    assert Membership.objects.get(user=user, team=team).role == "publisher"
    assert published_numbers() == {slug: [1] for slug in SLUGS}
    for language, slug in zip(("ru", "en"), SLUGS):
        script = Script.objects.get(slug=slug)
        assert script.language == language
        assert script.latest_published().document == demo_document(language)
        assert script.draft.document == demo_document(language)
    assert lines == [
        "team demo: created",
        "user demo: created, password 'demo'",
        "user demo: made a publisher of team demo",
        "bank-card-offer: created and published as v1",
        "bank-card-offer-en: created and published as v1",
    ]


def test_a_second_run_changes_nothing():
    run()
    versions = list(ScriptVersion.objects.values_list("pk", "revision", "checksum"))

    lines = run()

    assert Team.objects.count() == 1
    assert get_user_model().objects.count() == 1
    assert Script.objects.count() == 2
    assert published_numbers() == {slug: [1] for slug in SLUGS}
    after = list(ScriptVersion.objects.values_list("pk", "revision", "checksum"))
    assert after == versions
    assert lines == [
        "team demo: exists",
        "user demo: exists, left as it is",
        "bank-card-offer: unchanged, v1 is published",
        "bank-card-offer-en: unchanged, v1 is published",
    ]


def test_an_existing_demo_user_keeps_its_password():
    get_user_model().objects.create_user(username="demo", password="s3cret-demo")

    lines = run()

    assert get_user_model().objects.get(username="demo").check_password("s3cret-demo")
    assert "user demo: exists, left as it is" in lines


def test_a_changed_file_is_published_as_a_new_version(tmp_path, monkeypatch):
    run()
    changed = demo_document("en")
    changed["nodes"][0]["prompt"]["variants"][0]["text"] = "Hi! Vector Bank here."
    for language in ("ru", "en"):
        filename = f"bank-card-offer{'' if language == 'ru' else '-en'}.json"
        document = changed if language == "en" else demo_document("ru")
        (tmp_path / filename).write_text(json.dumps(document), encoding="utf-8")
    monkeypatch.setattr(load_demo, "DEMO_DIR", tmp_path)

    lines = run()

    assert published_numbers() == {"bank-card-offer": [1], "bank-card-offer-en": [1, 2]}
    script = Script.objects.get(slug="bank-card-offer-en")
    assert script.latest_published().document == changed
    assert script.versions.get(number=1).document == demo_document("en")
    assert lines[-1] == (
        "bank-card-offer-en: file changed, saved as the draft and published as v2"
    )


def test_an_invalid_file_is_refused_and_nothing_is_written(tmp_path, monkeypatch):
    broken = demo_document("ru")
    broken["nodes"][0]["routes"][0]["to"] = "nowhere"
    (tmp_path / "bank-card-offer.json").write_text(json.dumps(broken), encoding="utf-8")
    (tmp_path / "bank-card-offer-en.json").write_text(
        json.dumps(demo_document("en")), encoding="utf-8"
    )
    monkeypatch.setattr(load_demo, "DEMO_DIR", tmp_path)

    with pytest.raises(CommandError) as raised:
        run()

    assert str(raised.value) == (
        "bank-card-offer.json does not validate:\n"
        "  error at greeting routes[0].to: The route goes to 'nowhere', "
        "which is not a node of the script."
    )
    assert not Team.objects.exists()
    assert not Script.objects.exists()
