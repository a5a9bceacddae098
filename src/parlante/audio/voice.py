"""A built-in text-to-speech voice (espeak-ng through ctypes) for demos and tests.

The espeak-ng shared library and its data ship inside the ``espeakng-loader`` wheel, so
``speak`` works offline in any language espeak-ng knows. espeak-ng is a process-wide C
library (one voice and parameter set at a time), so every call holds a lock from
initialisation to the end of synthesis.
"""

from __future__ import annotations

import ctypes
import functools
import threading

import numpy as np

from parlante.errors import AudioError

_AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_AUDIO_OUTPUT: synthesise in the calling thread
_INITIALIZE_DONT_EXIT = 0x8000  # report data errors instead of calling exit()
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM_RATE = 1  # words per minute, 80..450
_PARAM_PITCH = 3  # base pitch 0..100, 50 = voice default
_IPA_MODE = 0x02 | (ord("_") << 8)  # IPA output, "_" between phonemes
_SEED = 1234  # fixed seed: espeak adds random jitter otherwise

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class VoiceUnavailableError(AudioError):
    """espeak-ng cannot be loaded or does not know the requested voice."""


class _Espeak:
    """A loaded, initialised espeak-ng library; one instance per process."""

    def __init__(self) -> None:
        try:
            import espeakng_loader

            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = espeakng_loader.get_data_path()
        except (ImportError, OSError, RuntimeError) as exc:
            raise VoiceUnavailableError(f"espeak-ng cannot be loaded: {exc}") from exc
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        lib.espeak_ng_SetRandSeed.restype = None
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, data.encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise VoiceUnavailableError(f"espeak-ng failed to initialise with data at {data}")
        self.lib = lib
        self.sample_rate = int(rate)
        self.lock = threading.Lock()

    def synth(self, text: str, voice: str, rate_wpm: int, pitch: int) -> np.ndarray:
        chunks: list[np.ndarray] = []

        def collect(wav: ctypes.POINTER(ctypes.c_short), n: int, _events: int) -> int:
            if n > 0 and wav:
                chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            return 0

        callback = _SYNTH_CALLBACK(collect)  # kept alive until synthesis returns
        data = text.encode("utf-8") + b"\0"
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise VoiceUnavailableError(f"espeak-ng has no voice named {voice!r}")
            self.lib.espeak_SetSynthCallback(callback)
            self.lib.espeak_SetParameter(_PARAM_RATE, int(rate_wpm), 0)
            self.lib.espeak_SetParameter(_PARAM_PITCH, int(pitch), 0)
            self.lib.espeak_ng_SetRandSeed(_SEED)
            status = self.lib.espeak_Synth(
                data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            self.lib.espeak_Synchronize()
            self.lib.espeak_SetSynthCallback(_SYNTH_CALLBACK())
        if status != 0:
            raise VoiceUnavailableError(f"espeak-ng failed to speak (status {status})")
        if not chunks:
            return np.zeros(0, np.int16)
        return np.concatenate(chunks)

    def phonemes(self, text: str, voice: str) -> str:
        """IPA of ``text``, phonemes separated by "_" and words by spaces."""
        buf = ctypes.create_string_buffer(text.encode("utf-8"))
        ptr = ctypes.c_void_p(ctypes.addressof(buf))
        clauses = []
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise VoiceUnavailableError(f"espeak-ng has no voice named {voice!r}")
            while ptr.value:
                out = self.lib.espeak_TextToPhonemes(ctypes.byref(ptr), _CHARS_UTF8, _IPA_MODE)
                if out:
                    clauses.append(out.decode("utf-8", errors="replace"))
        return " ".join(clauses)


@functools.cache
def _espeak() -> _Espeak:
    return _Espeak()


def speak(
    text: str, *, voice: str = "en", rate_wpm: int = 160, pitch: int | None = None
) -> tuple[np.ndarray, int]:
    """Synthesise ``text`` with espeak-ng.

    Parameters
    ----------
    text : words to say, UTF-8, in the voice's language.
    voice : espeak-ng voice name: "en", "en-us", "fr", "de", "cmn", "ja", ...
    rate_wpm : speaking rate in words per minute (80..450).
    pitch : base pitch on espeak's 0..100 scale; None keeps the voice default (50).

    Returns
    -------
    samples : (N,) float32 in [-1, 1].
    sample_rate : Hz (22050 for espeak-ng).

    Raises VoiceUnavailableError if espeak-ng cannot load or the voice is unknown; callers
    that only need a vowel-like test signal can fall back to ``synth_vowels``.
    """
    if not text.strip():
        raise ValueError("speak() needs some text")
    engine = _espeak()
    raw = engine.synth(text, voice, int(np.clip(rate_wpm, 80, 450)), 50 if pitch is None else pitch)
    if raw.size == 0:
        raise VoiceUnavailableError(f"espeak-ng produced no audio for voice {voice!r}")
    return raw.astype(np.float32) / 32768.0, engine.sample_rate


def text_to_ipa(text: str, *, voice: str = "en-us") -> list[list[str]]:
    """Pronounce ``text`` with espeak-ng's rules: one list of IPA phonemes per word.

    Stress marks are kept on the phoneme they precede (e.g. ``["h", "ə", "l", "ˈoʊ"]``).
    Raises VoiceUnavailableError if espeak-ng cannot load or lacks the voice.
    """
    ipa = _espeak().phonemes(text, voice)
    return [[ph for ph in word.split("_") if ph] for word in ipa.split()]
