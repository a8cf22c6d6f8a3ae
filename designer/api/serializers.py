"""What the API reads and answers. Services do the checking that matters;
these parse the shape of requests and describe the answers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designer.models import Script
from designer.prompt_audio import recording_warnings


class ScriptSerializer(serializers.ModelSerializer):
    """A script with a summary of its draft and its latest version.

    Expects a script from ``designer.selectors.script_list``.
    """

    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    draft_revision = serializers.IntegerField(read_only=True)
    last_editor = serializers.CharField(read_only=True, allow_null=True)
    draft_updated_at = serializers.DateTimeField(read_only=True)
    latest_version = serializers.IntegerField(read_only=True, allow_null=True)
    has_unpublished_changes = serializers.SerializerMethodField()

    class Meta:
        model = Script
        fields = [
            "team",
            "slug",
            "name",
            "language",
            "draft_revision",
            "last_editor",
            "draft_updated_at",
            "latest_version",
            "has_unpublished_changes",
            "created_at",
        ]

    def get_has_unpublished_changes(self, script) -> bool:
        """The draft differs from the latest version (or nothing is published)."""
        return script.draft_checksum != script.latest_checksum


class ScriptCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=50)
    name = serializers.CharField(max_length=200)
    language = serializers.ChoiceField(choices=Script.Language.choices)
    document = serializers.JSONField(
        required=False, help_text="The first draft; a minimal script if left out."
    )
    team = serializers.SlugField(
        required=False,
        help_text="The team to create it in; needed when you are in several.",
    )


class ScriptUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)


class DraftSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    checksum = serializers.CharField()
    author = serializers.CharField(
        source="author.get_username", allow_null=True, default=None
    )
    updated_at = serializers.DateTimeField()
    document = serializers.JSONField()


class DraftSaveSerializer(serializers.Serializer):
    document = serializers.JSONField()
    base_revision = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        help_text="The revision your edit started from; null overwrites "
        "whatever the draft holds now.",
    )


class ValidateSerializer(serializers.Serializer):
    document = serializers.JSONField(
        required=False, help_text="A document to check instead of the draft."
    )


class PublishSerializer(serializers.Serializer):
    base_revision = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Publish only if the draft is still at this revision.",
    )


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    node = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    severity = serializers.ChoiceField(choices=["error", "warning"])


class ValidationResultSerializer(serializers.Serializer):
    valid = serializers.BooleanField(help_text="No problem of severity error.")
    problems = ProblemSerializer(many=True)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    checksum = serializers.CharField()
    revision = serializers.IntegerField(
        help_text="The draft revision it was published from."
    )
    author = serializers.CharField(
        source="author.get_username", allow_null=True, default=None
    )
    published_at = serializers.DateTimeField()


class VersionDetailSerializer(VersionSerializer):
    document = serializers.JSONField()


class BundleScriptSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    language = serializers.ChoiceField(choices=Script.Language.choices)


class BundleVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(allow_null=True)
    checksum = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    author = serializers.CharField(allow_null=True)


class BundleAudioSerializer(serializers.Serializer):
    name = serializers.CharField()
    duration = serializers.FloatField()
    wav_base64 = serializers.CharField(help_text="The normalised WAV, base64.")


class BundleSerializer(serializers.Serializer):
    """An exported version; what ``POST /api/scripts/import/`` reads."""

    outcall_export = serializers.IntegerField()
    script = BundleScriptSerializer()
    version = BundleVersionSerializer(required=False)
    document = serializers.JSONField()
    audio = serializers.DictField(
        child=BundleAudioSerializer(),
        required=False,
        help_text="The recordings the document plays, by reference "
        "(sha256:<hex>).",
    )


# -- recordings ---------------------------------------------------------------


class AudioUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="WAV (PCM, mu-law, A-law) or FLAC; at most 20 MB and 5 minutes."
    )
    name = serializers.CharField(
        required=False, max_length=200, help_text="Default: the file's name."
    )
    team = serializers.SlugField(
        required=False, help_text="The team; needed when you are in several."
    )


class AudioUseSerializer(serializers.Serializer):
    node = serializers.CharField()
    variant = serializers.CharField()


class AudioUsedBySerializer(serializers.Serializer):
    draft = AudioUseSerializer(many=True, help_text="Variants of the draft")
    versions = serializers.ListField(
        child=serializers.IntegerField(), help_text="Published versions"
    )


class AudioOriginalSerializer(serializers.Serializer):
    format = serializers.CharField(source="original_format")
    sample_rate = serializers.IntegerField(source="original_sample_rate")
    channels = serializers.IntegerField(source="original_channels")
    size = serializers.IntegerField(source="original_size")
    sha256 = serializers.CharField(source="original_sha256")


class AudioWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PromptAudioSerializer(serializers.Serializer):
    """A recording of a script.

    Expects ``usage`` (``designer.prompt_audio.audio_usage``) and
    ``request`` in the context.
    """

    reference = serializers.CharField(
        help_text="What a variant's `audio` holds to play it."
    )
    sha256 = serializers.CharField()
    name = serializers.CharField()
    duration = serializers.FloatField(help_text="Seconds.")
    size = serializers.IntegerField(help_text="Bytes of the normalised WAV.")
    format = serializers.SerializerMethodField()
    peak_dbfs = serializers.FloatField(
        allow_null=True, help_text="The loudest sample; null for silence."
    )
    original = AudioOriginalSerializer(source="*")
    uploaded_at = serializers.DateTimeField()
    uploaded_by = serializers.SerializerMethodField()
    used_by = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    def get_format(self, audio) -> str:
        return "wav, mono, 16-bit PCM, 16000 Hz"

    def get_uploaded_by(self, audio) -> str | None:
        user = audio.uploaded_by
        return user.get_username() if user else None

    @extend_schema_field(AudioUsedBySerializer)
    def get_used_by(self, audio) -> dict:
        usage = self.context["usage"][audio.pk]
        return {
            "draft": [use.as_dict() for use in usage["draft"]],
            "versions": usage["versions"],
        }

    def get_url(self, audio) -> str:
        """Where the WAV is played from (the same team query as this call)."""
        return self.context["file_url"](audio)

    @extend_schema_field(AudioWarningSerializer(many=True))
    def get_warnings(self, audio) -> list:
        return recording_warnings(audio)


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    problems = ProblemSerializer(many=True, required=False)
    current_revision = serializers.IntegerField(required=False)
    fields = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
