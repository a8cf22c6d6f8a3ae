from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from runtime.asr import AsrModelError, resolve_model


class Command(BaseCommand):
    help = (
        "Assemble and verify the Whisper model for speech recognition and "
        "print its directory."
    )
    # Set-up runs this before migrations; it touches neither the database
    # nor the URLs, so system checks would only slow it down.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--model",
            default=settings.OUTCALL_ASR_MODEL,
            help="'base', 'tiny.en' or a model directory (default: OUTCALL_ASR_MODEL)",
        )

    def handle(self, *args, **options):
        try:
            path = resolve_model(options["model"], model_dir=settings.OUTCALL_MODEL_DIR)
        except AsrModelError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(str(path))
