"""The demo: a portrait and a voice that need no input file (scikit-image's astronaut photo,
a voice synthesised by the espeak-ng library that ships inside a wheel)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from parlante.options import AnimateOptions

DEMO_TEXT = (
    "Hello! I am a talking portrait, made by Parlante on an ordinary computer. "
    "My lips follow the voice, my eyes blink, and my head moves as I speak."
)


def demo_portrait() -> np.ndarray:
    """(512, 512, 3) uint8 RGB: Eileen Collins, NASA photo (public domain), via scikit-image."""
    from skimage.data import astronaut

    return astronaut()


def demo_voice(text: str = DEMO_TEXT) -> tuple[np.ndarray, int, str | None]:
    """(samples, sample_rate, transcript) of ``text`` spoken by espeak-ng, or of a synthetic
    vowel babble (no transcript) where the espeak-ng library cannot load."""
    from parlante.audio import speak, synth_vowels

    try:
        samples, rate = speak(text, voice="en-us")
        return samples, rate, text
    except Exception:  # noqa: BLE001 - any failure of the optional voice falls back
        samples, rate = synth_vowels("a-i-u-o-e a-pa-ma i-u-o", sample_rate=16000)
        return samples, rate, None


def make_demo(
    output: str | os.PathLike[str], options: AnimateOptions | None = None, *, progress=False
) -> Path:
    from parlante.pipeline import animate

    options = options or AnimateOptions()
    samples, rate, transcript = demo_voice()
    options = replace(options, transcript=transcript)
    return animate(demo_portrait(), (samples, rate), output, options, progress=progress)
