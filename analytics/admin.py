from django.contrib import admin

from analytics.models import CostRate


@admin.register(CostRate)
class CostRateAdmin(admin.ModelAdmin):
    list_display = (
        "team",
        "script",
        "currency",
        "robot_minute",
        "recognition_minute",
        "operator_minute",
        "per_transfer",
        "operator_minutes_per_transfer",
    )
    list_filter = ("team",)
    autocomplete_fields = ()
