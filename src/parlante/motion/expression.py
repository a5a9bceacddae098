"""Emotion offsets, head style per emotion, brow accents, and gliding user controls.

Controls never jump: emotion weights, motion scale and gaze target glide to new values
over ~0.3 s (critically damped, 95 % after 4.7 tau).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.motion.channels import CHANNELS, INDEX
from parlante.motion.controls import EMOTIONS, Controls
from parlante.motion.filters import Smooth2, Smooth2Vec, gain

TAU_CONTROLS = 0.065  # s: a control change completes in ~0.3 s
TAU_BROW = 0.08

# Expression offsets at emotion_strength 1, added to the audio-driven codes.
_OFFSETS: dict[str, dict[str, float]] = {
    "neutral": {},
    "happy": {"smile": 0.7, "squint": 0.3, "brow_raise": 0.12, "lip_spread": 0.1,
              "upper_lip_raise": 0.08},
    "sad": {"mouth_down": 0.6, "brow_inner_up": 0.6},
    "angry": {"brow_furrow": 0.7, "squint": 0.35},
    "surprised": {"eye_wide": 0.7, "brow_raise": 0.6},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Style:
    """How an emotion changes motion. head_gain: amplitude factor; tempo: time-constant
    factor (>1 slower); pitch_bias: deg (+ head down); gaze_down: deg; jaw_rest: resting
    jaw opening; press: tendency to press the lips when the jaw is nearly closed."""

    head_gain: float = 1.0
    tempo: float = 1.0
    pitch_bias: float = 0.0
    gaze_down: float = 0.0
    jaw_rest: float = 0.0
    press: float = 0.0


STYLES: dict[str, Style] = {
    "neutral": Style(),
    "happy": Style(head_gain=1.1),
    "sad": Style(head_gain=0.6, tempo=1.5, pitch_bias=2.0, gaze_down=2.5),
    "angry": Style(head_gain=1.15, tempo=0.7, press=0.25),
    "surprised": Style(pitch_bias=-1.0, jaw_rest=0.08),
}

OFFSET_MATRIX = np.zeros((len(EMOTIONS), len(CHANNELS)))
for _e, _name in enumerate(EMOTIONS):
    for _ch, _v in _OFFSETS[_name].items():
        OFFSET_MATRIX[_e, INDEX[_ch]] = _v
_STYLE_MATRIX = np.array(
    [
        [
            STYLES[n].head_gain - 1.0,
            STYLES[n].tempo - 1.0,
            STYLES[n].pitch_bias,
            STYLES[n].gaze_down,
            STYLES[n].jaw_rest,
            STYLES[n].press,
        ]
        for n in EMOTIONS
    ]
)


def emotion_weights(controls: Controls) -> np.ndarray:
    """(E,) one-hot of the emotion times its strength (neutral weighs nothing)."""
    w = np.zeros(len(EMOTIONS))
    if controls.emotion != "neutral":
        w[EMOTIONS.index(controls.emotion)] = controls.emotion_strength
    return w


@dataclass(frozen=True, slots=True)
class ExpressionState:
    """Glided controls of one frame. offsets: (C,) expression offsets; style: blended."""

    offsets: np.ndarray
    style: Style
    motion_scale: float
    gaze: tuple[float, float]


class ControlGlide:
    """Holds the current controls and glides the numeric ones towards new settings."""

    def __init__(self, controls: Controls, fps: float) -> None:
        self.controls = controls
        self._a = gain(1.0 / fps, TAU_CONTROLS)
        self._w = Smooth2Vec(emotion_weights(controls))
        self._scale = Smooth2(controls.motion_scale)
        self._gx = Smooth2(controls.gaze[0])
        self._gy = Smooth2(controls.gaze[1])
        self._cache: tuple[np.ndarray, np.ndarray, Style] | None = None

    def set(self, controls: Controls) -> None:
        self.controls = controls

    def step(self) -> ExpressionState:
        c = self.controls
        w = self._w.glide(emotion_weights(c), self._a)
        if self._cache is None or np.abs(w - self._cache[0]).max() > 1e-7:
            s = w @ _STYLE_MATRIX
            style = Style(1.0 + s[0], 1.0 + s[1], s[2], s[3], s[4], s[5])
            self._cache = (w.copy(), w @ OFFSET_MATRIX, style)
        _, offsets, style = self._cache
        scale = self._scale.glide(c.motion_scale, self._a)
        gaze = (self._gx.glide(c.gaze[0], self._a), self._gy.glide(c.gaze[1], self._a))
        return ExpressionState(offsets, style, scale, gaze)


class BrowAccents:
    """brow_raise pulses on pitch accents, smoothed."""

    def __init__(self, fps: float) -> None:
        self.dt = 1.0 / fps
        self._amp = 0.0
        self._until = -1
        self._s = Smooth2()
        self._a = gain(self.dt, TAU_BROW)

    def accent(self, t: int, amp: float, dur: float) -> None:
        if amp > 0.0:
            self._amp = amp
            self._until = t + max(1, round(dur / self.dt))

    def step(self, t: int) -> float:
        return self._s.step(self._amp if t < self._until else 0.0, self._a)
