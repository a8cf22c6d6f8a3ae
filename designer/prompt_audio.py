"""The recordings of a script: upload, list, delete, and what versions keep.

A recording belongs to one script of one team; its file lives once in the
content-addressed store (``designer.audio_store``) however many scripts
upload the same audio. Every change here takes the store's lock around its
transaction, and a file is removed only when no recording row names it,
so a failed change stores nothing and a file in use is never lost.
"""

import base64
import binascii
import hashlib
import logging
import math
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from designer.audio_store import AudioStore, is_reference, reference_of, sha256_of
from designer.audio_upload import SILENT_DBFS, normalise_upload, silence_warning
from designer.errors import AudioInUse, AudioNotFound, DesignerError, InvalidInput
from designer.models import PromptAudio, Script, ScriptVersion, VersionAudio

logger = logging.getLogger("outcall.designer")

MAX_NAME = 200


def audio_store() -> AudioStore:
    return AudioStore(settings.OUTCALL_PROMPT_AUDIO_STORE)


@dataclass(frozen=True)
class AudioUse:
    """A variant that plays a recording (or names a legacy file)."""

    node: str
    variant: str
    audio: str

    def as_dict(self) -> dict:
        return {"node": self.node, "variant": self.variant}


def document_audio(document) -> list[AudioUse]:
    """Every variant of ``document`` with an ``audio``, read defensively
    (a draft may be malformed)."""
    uses = []
    nodes = document.get("nodes") if isinstance(document, dict) else None
    for node in nodes if isinstance(nodes, list) else ():
        prompt = node.get("prompt") if isinstance(node, dict) else None
        variants = prompt.get("variants") if isinstance(prompt, dict) else None
        for variant in variants if isinstance(variants, list) else ():
            audio = variant.get("audio") if isinstance(variant, dict) else None
            if isinstance(audio, str) and audio:
                node_id, variant_id = str(node.get("id")), str(variant.get("id"))
                uses.append(AudioUse(node_id, variant_id, audio))
    return uses


def script_audio_references(script: Script) -> set[str]:
    """The ``sha256:…`` references of the script's recordings."""
    digests = script.prompt_audio.values_list("sha256", flat=True)
    return {reference_of(digest) for digest in digests}


# -- upload -------------------------------------------------------------------


@dataclass
class Upload:
    audio: PromptAudio
    created: bool
    warnings: list = field(default_factory=list)


def prompt_audio_upload(
    *,
    script: Script,
    data: bytes,
    name: str,
    uploaded_by: AbstractBaseUser | None,
) -> Upload:
    """Add a recording to ``script``: checked, normalised, stored once.

    The same audio uploaded again gives the same recording (``created`` is
    false) under its first name. Bad audio raises ``AudioRejected`` or
    ``AudioTooLarge`` and stores nothing.
    """
    name = _check_name(name)
    normalised = normalise_upload(
        data,
        max_bytes=settings.OUTCALL_PROMPT_AUDIO_MAX_BYTES,
        max_seconds=settings.OUTCALL_PROMPT_AUDIO_MAX_SECONDS,
    )
    store = audio_store()
    with store.locked():
        try:
            # The files first: once the row exists, they must.
            store.put_wav(normalised.sha256, normalised.wav)
            store.put_original(normalised.original_sha256, data)
            with transaction.atomic():
                audio, created = _recording_row(script, normalised, name, uploaded_by)
        except BaseException:
            _discard_unreferenced(
                store, [normalised.sha256], [normalised.original_sha256]
            )
            raise
        if not created:
            # The recording keeps the original of its first upload.
            _discard_unreferenced(store, [], [normalised.original_sha256])
    if created:
        logger.info(
            "script %s/%s: recording %s uploaded (%s, %.1f s)",
            script.team.slug, script.slug, normalised.sha256[:12], name,
            normalised.duration,
        )
    return Upload(audio=audio, created=created, warnings=list(normalised.warnings))


def _recording_row(script, normalised, name, uploaded_by) -> tuple[PromptAudio, bool]:
    found = PromptAudio.objects.filter(script=script, sha256=normalised.sha256).first()
    if found is not None:
        return found, False
    peak = normalised.peak_dbfs
    try:
        with transaction.atomic():
            audio = PromptAudio.objects.create(
                script=script,
                sha256=normalised.sha256,
                name=name,
                duration=normalised.duration,
                size=len(normalised.wav),
                peak_dbfs=peak if math.isfinite(peak) else None,
                original_sha256=normalised.original_sha256,
                original_format=normalised.original_format,
                original_sample_rate=normalised.original_sample_rate,
                original_channels=normalised.original_channels,
                original_size=normalised.original_size,
                uploaded_by=uploaded_by,
            )
    except IntegrityError:  # the same audio, uploaded meanwhile elsewhere
        return PromptAudio.objects.get(script=script, sha256=normalised.sha256), False
    return audio, True


def _check_name(name) -> str:
    if not isinstance(name, str):
        raise InvalidInput("A recording's name must be text.")
    # Only the file's own name, never a client's folders.
    name = PurePath(name.replace("\\", "/")).name.strip()
    if not name:
        raise InvalidInput("A recording needs a name (the file name will do).")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A recording's name is at most {MAX_NAME} characters.")
    return name


# -- reading ------------------------------------------------------------------


def prompt_audio_get(*, script: Script, sha256: str) -> PromptAudio:
    audio = (
        PromptAudio.objects.filter(script=script, sha256=sha256)
        .select_related("uploaded_by")
        .first()
    )
    if audio is None:
        raise AudioNotFound(
            f"Script '{script.slug}' has no recording {reference_of(sha256)}."
        )
    return audio


def audio_usage(*, script: Script, recordings) -> dict[int, dict]:
    """Where each recording is used: ``{pk: {"draft": [AudioUse…],
    "versions": [numbers]}}``, in two queries."""
    recordings = list(recordings)
    usage = {audio.pk: {"draft": [], "versions": []} for audio in recordings}
    links = VersionAudio.objects.filter(audio__in=recordings)
    numbers = links.order_by("version__number").values_list("audio_id", "version__number")
    for audio_id, number in numbers:
        usage[audio_id]["versions"].append(number)
    by_reference = {audio.reference: audio.pk for audio in recordings}
    for use in document_audio(script.draft.document):
        if use.audio in by_reference:
            usage[by_reference[use.audio]]["draft"].append(use)
    return usage


def recording_warnings(audio: PromptAudio) -> list[dict]:
    peak = audio.peak_dbfs if audio.peak_dbfs is not None else -math.inf
    return [silence_warning(peak)] if peak < SILENT_DBFS else []


# -- delete -------------------------------------------------------------------


def prompt_audio_delete(*, script: Script, sha256: str) -> None:
    """Delete a recording no version uses, the draft included.

    A recording a published version plays is kept for good; one the draft
    plays is kept until the draft no longer names it. Both raise
    ``AudioInUse`` saying where it is used.
    """
    store = audio_store()
    with store.locked():
        with transaction.atomic():
            # The draft before the recording, in the order publishing locks.
            draft = ScriptVersion.objects.select_for_update().get(
                script=script, number__isnull=True
            )
            audio = (
                PromptAudio.objects.select_for_update()
                .filter(script=script, sha256=sha256)
                .first()
            )
            if audio is None:
                raise AudioNotFound(
                    f"Script '{script.slug}' has no recording {reference_of(sha256)}."
                )
            _check_unused(script, audio, draft)
            audio.delete()
        _discard_unreferenced(store, [audio.sha256], [audio.original_sha256])
    logger.info(
        "script %s/%s: recording %s deleted", script.team.slug, script.slug, sha256[:12]
    )


def _check_unused(script: Script, audio: PromptAudio, draft: ScriptVersion) -> None:
    numbers = sorted(
        audio.version_links.values_list("version__number", flat=True).distinct()
    )
    if numbers:
        listed = ", ".join(str(n) for n in numbers)
        noun = "version" if len(numbers) == 1 else "versions"
        raise AudioInUse(
            f"Recording '{audio.name}' is played by published {noun} {listed} of "
            f"'{script.slug}'. Published versions never change, so it is kept."
        )
    uses = [u for u in document_audio(draft.document) if u.audio == audio.reference]
    if uses:
        where = ", ".join(f"node '{u.node}' variant '{u.variant}'" for u in uses)
        raise AudioInUse(
            f"Recording '{audio.name}' is used by the draft ({where}). Remove it "
            "from those variants and save the draft, then delete it."
        )


def script_audio_delete(*, script: Script) -> list[tuple[str, str]]:
    """Delete the recordings of a script that is itself being deleted, in
    that transaction; returns their digests for ``discard_files``."""
    rows = list(script.prompt_audio.values_list("sha256", "original_sha256"))
    script.prompt_audio.all().delete()
    return rows


def _discard_unreferenced(store: AudioStore, digests, originals) -> None:
    """Remove the files no recording row names (hold the store's lock)."""
    used = set(
        PromptAudio.objects.filter(sha256__in=digests).values_list("sha256", flat=True)
    )
    for digest in set(digests) - used:
        store.remove_wav(digest)
    used = set(
        PromptAudio.objects.filter(original_sha256__in=originals).values_list(
            "original_sha256", flat=True
        )
    )
    for digest in set(originals) - used:
        store.remove_original(digest)


def discard_files(rows) -> None:
    """After a script's recordings were deleted: their unused files."""
    store = audio_store()
    _discard_unreferenced(store, [r[0] for r in rows], [r[1] for r in rows])


# -- publishing ---------------------------------------------------------------


def version_keep_audio(*, version: ScriptVersion) -> int:
    """Link a version being published to the recordings it plays, so they
    are never deleted. Call inside the publishing transaction, after the
    document was validated against the script's recordings."""
    digests = {
        sha256_of(use.audio)
        for use in document_audio(version.document)
        if is_reference(use.audio)
    }
    recordings = list(
        PromptAudio.objects.filter(script=version.script, sha256__in=digests)
    )
    if len(recordings) != len(digests):
        # Validation came first; only a concurrent delete gets here.
        raise InvalidInput(
            "A recording of the draft was deleted while publishing; nothing "
            "was published. Check the draft and publish again."
        )
    VersionAudio.objects.bulk_create(
        VersionAudio(version=version, audio=audio) for audio in recordings
    )
    return len(recordings)


# -- export and import --------------------------------------------------------


def version_audio_bundle(*, version: ScriptVersion) -> dict:
    """The recordings ``version`` plays, for an export bundle:
    ``{reference: {"name", "duration", "wav_base64"}}``.

    A recording whose file is gone from the store, or no longer hashes to
    its reference, is left out (and logged); importing the bundle then
    reports it as missing.
    """
    references = {
        use.audio for use in document_audio(version.document) if is_reference(use.audio)
    }
    digests = {sha256_of(r) for r in references} - {None}
    store = audio_store()
    bundle = {}
    for audio in PromptAudio.objects.filter(script=version.script, sha256__in=digests):
        path = store.wav_path(audio.sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = None
        if data is None or hashlib.sha256(data).hexdigest() != audio.sha256:
            logger.warning(
                "script %s/%s: recording %s is %s %s; not exported (upload it "
                "again to repair the store)",
                version.script.team.slug, version.script.slug, audio.reference,
                "missing from" if data is None else "damaged in", store.root,
            )
            continue
        bundle[audio.reference] = {
            "name": audio.name,
            "duration": audio.duration,
            "wav_base64": base64.b64encode(data).decode("ascii"),
        }
    return dict(sorted(bundle.items()))


@dataclass
class BundleAudio:
    """A recording carried by an import bundle, checked."""

    reference: str
    name: str
    data: bytes
    normalised: object


def read_bundle_audio(bundle_audio) -> list[BundleAudio]:
    """The ``audio`` object of a bundle, each recording decoded and checked
    against its reference. Raises ``InvalidInput`` naming the first bad one."""
    if bundle_audio is None:
        return []
    if not isinstance(bundle_audio, dict):
        raise InvalidInput(
            'The bundle\'s "audio" must be an object of recordings by reference.'
        )
    found = []
    for reference, item in bundle_audio.items():
        if sha256_of(reference) is None:
            raise InvalidInput(
                f"The bundle's audio key {reference[:80]!r} is not a recording "
                "reference (sha256: and 64 hex digits)."
            )
        if not isinstance(item, dict) or not isinstance(item.get("wav_base64"), str):
            raise InvalidInput(
                f'The bundle\'s recording {reference} has no "wav_base64" text.'
            )
        try:
            data = base64.b64decode(item["wav_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise InvalidInput(
                f"The bundle's recording {reference} is not valid base64."
            ) from None
        try:
            normalised = normalise_upload(
                data,
                max_bytes=settings.OUTCALL_PROMPT_AUDIO_MAX_BYTES,
                max_seconds=settings.OUTCALL_PROMPT_AUDIO_MAX_SECONDS,
            )
        except DesignerError as exc:
            raise InvalidInput(
                f"The bundle's recording {reference} cannot be used: {exc.message}"
            ) from None
        if reference_of(normalised.sha256) != reference:
            raise InvalidInput(
                f"The bundle's recording {reference} holds other audio "
                f"({reference_of(normalised.sha256)}); it was changed after "
                "export."
            )
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            name = "recording.wav"
        found.append(
            BundleAudio(
                reference=reference,
                name=name,
                data=data,
                normalised=normalised,
            )
        )
    return found


def import_audio(*, script: Script, recordings: list[BundleAudio], author) -> None:
    """Store the bundle's recordings for ``script`` (inside the import's
    transaction, holding the store's lock)."""
    store = audio_store()
    for item in recordings:
        store.put_wav(item.normalised.sha256, item.normalised.wav)
        store.put_original(item.normalised.original_sha256, item.data)
        _recording_row(script, item.normalised, _check_name(item.name), author)


def discard_bundle_files(recordings: list[BundleAudio]) -> None:
    """After an import: the bundle's files no recording row names."""
    _discard_unreferenced(
        audio_store(),
        [r.normalised.sha256 for r in recordings],
        [r.normalised.original_sha256 for r in recordings],
    )

