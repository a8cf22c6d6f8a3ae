from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Counters follow the event log: every batch of closed calls is
        # counted in the same transaction that writes it.
        from runtime.eventlog import calls_closed

        from analytics.counting import count_closed_calls

        calls_closed.connect(count_closed_calls, dispatch_uid="analytics-count")
