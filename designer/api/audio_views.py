"""The recordings of a script: upload, list, play or download, delete.

Reading needs any role in the script's team; uploading and deleting need
author or publisher. A recording is addressed by the SHA-256 of its
normalised WAV, the hex digits of its ``sha256:…`` reference.
"""

from urllib.parse import urlencode

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from designer import prompt_audio
from designer.api import serializers as s
from designer.api.uploads import limit_upload
from designer.api.views import TEAM_PARAMETER, ScriptView, author_of, errors
from designer.audio_store import is_sha256
from designer.errors import AudioNotFound, InvalidInput

ORIGINAL_TYPES = {"flac": "audio/flac"}
# A recording's bytes never change: its name is their digest.
IMMUTABLE = "private, max-age=31536000, immutable"


class AudioView(ScriptView):
    def get_audio(self, script):
        sha256 = self.kwargs["sha256"]
        if not is_sha256(sha256):
            raise AudioNotFound(
                f"'{sha256[:80]}' is not a recording's id: use the 64 hex digits "
                "after 'sha256:' in its reference."
            )
        return prompt_audio.prompt_audio_get(script=script, sha256=sha256)

    def recording_data(self, script, recordings) -> list[dict]:
        usage = prompt_audio.audio_usage(script=script, recordings=recordings)
        context = {"usage": usage, "file_url": self.file_url}
        return s.PromptAudioSerializer(recordings, many=True, context=context).data

    def file_url(self, audio) -> str:
        path = reverse(
            "designer-api:audio-file",
            kwargs={"slug": audio.script.slug, "sha256": audio.sha256},
        )
        return f"{path}?{urlencode({'team': self.team.slug})}"


class AudioListView(AudioView):
    serializer_class = s.PromptAudioSerializer
    parser_classes = (MultiPartParser, FormParser)

    def initial(self, request, *args, **kwargs):
        if request.method == "POST":
            limit_upload(request)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="The script's recordings",
        parameters=[TEAM_PARAMETER],
        responses={200: s.PromptAudioSerializer(many=True), **errors(404)},
    )
    def get(self, request, slug):
        script = self.get_script()
        recordings = script.prompt_audio.select_related("uploaded_by", "script")
        return Response(self.recording_data(script, recordings))

    @extend_schema(
        summary="Upload a recording for the script's prompts",
        description="Multipart, the file in `file` (one per upload). The audio "
        "is checked whole and kept as mono 16-bit PCM WAV at 16 kHz (the "
        "original is kept too); put the answer's `reference` in a variant's "
        "`audio` to play it. The same audio uploaded again answers 200 with "
        "the recording it already is. Bad audio answers 400 (`invalid_audio`, "
        "with a `reason`: `not_audio`, `unsupported_format` (also a "
        "non-standard sample rate or over 8 channels), `corrupt`, `empty`, "
        "`too_long`) and a file over 20 MB 413 (`too_large`); either stores "
        "nothing. A silent recording is stored with a `silent` warning.",
        parameters=[TEAM_PARAMETER],
        request={"multipart/form-data": s.AudioUploadSerializer},
        responses={
            200: s.PromptAudioSerializer,
            201: s.PromptAudioSerializer,
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request, slug):
        script = self.get_script()
        if len(request.FILES.getlist("file")) > 1:
            raise InvalidInput(
                "Send one recording per upload: the form has more than one "
                "`file` field. Nothing was stored."
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput(
                "Send the recording as a multipart/form-data field named `file`."
            )
        name = request.data.get("name") or upload.name or "recording.wav"
        result = prompt_audio.prompt_audio_upload(
            script=script,
            data=upload.read(),
            name=name,
            uploaded_by=author_of(request),
        )
        [data] = self.recording_data(script, [result.audio])
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(data, status=code)


class AudioDetailView(AudioView):
    serializer_class = s.PromptAudioSerializer

    @extend_schema(
        summary="A recording",
        parameters=[TEAM_PARAMETER],
        responses={200: s.PromptAudioSerializer, **errors(404)},
    )
    def get(self, request, slug, sha256):
        script = self.get_script()
        [data] = self.recording_data(script, [self.get_audio(script)])
        return Response(data)

    @extend_schema(
        summary="Delete a recording no version uses",
        description="409 (`audio_in_use`) while a published version plays it "
        "(for good) or the draft does (until it is removed from those "
        "variants and the draft is saved).",
        parameters=[TEAM_PARAMETER],
        responses={204: None, **errors(403, 404, 409)},
    )
    def delete(self, request, slug, sha256):
        script = self.get_script()
        audio = self.get_audio(script)
        prompt_audio.prompt_audio_delete(script=script, sha256=audio.sha256)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AudioFileView(AudioView):
    @extend_schema(
        summary="Play or download a recording (mono 16-bit PCM WAV, 16 kHz)",
        parameters=[TEAM_PARAMETER],
        responses={
            (200, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(404),
        },
    )
    def get(self, request, slug, sha256):
        audio = self.get_audio(self.get_script())
        path = prompt_audio.audio_store().wav_path(audio.sha256)
        return _file(
            path, audio, audio.sha256, content_type="audio/wav",
            name=_wav_name(audio.name),
        )


class AudioOriginalView(AudioView):
    @extend_schema(
        summary="Download a recording's file as it was uploaded",
        parameters=[TEAM_PARAMETER],
        responses={
            (200, "audio/wav"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "audio/flac"): OpenApiResponse(OpenApiTypes.BINARY),
            **errors(404),
        },
    )
    def get(self, request, slug, sha256):
        audio = self.get_audio(self.get_script())
        path = prompt_audio.audio_store().original_path(audio.original_sha256)
        content_type = ORIGINAL_TYPES.get(audio.original_format, "audio/wav")
        return _file(
            path, audio, audio.original_sha256, content_type=content_type,
            name=audio.name,
        )


def _file(path, audio, sha256: str, *, content_type: str, name: str) -> FileResponse:
    if not prompt_audio.audio_store().holds(path, sha256):
        state = "damaged in" if path.is_file() else "missing from"
        raise AudioNotFound(
            f"The file of recording '{audio.name}' ({audio.reference}) is {state} "
            "the audio store; upload the recording again."
        )
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise AudioNotFound(
            f"The file of recording '{audio.name}' ({audio.reference}) is missing "
            "from the audio store; upload the recording again."
        ) from None
    response = FileResponse(handle, content_type=content_type, filename=name)
    response["Cache-Control"] = IMMUTABLE
    response["ETag"] = f'"{audio.sha256}"'
    return response


def _wav_name(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem}.wav"
