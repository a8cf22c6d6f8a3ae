from django.contrib import admin

from runtime.models import CallEvent, CallSession


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    can_delete = False
    fields = ["seq", "kind", "node", "offset", "data"]
    readonly_fields = fields


@admin.register(CallSession)
class CallSessionAdmin(admin.ModelAdmin):
    list_display = ["call_id", "script", "version", "source", "segment", "outcome", "started_at"]
    list_filter = ["source", "outcome", "script"]
    search_fields = ["call_id", "phone"]
    inlines = [CallEventInline]

    def get_readonly_fields(self, request, obj=None):
        # The event log is a record of what happened: it is read, not edited.
        return [f.name for f in self.model._meta.fields]


@admin.register(CallEvent)
class CallEventAdmin(admin.ModelAdmin):
    list_display = ["session", "seq", "kind", "node", "offset"]
    list_filter = ["kind"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]
