"""The admin, for the people who run Outcall.

Scripts are authored through the API and the editor. Here, published
versions are read-only and nothing that a call may refer to is deleted.
"""

from django.contrib import admin
from django.template.response import TemplateResponse

from designer import services
from designer.models import (
    ApiToken,
    Membership,
    PromptAudio,
    Script,
    ScriptVersion,
    Team,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["slug", "name"]
    search_fields = ["slug", "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "team__slug"]
    autocomplete_fields = ["user", "team"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued here or with ``manage.py issue_token``; the key is
    shown once, right after it is issued, and only its prefix afterwards."""

    list_display = ["prefix", "name", "team", "created_at", "revoked"]
    list_filter = ["revoked", "team"]
    search_fields = ["prefix", "name", "team__slug"]
    readonly_fields = ["prefix", "created_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["team", "name"]
        return ["team", "name", "prefix", "created_at", "revoked"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["team", "prefix", "created_at"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        issued, key = ApiToken.issue(team=obj.team, name=obj.name)
        obj.pk, obj.prefix, obj.digest = issued.pk, issued.prefix, issued.digest
        obj.created_at = issued.created_at
        request._issued_key = key

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown on this page and nowhere else: it is not stored,
        # not put in a message (those may live in a cookie).
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "token": obj,
            "key": request._issued_key,
            "title": "API token issued",
        }
        return TemplateResponse(request, "admin/designer/apitoken/issued.html", context)

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.update(revoked=True)
        self.message_user(request, f"{count} token(s) revoked.")


class VersionInline(admin.TabularInline):
    model = ScriptVersion
    fields = ["number", "revision", "checksum", "author", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "team", "language", "updated_at"]
    list_filter = ["team", "language"]
    search_fields = ["slug", "name"]
    inlines = [VersionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["created_at", "updated_at"]
        return ["team", "slug", "language", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            # Every script has its draft from the start.
            ScriptVersion.objects.create(
                script=obj,
                document=services.default_document(language=obj.language),
                author=request.user,
            )

    def has_delete_permission(self, request, obj=None):
        return False  # services.script_delete, through the API, checks what may go


@admin.register(ScriptVersion)
class ScriptVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "script", "number", "revision", "author", "published_at"]
    list_filter = ["script__team"]
    search_fields = ["script__slug", "checksum"]
    list_select_related = ["script", "author"]
    fields = [
        "script",
        "number",
        "revision",
        "checksum",
        "author",
        "published_at",
        "document",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return self.fields
        # The draft's document is editable; saving it goes through draft_save.
        return [f for f in self.fields if f != "document"]

    def save_model(self, request, obj, form, change):
        services.draft_save(
            script=obj.script,
            document=obj.document,
            author=request.user,
            base_revision=None,
        )

    def has_add_permission(self, request):
        return False  # drafts come with their script, versions from publishing

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PromptAudio)
class PromptAudioAdmin(admin.ModelAdmin):
    """Read-only: recordings are uploaded and deleted through the API, which
    keeps those that versions play."""

    list_display = ["name", "script", "duration", "short_digest", "uploaded_at"]
    list_filter = ["script__team"]
    search_fields = ["name", "script__slug", "sha256"]
    list_select_related = ["script"]

    @admin.display(description="sha256")
    def short_digest(self, obj):
        return obj.sha256[:12]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
