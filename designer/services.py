"""Every change to scripts and versions goes through these functions.

Each one takes keyword-only arguments, checks its input first, and makes
its change in one transaction; bad input raises a ``designer.errors``
error and changes nothing. The API, the admin and the commands call them.
"""

import copy
import logging

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

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
from designer.graph.document import FORMAT, FORMAT_VERSION, document_checksum
from designer.graph.validation import Problem, has_errors, validate_document
from designer.models import Script, ScriptVersion, Team
from designer.prompt_audio import (
    audio_store,
    discard_bundle_files,
    discard_files,
    import_audio,
    read_bundle_audio,
    script_audio_delete,
    script_audio_references,
    version_audio_bundle,
    version_keep_audio,
)
from nlu.packs import BUILTIN_INTENTS

logger = logging.getLogger("outcall.designer")

EXPORT_FORMAT = 1
# How deeply objects and lists may nest in a document; a valid one needs
# about 8 levels. Deeper ones would exhaust the stack of the recursive code
# that reads them (the schema validator, copying, JSON output).
MAX_DEPTH = 32
# Path segments of the API that a script slug would shadow.
RESERVED_SLUGS = frozenset({"import"})

_GREETINGS = {"ru": "Здравствуйте!", "en": "Hello!"}
_GOODBYES = {"ru": "До свидания!", "en": "Goodbye!"}


def default_document(*, language: str) -> dict:
    """The smallest valid script: a greeting, then goodbye."""
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "language": language,
        "start": "greeting",
        "variables": {},
        "intents": {},
        "global_routes": [],
        "nodes": [
            {
                "id": "greeting",
                "type": "greeting",
                "prompt": {"variants": [{"id": "a", "text": _GREETINGS[language]}]},
                "routes": [
                    {"event": "no_input", "to": "end"},
                    {"event": "no_match", "to": "end"},
                ],
                "position": {"x": 0, "y": 0},
            },
            {
                "id": "end",
                "type": "end",
                "prompt": {"variants": [{"id": "a", "text": _GOODBYES[language]}]},
                "outcome": "no_response",
                "position": {"x": 0, "y": 200},
            },
        ],
    }


# -- scripts and drafts -------------------------------------------------------


def script_create(
    *,
    team: Team,
    slug: str,
    name: str,
    language: str,
    document: dict | None = None,
    author: AbstractBaseUser | None = None,
) -> Script:
    """Create a script and its draft (``default_document`` when none given)."""
    _check_slug(slug)
    name = _check_name(name)
    _check_language(language)
    if document is None:
        document = default_document(language=language)
    _check_document(document)

    with transaction.atomic():
        return _script_create(
            team=team,
            slug=slug,
            name=name,
            language=language,
            document=document,
            author=author,
        )


def _script_create(*, team, slug, name, language, document, author) -> Script:
    if Script.objects.filter(team=team, slug=slug).exists():
        raise SlugTaken(f"Team {team.slug} already has a script '{slug}'.")
    try:
        with transaction.atomic():
            script = Script.objects.create(
                team=team, slug=slug, name=name, language=language
            )
    except IntegrityError:  # created meanwhile by a concurrent request
        raise SlugTaken(f"Team {team.slug} already has a script '{slug}'.") from None
    ScriptVersion.objects.create(
        script=script,
        document=document,
        checksum=document_checksum(document),
        author=author,
    )
    logger.info("script %s/%s created", team.slug, slug)
    return script


def script_update(*, script: Script, name: str) -> Script:
    """Rename a script. Its slug and language stay what they were made."""
    script.name = _check_name(name)
    with transaction.atomic():
        script.save(update_fields=["name", "updated_at"])
    return script


def script_delete(*, script: Script) -> None:
    """Delete a script that was never published (and never called), with
    its recordings."""
    with audio_store().locked():
        with transaction.atomic():
            locked = Script.objects.select_for_update().get(pk=script.pk)
            if locked.versions.filter(number__isnull=False).exists():
                raise ScriptProtected(
                    f"Script '{script.slug}' has published versions; they are "
                    "kept for good, and so is the script."
                )
            try:
                with transaction.atomic():
                    recordings = script_audio_delete(script=locked)
                    locked.versions.all().delete()
                    locked.delete()
            except ProtectedError:
                raise ScriptProtected(
                    f"Script '{script.slug}' has calls in the event log and is kept."
                ) from None
        discard_files(recordings)
    logger.info("script %s/%s deleted", script.team.slug, script.slug)


def draft_save(
    *,
    script: Script,
    document: dict,
    author: AbstractBaseUser | None,
    base_revision: int | None,
) -> ScriptVersion:
    """Replace the draft's document; the draft's revision goes up by one.

    ``base_revision`` is the revision the editor started from: when someone
    saved in between, ``DraftConflict`` says so instead of overwriting their
    work. ``None`` overwrites whatever is there. A draft may be invalid
    (work in progress), but it must be a JSON object.
    """
    _check_document(document)
    with transaction.atomic():
        draft = _locked_draft(script)
        if base_revision is not None and base_revision != draft.revision:
            raise DraftConflict(draft.revision)
        _draft_replace(draft, document=document, author=author)
    return draft


def _locked_draft(script: Script) -> ScriptVersion:
    return ScriptVersion.objects.select_for_update().get(
        script=script, number__isnull=True
    )


def _draft_replace(draft: ScriptVersion, *, document: dict, author) -> None:
    draft.document = document
    draft.checksum = document_checksum(document)
    draft.revision += 1
    draft.author = author
    draft.save(
        update_fields=["document", "checksum", "revision", "author", "updated_at"]
    )


# -- validation and publishing ------------------------------------------------


def script_validate(
    *, script: Script | None = None, document: dict | None = None
) -> list[Problem]:
    """Every problem of ``document``, or of the script's draft.

    With both, ``document`` is checked as the script's next draft would be
    (its language must be the script's, its recordings the script's).
    """
    if script is None and document is None:
        raise TypeError("script_validate() needs script=, document= or both")
    if document is None:
        document = script.draft.document
    else:
        _check_depth(document, "The document")

    audio = script_audio_references(script) if script is not None else None
    problems = validate_document(
        document,
        builtin_intents=BUILTIN_INTENTS,
        audio=audio,
        legacy_audio=bool(settings.OUTCALL_PROMPT_AUDIO_DIR),
    )
    if script is not None:
        problems += _language_problems(document, script.language)
    return problems


def _language_problems(document, language: str) -> list[Problem]:
    found = document.get("language") if isinstance(document, dict) else None
    if found in Script.Language.values and found != language:
        return [
            Problem(
                "language_mismatch",
                f"The script is in '{language}' but the document says "
                f"'{found}'; make a new script for another language.",
                field="language",
            )
        ]
    return []


def script_publish(
    *,
    script: Script,
    author: AbstractBaseUser | None,
    base_revision: int | None = None,
) -> ScriptVersion:
    """Publish the draft as the script's next immutable version.

    Raises ``ValidationFailed`` with every problem when the draft has
    errors (warnings do not stop it), and ``DraftConflict`` when
    ``base_revision`` is given and the draft has moved on since.
    """
    with transaction.atomic():
        # Locking the script row makes concurrent publishes take turns, so
        # each gets its own number.
        Script.objects.select_for_update().get(pk=script.pk)
        draft = _locked_draft(script)
        if base_revision is not None and base_revision != draft.revision:
            raise DraftConflict(
                draft.revision,
                f"The draft changed after revision {base_revision}, which you "
                f"meant to publish; it is now at revision {draft.revision}. "
                f"Nothing was published: review the draft and publish with "
                f"base_revision {draft.revision}.",
            )
        latest = script.versions.filter(number__isnull=False).order_by("-number")
        latest = latest.only("number", "checksum").first()
        checksum = document_checksum(draft.document)
        if latest is not None and latest.checksum == checksum:
            raise NothingToPublish(
                f"The draft is the same as version {latest.number}; change it "
                "before publishing again."
            )

        problems = script_validate(script=script, document=draft.document)
        if has_errors(problems):
            raise ValidationFailed(problems)

        last = latest.number if latest is not None else 0
        version = ScriptVersion.objects.create(
            script=script,
            number=last + 1,
            document=copy.deepcopy(draft.document),
            checksum=checksum,
            revision=draft.revision,
            author=author,
            published_at=timezone.now(),
        )
        version_keep_audio(version=version)
    logger.info(
        "script %s/%s published as version %s (%s)",
        script.team.slug,
        script.slug,
        version.number,
        version.checksum[:12],
    )
    return version


def resolve_version(
    *, team: Team | str, slug: str, number: int | None = None
) -> ScriptVersion:
    """A published version of a team's script: ``number``, or the latest.

    ``team`` is a ``Team`` or its slug.
    """
    scripts = Script.objects.select_related("team")
    if isinstance(team, Team):
        scripts = scripts.filter(team=team)
    else:
        scripts = scripts.filter(team__slug=team)
    script = scripts.filter(slug=slug).first()
    if script is None:
        raise ScriptNotFound(f"Team {team} has no script '{slug}'.")

    published = script.versions.filter(number__isnull=False).select_related(
        "script__team"
    )
    if number is None:
        version = published.order_by("-number").first()
        if version is None:
            raise VersionNotFound(
                f"Script '{slug}' has no published version yet; publish it first."
            )
        return version
    version = published.filter(number=number).first()
    if version is None:
        raise VersionNotFound(f"Script '{slug}' has no version {number}.")
    return version


# -- export and import --------------------------------------------------------


def version_export(*, version: ScriptVersion, audio: bool = True) -> dict:
    """A bundle of a version (or the draft) that ``script_import`` reads.

    With ``audio`` the bundle carries the recordings the document plays,
    as base64 WAV under ``"audio"`` (left out when there are none), so that
    it imports into any team; without, importing it needs the recordings in
    the target script.
    """
    script = version.script
    bundle = {
        "outcall_export": EXPORT_FORMAT,
        "script": {
            "slug": script.slug,
            "name": script.name,
            "language": script.language,
        },
        "version": {
            "number": version.number,
            "checksum": document_checksum(version.document),
            "published_at": (
                version.published_at.isoformat() if version.published_at else None
            ),
            "author": version.author.get_username() if version.author else None,
        },
        "document": copy.deepcopy(version.document),
    }
    recordings = version_audio_bundle(version=version) if audio else {}
    if recordings:
        bundle["audio"] = recordings
    return bundle


def script_import(
    *,
    team: Team,
    bundle: dict,
    author: AbstractBaseUser | None,
    slug: str | None = None,
) -> Script:
    """Import an exported bundle into ``team``, as the draft of a script.

    Creates the script (named and slugged as in the bundle, unless ``slug``
    is given) or replaces the draft of the team's script with that slug.
    Published versions are never touched. The document must be valid:
    what is imported is meant to be published. Every recording it plays
    must come with the bundle (``"audio"``) or be the target script's
    already; the bundle's recordings are added to the script.
    """
    _check_depth(bundle, "The bundle")
    meta, document = _read_bundle(bundle)
    slug = slug if slug is not None else meta["slug"]
    _check_slug(slug)
    recordings = read_bundle_audio(bundle.get("audio"))

    with audio_store().locked():
        try:
            with transaction.atomic():
                script = _import(
                    team, meta, document, recordings, slug=slug, author=author
                )
        finally:
            # What no recording names: all of it after a failure, and the
            # copies of recordings the script already had.
            discard_bundle_files(recordings)
    logger.info("script %s/%s imported", team.slug, slug)
    return script


def _import(team, meta, document, recordings, *, slug, author) -> Script:
    script = Script.objects.select_for_update().filter(team=team, slug=slug).first()
    _check_bundle_language(meta["language"], document, script)
    language = script.language if script else meta["language"]
    audio = {r.reference for r in recordings}
    if script is not None:
        audio |= script_audio_references(script)
    problems = validate_document(
        document,
        builtin_intents=BUILTIN_INTENTS,
        audio=audio,
        legacy_audio=bool(settings.OUTCALL_PROMPT_AUDIO_DIR),
    )
    problems += _language_problems(document, language)
    if has_errors(problems):
        raise ValidationFailed(
            problems,
            "The imported document has errors; nothing was imported.",
        )

    if script is None:
        script = _script_create(
            team=team,
            slug=slug,
            name=meta["name"],
            language=language,
            document=document,
            author=author,
        )
    else:
        _draft_replace(_locked_draft(script), document=document, author=author)
    import_audio(script=script, recordings=recordings, author=author)
    return script


def _check_bundle_language(declared: str, document: dict, script) -> None:
    """The bundle's script, its document and the script it replaces (if
    any) must all be in one language."""
    found = document.get("language")
    if isinstance(found, str) and found != declared:
        raise LanguageMismatch(
            f"The bundle's script is in '{declared}' but its document says "
            f"'{found}'; nothing was imported."
        )
    if script is not None and script.language != declared:
        raise LanguageMismatch(
            f"The bundle is in '{declared}' but script '{script.slug}' is in "
            f"'{script.language}'; import it under another slug (?slug=) "
            "instead. Nothing was imported."
        )


def _read_bundle(bundle) -> tuple[dict, dict]:
    if not isinstance(bundle, dict) or bundle.get("outcall_export") != EXPORT_FORMAT:
        raise InvalidInput(
            "This is not an Outcall export: a bundle is a JSON object with "
            f'"outcall_export": {EXPORT_FORMAT}, "script" and "document".'
        )
    meta = bundle.get("script")
    if not isinstance(meta, dict):
        raise InvalidInput('The bundle has no "script" object.')
    for key in ("slug", "name", "language"):
        if not isinstance(meta.get(key), str):
            raise InvalidInput(f'The bundle\'s script has no "{key}".')
    _check_language(meta["language"])
    meta = {**meta, "name": _check_name(meta["name"])}

    document = bundle.get("document")
    if not isinstance(document, dict):
        raise InvalidInput('The bundle\'s "document" must be a JSON object.')
    version = bundle.get("version") or {}
    if not isinstance(version, dict):
        raise InvalidInput('The bundle\'s "version" must be an object.')
    checksum = version.get("checksum")
    if checksum is not None and checksum != document_checksum(document):
        raise InvalidInput(
            "The document does not match the bundle's checksum: it was "
            "changed after export. To import an edited bundle, remove "
            '"version.checksum".'
        )
    return meta, copy.deepcopy(document)


# -- input checks -------------------------------------------------------------


def _check_slug(slug) -> None:
    try:
        if not isinstance(slug, str) or len(slug) > 50:
            raise DjangoValidationError("too long")
        validate_slug(slug)
    except DjangoValidationError:
        raise InvalidInput(
            f"'{slug}' is not a valid slug: use 1 to 50 letters, digits, '-' or '_'."
        ) from None
    if slug in RESERVED_SLUGS:
        raise InvalidInput(f"'{slug}' is reserved; choose another slug.")


def _check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput("A script needs a name.")
    if len(name) > 200:
        raise InvalidInput("A script name is at most 200 characters.")
    return name.strip()


def _check_language(language) -> None:
    if language not in Script.Language.values:
        raise InvalidInput(
            f"'{language}' is not a supported language; use one of "
            f"{', '.join(Script.Language.values)}."
        )


def _check_document(document) -> None:
    if not isinstance(document, dict):
        raise InvalidInput("A script document must be a JSON object.")
    _check_depth(document, "The document")


def _check_depth(value, what: str) -> None:
    """Refuse objects and lists nested deeper than ``MAX_DEPTH``.

    Walks with a stack of its own rather than recursing, so that the check
    cannot fail the way it guards against.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise InvalidInput(
                f"{what} nests objects and lists more than {MAX_DEPTH} levels "
                "deep; a script document needs far fewer."
            )
        stack.extend((child, depth + 1) for child in children)
