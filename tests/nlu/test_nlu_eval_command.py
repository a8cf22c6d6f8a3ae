from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from designer.models import Script, ScriptVersion, Team


@pytest.fixture
def cases(tmp_path):
    path = tmp_path / "cases.tsv"
    path.write_text(
        "yes\tда, конечно\nno\tнет\nnone\tабырвалг\ncard_question\tа что за карта\n",
        encoding="utf-8",
    )
    return path


def _run(*args):
    out = StringIO()
    call_command("nlu_eval", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_accuracy_and_the_confusion_table(tmp_path):
    path = tmp_path / "cases.tsv"
    path.write_text(
        "yes\tда, конечно\nno\tнет\nnone\tабырвалг\nexpensive\tа что за карта\n",
        encoding="utf-8",
    )

    output = _run(str(path), "--language", "ru")

    assert output.startswith("accuracy: 75.0% (3/4)\n")
    assert "expected \\ predicted" in output
    assert "line 4: expensive -> none: а что за карта" in output


def test_a_script_intent_without_the_script_is_an_unknown_intent(cases):
    with pytest.raises(CommandError, match="line 4: unknown intent 'card_question'"):
        _run(str(cases), "--language", "ru")


@pytest.mark.django_db
def test_the_script_option_adds_the_scripts_own_intents(cases):
    team = Team.objects.create(slug="bank", name="Bank")
    script = Script.objects.create(team=team, slug="cards", name="Cards", language="ru")
    examples = ["какая карта", "что за карта"]
    document = {"intents": {"card_question": {"examples": examples}}}
    ScriptVersion.objects.create(script=script, number=None, document={"intents": {}})
    ScriptVersion.objects.create(script=script, number=1, document=document)

    output = _run(str(cases), "--language", "ru", "--script", "cards")

    assert output.startswith("accuracy: 100.0% (4/4)\n")


@pytest.mark.django_db
def test_an_unknown_script_is_a_command_error(cases):
    with pytest.raises(CommandError, match="no script with the slug 'nope'"):
        _run(str(cases), "--language", "ru", "--script", "nope")


@pytest.mark.django_db
def test_a_script_in_another_language_is_a_command_error(cases):
    team = Team.objects.create(slug="bank", name="Bank")
    script = Script.objects.create(team=team, slug="cards", name="Cards", language="en")
    ScriptVersion.objects.create(script=script, number=1, document={})

    with pytest.raises(CommandError, match="script 'cards' is in 'en', not 'ru'"):
        _run(str(cases), "--language", "ru", "--script", "cards")


@pytest.mark.django_db
def test_a_script_never_published_is_a_command_error(cases):
    team = Team.objects.create(slug="bank", name="Bank")
    script = Script.objects.create(team=team, slug="cards", name="Cards", language="ru")
    ScriptVersion.objects.create(script=script, number=None, document={})

    with pytest.raises(CommandError, match="script 'cards' has no published version"):
        _run(str(cases), "--language", "ru", "--script", "cards")


def test_a_malformed_line_is_a_command_error_naming_the_line(tmp_path):
    path = tmp_path / "cases.tsv"
    path.write_text("yes\tда\nno нет\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 2: expected 'intent<TAB>phrase'"):
        _run(str(path), "--language", "ru")


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such evaluation file"):
        _run(str(tmp_path / "missing.tsv"), "--language", "ru")


def test_an_unknown_language_is_a_command_error(cases):
    with pytest.raises(CommandError, match="unknown language 'de'; use one of: ru, en"):
        _run(str(cases), "--language", "de")


@pytest.mark.django_db
def test_a_slug_two_teams_use_needs_the_team(cases):
    for team_slug in ("bank", "shop"):
        team = Team.objects.create(slug=team_slug, name=team_slug)
        script = Script.objects.create(
            team=team, slug="cards", name="Cards", language="ru"
        )
        document = {"intents": {"card_question": {"examples": ["что за карта"]}}}
        ScriptVersion.objects.create(script=script, number=1, document=document)

    with pytest.raises(CommandError, match="several teams have a script 'cards'"):
        _run(str(cases), "--language", "ru", "--script", "cards")
    assert _run(str(cases), "--language", "ru", "--script", "shop/cards").startswith(
        "accuracy: 100.0% (4/4)"
    )


def test_an_unknown_intent_in_the_file_is_refused_with_its_line(tmp_path):
    path = tmp_path / "eval.tsv"
    path.write_text("yes\tда\nbogus_intent\tчто-то\n", encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("nlu_eval", str(path), "--language", "ru", stdout=StringIO())

    assert str(refused.value).startswith("line 2: unknown intent 'bogus_intent' (known: ")


def test_a_byte_order_mark_is_not_part_of_the_first_intent(tmp_path):
    path = tmp_path / "eval.tsv"
    path.write_bytes("\ufeffyes\tда, конечно\n".encode("utf-8"))
    out = StringIO()

    call_command("nlu_eval", str(path), "--language", "ru", stdout=out)

    assert "accuracy: 100.0% (1/1)" in out.getvalue()
