from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from runtime.speech.coqui_tiny import build_tiny_model


class Command(BaseCommand):
    help = (
        "Write a tiny, untrained Coqui TTS model (VITS, Russian and English "
        "characters) into DIRECTORY, to try OUTCALL_TTS=coqui without a "
        "downloaded model. It makes noise the length of speech, not words."
    )
    # It touches neither the database nor the settings it would check.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, directory, seed, **options):
        if not str(directory).strip() or str(directory) == ".":
            raise CommandError("Give the directory to write the model into.")
        if not 0 <= seed < 2**32:
            raise CommandError("--seed must be between 0 and 4294967295.")
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} is a file, not a directory.")
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(f"{directory} is not empty; give a new directory.")
        try:
            import TTS  # noqa: F401
        except ImportError as exc:
            raise CommandError(f"Coqui TTS is not installed ({exc}).") from None
        created = not directory.exists()
        try:
            build_tiny_model(directory, seed=seed)
        except OSError as exc:
            if created and directory.is_dir() and not any(directory.iterdir()):
                directory.rmdir()
            raise CommandError(f"cannot write the model into {directory}: {exc}") from None
        self.stdout.write(str(directory.resolve()))
