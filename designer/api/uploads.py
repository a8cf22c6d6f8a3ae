"""A size limit on uploaded files, applied before the body is parsed.

Django keeps no limit on the files of a multipart body (only on its other
fields), so without one a client could fill the disk with a single
upload. ``limit_upload`` refuses a body that says it is too large, and
makes the parser stop at the limit when it does not say.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler

from designer.errors import AudioTooLarge

# Room for the multipart boundaries and the small fields beside the file.
ENVELOPE = 64 * 1024


def limit_upload(request) -> None:
    limit = settings.OUTCALL_PROMPT_AUDIO_MAX_BYTES
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + ENVELOPE:
        raise _too_large(limit, length)
    request.upload_handlers.insert(0, _LimitHandler(limit))


class _LimitHandler(FileUploadHandler):
    """Raises as soon as a file's bytes pass ``limit``."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            raise _too_large(self.limit)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_large(limit: int, size: int | None = None) -> AudioTooLarge:
    megabytes = limit / (1024 * 1024)
    if size is None:
        return AudioTooLarge(f"The file is over {megabytes:.1f} MB, the most a "
                             "recording may be; nothing was stored.")
    return AudioTooLarge(
        f"The upload is {size / (1024 * 1024):.1f} MB; a recording may be at "
        f"most {megabytes:.1f} MB. Nothing was stored."
    )
