"""What the API reads and answers. Services do the checking that matters;
these parse the shape of requests and describe the answers."""

from rest_framework import serializers

from designer.models import Script


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


class BundleSerializer(serializers.Serializer):
    """An exported version; what ``POST /api/scripts/import/`` reads."""

    outcall_export = serializers.IntegerField()
    script = BundleScriptSerializer()
    version = BundleVersionSerializer(required=False)
    document = serializers.JSONField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    problems = ProblemSerializer(many=True, required=False)
    current_revision = serializers.IntegerField(required=False)
    fields = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
