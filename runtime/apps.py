from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    name = "runtime"
    verbose_name = "Dialog runtime"

    def ready(self):
        from runtime import checks  # noqa: F401 (registers the system checks)
