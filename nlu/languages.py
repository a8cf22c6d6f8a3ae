"""The languages the matcher knows, and the error for any other."""

LANGUAGES = ("ru", "en")


class UnknownLanguage(ValueError):
    """A language code with no intent pack and no normalisation rules."""


def require_language(language: str) -> str:
    """Return ``language`` if it is supported, else raise ``UnknownLanguage``."""
    if language not in LANGUAGES:
        raise UnknownLanguage(
            f"unknown language {language!r}; use one of: {', '.join(LANGUAGES)}"
        )
    return language
