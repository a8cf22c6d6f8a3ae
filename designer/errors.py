"""The designer's error vocabulary.

Every error a service raises on bad input is a ``DesignerError`` with a
short ``code`` and the HTTP status the API answers with. The API turns them
into responses in one place, ``designer.api.errors``.
"""


class DesignerError(Exception):
    code = "designer_error"
    status_code = 400
    default_message = "The request could not be carried out."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)

    def as_dict(self) -> dict:
        """The body of the API's ``error`` object."""
        return {"code": self.code, "message": self.message}


class InvalidInput(DesignerError):
    code = "invalid_input"
    status_code = 400
    default_message = "The input is not valid."


class TeamRequired(DesignerError):
    code = "team_required"
    status_code = 400
    default_message = "You belong to several teams; say which one with `team`."


class TeamNotFound(DesignerError):
    code = "team_not_found"
    status_code = 404
    default_message = "No such team among yours."


class LanguageMismatch(DesignerError):
    code = "language_mismatch"
    status_code = 400
    default_message = "The languages of the script and the document differ."


class NothingToPublish(DesignerError):
    code = "nothing_to_publish"
    status_code = 409
    default_message = "The draft is the same as the latest published version."


class ScriptNotFound(DesignerError):
    code = "script_not_found"
    status_code = 404
    default_message = "No such script."


class VersionNotFound(DesignerError):
    code = "version_not_found"
    status_code = 404
    default_message = "No such version."


class SlugTaken(DesignerError):
    code = "slug_taken"
    status_code = 409
    default_message = "The team already has a script with this slug."


class ScriptProtected(DesignerError):
    code = "script_protected"
    status_code = 409
    default_message = "The script has published versions or calls and is kept."


class DraftConflict(DesignerError):
    """The draft changed since the revision the editor started from."""

    code = "draft_conflict"
    status_code = 409

    def __init__(self, current_revision: int, message: str | None = None):
        self.current_revision = current_revision
        super().__init__(
            message
            or (
                f"The draft was saved by someone else meanwhile; it is now at "
                f"revision {current_revision}. Reload it, merge your changes "
                f"and save again with base_revision {current_revision}."
            )
        )

    def as_dict(self) -> dict:
        return {**super().as_dict(), "current_revision": self.current_revision}


class ValidationFailed(DesignerError):
    """The document has errors; ``problems`` lists all of them."""

    code = "validation_failed"
    status_code = 422

    def __init__(self, problems, message: str | None = None):
        self.problems = list(problems)
        errors = sum(1 for p in self.problems if p.severity == "error")
        super().__init__(
            message or f"The script has {errors} error(s); fix them and try again."
        )

    def as_dict(self) -> dict:
        return {
            **super().as_dict(),
            "problems": [p.as_dict() for p in self.problems],
        }


class AudioRejected(DesignerError):
    """An uploaded recording cannot be used; ``reason`` says what is wrong:
    ``not_audio``, ``unsupported_format``, ``corrupt``, ``empty`` or
    ``too_long``."""

    code = "invalid_audio"
    status_code = 400

    def __init__(self, reason: str, message: str):
        self.reason = reason
        super().__init__(message)

    def as_dict(self) -> dict:
        return {**super().as_dict(), "reason": self.reason}


class AudioTooLarge(DesignerError):
    code = "too_large"
    status_code = 413
    default_message = "The file is larger than a recording may be."


class AudioNotFound(DesignerError):
    code = "audio_not_found"
    status_code = 404
    default_message = "The script has no such recording."


class AudioInUse(DesignerError):
    code = "audio_in_use"
    status_code = 409
    default_message = "The recording is used by the script and is kept."
