"""Teams, scripts and their versions.

A script has exactly one editable draft and any number of published
versions. A published version is immutable: its document and checksum are
written once, by ``designer.services.script_publish``.
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)

    def __str__(self):
        return self.slug


class Membership(models.Model):
    class Role(models.TextChoices):
        VIEWER = "viewer"
        AUTHOR = "author"  # may edit drafts
        PUBLISHER = "publisher"  # may edit drafts and publish

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AUTHOR)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="one_membership_per_team")
        ]

    def __str__(self):
        return f"{self.user} in {self.team} ({self.role})"


class ApiToken(models.Model):
    """A team's API token, for scripts tools and the telephony layer.

    Only a SHA-256 digest of the key is stored; the key itself is shown once
    when the token is issued.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=200, blank=True)
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked = models.BooleanField(default=False)

    KEY_PREFIX = "oc_"

    @classmethod
    def digest_of(cls, key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, team: Team, name: str = "") -> tuple["ApiToken", str]:
        key = cls.KEY_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            team=team, name=name, prefix=key[:10], digest=cls.digest_of(key)
        )
        return token, key

    def __str__(self):
        return f"{self.prefix}… ({self.team})"


class Script(models.Model):
    class Language(models.TextChoices):
        RU = "ru", "Russian"
        EN = "en", "English"

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="scripts")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "slug"], name="script_slug_per_team")
        ]
        ordering = ["slug"]

    def __str__(self):
        return self.slug

    @property
    def draft(self) -> "ScriptVersion":
        return self.versions.get(number__isnull=True)

    def latest_published(self):
        return self.versions.filter(number__isnull=False).order_by("-number").first()


class ScriptVersion(models.Model):
    """The draft (``number`` is NULL) or a published, immutable version."""

    script = models.ForeignKey(Script, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(null=True, blank=True)
    document = models.JSONField()
    checksum = models.CharField(max_length=64, blank=True)
    # Increases on every save of the draft, so that two editors saving the
    # same draft can detect a conflict.
    revision = models.PositiveIntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["script", "number"], name="version_number_per_script"
            ),
            models.UniqueConstraint(
                fields=["script"],
                condition=models.Q(number__isnull=True),
                name="one_draft_per_script",
            ),
        ]
        ordering = ["script", "number"]

    def __str__(self):
        label = "draft" if self.number is None else f"v{self.number}"
        return f"{self.script.slug} {label}"

    @property
    def is_published(self) -> bool:
        return self.number is not None

    def save(self, *args, **kwargs):
        if self.pk and self.is_published:
            stored = ScriptVersion.objects.filter(pk=self.pk).values("number", "document").first()
            if stored and stored["number"] is not None and stored["document"] != self.document:
                raise ValidationError(
                    "A published version never changes; edit the draft and publish again.",
                    code="immutable_version",
                )
        super().save(*args, **kwargs)


class PromptAudio(models.Model):
    """A recording a writer uploaded for the prompts of a script.

    The file is the normalised WAV named by ``sha256`` in the audio store
    (``designer.audio_store``); variants refer to it as ``sha256:<hex>``
    (``reference``). Uploading the same audio to a script again finds this
    row. A recording that a published version plays is linked to it
    (``VersionAudio``) and can never be deleted.
    """

    script = models.ForeignKey(
        Script, on_delete=models.PROTECT, related_name="prompt_audio"
    )
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    duration = models.FloatField(help_text="seconds")
    size = models.PositiveIntegerField(help_text="bytes of the normalised WAV")
    peak_dbfs = models.FloatField(null=True, help_text="loudest sample; null: silence")
    original_sha256 = models.CharField(max_length=64)
    original_format = models.CharField(max_length=16)
    original_sample_rate = models.PositiveIntegerField()
    original_channels = models.PositiveSmallIntegerField()
    original_size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["script", "sha256"], name="one_recording_per_script"
            )
        ]
        ordering = ["uploaded_at", "pk"]
        verbose_name_plural = "prompt audio"

    def __str__(self):
        return f"{self.name} ({self.script.slug}, {self.sha256[:12]})"

    @property
    def reference(self) -> str:
        return f"sha256:{self.sha256}"


class VersionAudio(models.Model):
    """A recording a published version plays: kept as long as the version,
    which is for good."""

    version = models.ForeignKey(
        ScriptVersion, on_delete=models.CASCADE, related_name="audio_links"
    )
    audio = models.ForeignKey(
        PromptAudio, on_delete=models.PROTECT, related_name="version_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "audio"], name="one_link_per_version_audio"
            )
        ]
