"""designer.services: scripts, drafts, publishing, export and import."""

import hashlib
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from designer import services
from designer.errors import (
    DraftConflict,
    InvalidInput,
    LanguageMismatch,
    NothingToPublish,
    ScriptNotFound,
    ScriptProtected,
    SlugTaken,
    ValidationFailed,
    VersionNotFound,
)
from designer.graph.document import document_checksum
from designer.models import Script, ScriptVersion
from nlu.packs import BUILTIN_INTENTS
from runtime.models import CallSession
from tests.designer.documents import BUILTIN_INTENTS as FIXTURE_INTENTS
from tests.designer.documents import end, node, valid_document

pytestmark = pytest.mark.django_db


def test_the_fixture_knows_the_same_builtin_intents_as_the_matcher():
    assert set(FIXTURE_INTENTS) == set(BUILTIN_INTENTS)


# -- script_create -------------------------------------------------------------


def test_a_new_script_gets_a_valid_minimal_draft_in_its_language(team, author):
    script = services.script_create(
        team=team, slug="hello", name="Hello", language="en", author=author
    )
    draft = script.draft
    assert (draft.number, draft.revision, draft.author) == (None, 1, author)
    assert draft.document["language"] == "en"
    assert services.script_validate(script=script) == []
    assert draft.checksum == document_checksum(draft.document)


def test_a_script_keeps_the_document_it_is_created_with(script):
    assert script.draft.document == valid_document()


def test_a_slug_is_unique_within_a_team_only(team, other_team, script):
    with pytest.raises(SlugTaken, match="Team acme already has a script 'card-offer'."):
        services.script_create(
            team=team, slug="card-offer", name="Again", language="ru"
        )
    services.script_create(
        team=other_team, slug="card-offer", name="Theirs", language="ru"
    )


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"slug": "card offer"}, "'card offer' is not a valid slug"),
        ({"slug": "import"}, "'import' is reserved; choose another slug."),
        ({"name": "  "}, "A script needs a name."),
        ({"language": "de"}, "'de' is not a supported language; use one of ru, en."),
        ({"document": []}, "A script document must be a JSON object."),
    ],
)
def test_script_create_refuses_bad_input_and_creates_nothing(team, fields, message):
    arguments = {"slug": "ok", "name": "OK", "language": "ru", **fields}
    with pytest.raises(InvalidInput, match=message):
        services.script_create(team=team, **arguments)
    assert not Script.objects.exists()


# -- draft_save ----------------------------------------------------------------


def test_saving_the_draft_replaces_its_document_and_counts_a_revision(
    script, publisher
):
    document = valid_document()
    document["nodes"].append(end("spare"))

    draft = services.draft_save(
        script=script, document=document, author=publisher, base_revision=1
    )

    draft.refresh_from_db()
    assert (draft.revision, draft.author, draft.document) == (2, publisher, document)
    assert draft.checksum == document_checksum(document)


def test_a_save_based_on_an_old_revision_is_a_conflict_and_changes_nothing(
    script, author
):
    services.draft_save(
        script=script, document={"a": 1}, author=author, base_revision=1
    )

    with pytest.raises(DraftConflict) as caught:
        services.draft_save(
            script=script, document={"b": 2}, author=author, base_revision=1
        )

    assert caught.value.current_revision == 2
    assert caught.value.as_dict()["current_revision"] == 2
    assert script.draft.document == {"a": 1}


def test_a_save_without_base_revision_overwrites(script, author):
    services.draft_save(
        script=script, document={"a": 1}, author=author, base_revision=1
    )
    draft = services.draft_save(
        script=script, document={"b": 2}, author=author, base_revision=None
    )
    assert (draft.revision, draft.document) == (3, {"b": 2})


def test_a_draft_may_be_invalid_but_must_be_an_object(script, author):
    services.draft_save(
        script=script, document={"nodes": "soon"}, author=author, base_revision=None
    )
    with pytest.raises(InvalidInput, match="must be a JSON object"):
        services.draft_save(
            script=script, document="{}", author=author, base_revision=None
        )
    assert script.draft.document == {"nodes": "soon"}


# -- script_validate -----------------------------------------------------------


def test_validate_checks_the_draft_or_a_given_document(script, author):
    assert services.script_validate(script=script) == []
    broken = valid_document()
    del node(broken, "end_refusal")["outcome"]
    assert [
        p.code for p in services.script_validate(script=script, document=broken)
    ] == ["missing_outcome"]
    assert [p.code for p in services.script_validate(document=broken)] == [
        "missing_outcome"
    ]


def test_the_document_must_be_in_the_scripts_language(script):
    document = valid_document()
    document["language"] = "en"
    [problem] = services.script_validate(script=script, document=document)
    assert (problem.code, problem.node, problem.field) == (
        "language_mismatch",
        None,
        "language",
    )


def test_validate_needs_a_script_or_a_document():
    with pytest.raises(TypeError, match="needs script=, document= or both"):
        services.script_validate()


# -- script_publish ------------------------------------------------------------


def test_publishing_creates_numbered_versions_with_the_drafts_document(
    script, publisher
):
    first = services.script_publish(script=script, author=publisher)
    services.draft_save(
        script=script, document=minimal_valid(), author=publisher, base_revision=None
    )
    second = services.script_publish(script=script, author=publisher)

    assert (first.number, second.number) == (1, 2)
    assert (second.revision, second.author) == (2, publisher)
    assert second.published_at is not None
    assert second.document == script.draft.document
    assert script.draft.number is None


def test_an_unchanged_draft_is_not_published_again(script, publisher):
    services.script_publish(script=script, author=publisher)
    with pytest.raises(NothingToPublish) as caught:
        services.script_publish(script=script, author=publisher)
    assert caught.value.as_dict() == {
        "code": "nothing_to_publish",
        "message": "The draft is the same as version 1; change it before "
        "publishing again.",
    }
    assert script.versions.filter(number__isnull=False).count() == 1


def minimal_valid() -> dict:
    document = valid_document()
    node(document, "greeting")["title"] = "Hello"
    return document


def test_the_checksum_is_sha256_of_the_canonical_json(script, publisher):
    version = services.script_publish(script=script, author=publisher)
    canonical = json.dumps(
        valid_document(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert version.checksum == hashlib.sha256(canonical.encode()).hexdigest()


def test_an_invalid_draft_is_not_published(script, publisher):
    document = valid_document()
    document["start"] = "nowhere"
    node(document, "offer")["routes"][0]["intent"] = "maybe"
    services.draft_save(
        script=script, document=document, author=publisher, base_revision=None
    )

    with pytest.raises(ValidationFailed) as caught:
        services.script_publish(script=script, author=publisher)

    assert {p.code for p in caught.value.problems} >= {
        "missing_start",
        "unknown_intent",
    }
    assert caught.value.as_dict()["code"] == "validation_failed"
    assert not script.versions.filter(number__isnull=False).exists()


def test_warnings_do_not_stop_publishing(script, publisher):
    document = valid_document()
    document["nodes"].append(end("orphan"))
    services.draft_save(
        script=script, document=document, author=publisher, base_revision=None
    )
    assert services.script_publish(script=script, author=publisher).number == 1


def test_publishing_a_revision_that_moved_on_is_a_conflict(script, publisher):
    with pytest.raises(DraftConflict):
        services.script_publish(script=script, author=publisher, base_revision=7)
    assert (
        services.script_publish(script=script, author=publisher, base_revision=1).number
        == 1
    )


def test_a_published_version_never_changes(script, publisher):
    version = services.script_publish(script=script, author=publisher)
    services.draft_save(
        script=script, document={"edited": True}, author=publisher, base_revision=None
    )

    version.refresh_from_db()
    assert version.document == valid_document()
    version.document = {"edited": True}
    with pytest.raises(ValidationError, match="A published version never changes"):
        version.save()
    version.refresh_from_db()
    assert version.document == valid_document()


# -- resolve_version -----------------------------------------------------------


def test_resolve_finds_the_latest_or_a_numbered_version(team, script, publisher):
    services.script_publish(script=script, author=publisher)
    services.draft_save(
        script=script, document=minimal_valid(), author=None, base_revision=None
    )
    services.script_publish(script=script, author=publisher)
    assert services.resolve_version(team=team, slug="card-offer").number == 2
    assert (
        services.resolve_version(team="acme", slug="card-offer", number=1).number == 1
    )


def test_resolve_says_what_is_missing(team, other_team, script, publisher):
    with pytest.raises(VersionNotFound, match="has no published version yet"):
        services.resolve_version(team=team, slug="card-offer")
    services.script_publish(script=script, author=publisher)
    with pytest.raises(VersionNotFound, match="Script 'card-offer' has no version 5."):
        services.resolve_version(team=team, slug="card-offer", number=5)
    with pytest.raises(ScriptNotFound, match="Team globex has no script 'card-offer'."):
        services.resolve_version(team=other_team, slug="card-offer")


# -- export and import ---------------------------------------------------------


def test_an_export_bundles_the_document_with_its_script_and_version(script, publisher):
    version = services.script_publish(script=script, author=publisher)
    bundle = services.version_export(version=version)
    assert bundle == {
        "outcall_export": 1,
        "script": {"slug": "card-offer", "name": "Card offer", "language": "ru"},
        "version": {
            "number": 1,
            "checksum": version.checksum,
            "published_at": version.published_at.isoformat(),
            "author": "polina",
        },
        "document": valid_document(),
    }


def test_export_import_export_is_stable(team, other_team, script, publisher):
    version = services.script_publish(script=script, author=publisher)
    exported = json.loads(json.dumps(services.version_export(version=version)))

    copy = services.script_import(team=other_team, bundle=exported, author=None)
    again = services.version_export(version=copy.draft)
    republished = services.script_publish(script=copy, author=None)

    assert (copy.slug, copy.name, copy.language) == ("card-offer", "Card offer", "ru")
    assert again["document"] == exported["document"]
    assert again["version"]["checksum"] == exported["version"]["checksum"]
    assert republished.checksum == version.checksum


def test_import_replaces_only_the_draft_of_an_existing_script(team, script, publisher):
    version = services.script_publish(script=script, author=publisher)
    document = valid_document()
    node(document, "offer")["title"] = "Offer"
    bundle = {**services.version_export(version=version), "document": document}
    del bundle["version"]

    imported = services.script_import(team=team, bundle=bundle, author=publisher)

    assert imported.pk == script.pk
    assert (script.draft.document, script.draft.revision) == (document, 2)
    version.refresh_from_db()
    assert version.document == valid_document()
    assert script.versions.count() == 2


def test_import_under_another_slug_creates_a_new_script(team, script):
    bundle = services.version_export(version=script.draft)
    copy = services.script_import(
        team=team, bundle=bundle, author=None, slug="card-offer-2"
    )
    assert (copy.slug, copy.draft.document) == ("card-offer-2", valid_document())


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda b: b.pop("outcall_export"), "This is not an Outcall export"),
        (lambda b: b["script"].pop("name"), 'The bundle\'s script has no "name".'),
        (
            lambda b: b["script"].update(language="fr"),
            "'fr' is not a supported language",
        ),
        (
            lambda b: b.update(document=[]),
            'The bundle\'s "document" must be a JSON object.',
        ),
        (lambda b: b["document"].update(start="offer"), "The document does not match"),
        (
            lambda b: b["script"].update(slug="card offer"),
            "'card offer' is not a valid slug",
        ),
    ],
)
def test_a_bad_bundle_is_refused_and_changes_nothing(team, script, change, message):
    bundle = services.version_export(version=script.draft)
    change(bundle)
    with pytest.raises(InvalidInput, match=message):
        services.script_import(team=team, bundle=bundle, author=None)
    assert Script.objects.count() == 1
    assert script.draft.revision == 1


def test_an_invalid_document_is_not_imported(team, script):
    bundle = services.version_export(version=script.draft)
    bundle["document"]["start"] = "nowhere"
    del bundle["version"]["checksum"]
    with pytest.raises(ValidationFailed, match="nothing was imported") as caught:
        services.script_import(team=team, bundle=bundle, author=None, slug="fresh")
    assert [p.code for p in caught.value.problems] == ["missing_start"]
    assert not Script.objects.filter(slug="fresh").exists()


def test_an_import_must_be_in_the_language_of_the_script_it_replaces(team, script):
    english = services.script_create(team=team, slug="en", name="En", language="en")
    bundle = services.version_export(version=script.draft)
    with pytest.raises(LanguageMismatch) as caught:
        services.script_import(team=team, bundle=bundle, author=None, slug="en")
    assert caught.value.as_dict() == {
        "code": "language_mismatch",
        "message": "The bundle is in 'ru' but script 'en' is in 'en'; import it "
        "under another slug (?slug=) instead. Nothing was imported.",
    }
    assert english.draft.revision == 1


def test_an_import_whose_document_is_not_in_the_bundles_language_is_refused(team):
    english = services.script_create(team=team, slug="en", name="En", language="en")
    bundle = services.version_export(version=english.draft)
    bundle["script"]["language"] = "ru"
    with pytest.raises(LanguageMismatch) as caught:
        services.script_import(team=team, bundle=bundle, author=None, slug="fresh")
    assert caught.value.message == (
        "The bundle's script is in 'ru' but its document says 'en'; nothing "
        "was imported."
    )
    assert not Script.objects.filter(slug="fresh").exists()


def test_a_bundle_declaring_the_scripts_language_must_hold_a_document_in_it(
    team, script
):
    english = services.script_create(team=team, slug="en", name="En", language="en")
    bundle = services.version_export(version=script.draft)
    bundle["script"]["language"] = "en"
    with pytest.raises(LanguageMismatch, match="its document says 'ru'"):
        services.script_import(team=team, bundle=bundle, author=None, slug="en")
    assert english.draft.revision == 1


# -- script_delete -------------------------------------------------------------


def test_a_script_never_published_can_be_deleted(script):
    services.script_delete(script=script)
    assert not Script.objects.exists()
    assert not ScriptVersion.objects.exists()


def test_a_published_script_is_kept(script, publisher):
    services.script_publish(script=script, author=publisher)
    with pytest.raises(ScriptProtected, match="has published versions"):
        services.script_delete(script=script)
    assert ScriptVersion.objects.count() == 2


def test_a_script_with_calls_is_kept(script):
    CallSession.objects.create(
        call_id="sim-1",
        script=script,
        version=script.draft,
        source=CallSession.Source.SIMULATION,
        started_at=timezone.now(),
    )
    with pytest.raises(ScriptProtected, match="has calls in the event log"):
        services.script_delete(script=script)
    assert Script.objects.filter(pk=script.pk).exists()
