"""The named motion space shared by every driver (audio, video, hand) and the renderer.

One frame of motion is a float32 vector of length ``len(CHANNELS)``; a clip is a
``(T, C)`` array. Names are explicit so that a learned generator can later replace the
hand-built one behind the same interface.

Conventions (all sides are *image* sides, as the viewer sees the portrait):

========== ========= ===================================================================
channel    unit      meaning
========== ========= ===================================================================
yaw        degrees   head turn; + turns the face towards image right
pitch      degrees   head nod; + tips the chin down
roll       degrees   head tilt; + rotates the head clockwise in the image
tx, ty     fraction  head translation in units of the face height; + right / + down
scale      fraction  head size change; 0.05 = 5 % larger (leaning in)
jaw_open   -1..1     jaw rotation; 1 = widest plausible opening (shouting); below 0 closes
                     a mouth that is open at rest (codes are relative to the portrait)
lip_round  0..1      pucker for o/u/w: corners in, lips forward, small round opening
lip_spread 0..1      corners pulled outwards (ee, i)
lip_press  0..1      lips pressed shut (p/b/m) whatever the jaw does
lip_tuck   0..1      lower lip tucked under the upper teeth (f/v)
upper_lip_raise 0..1 upper lip lifted, baring the upper teeth
smile      0..1      mouth corners up and back
mouth_down 0..1      mouth corners down (sadness)
blink_l    0..1      closure of the eye on the image left; 1 = shut
blink_r    0..1      closure of the eye on the image right
eye_wide   0..1      upper lids raised (surprise)
squint     0..1      lower lids raised (smiling eyes, anger)
gaze_x     degrees   eye rotation; + towards image right
gaze_y     degrees   eye rotation; + downwards
brow_raise 0..1      both brows up
brow_inner_up 0..1   inner brow ends up (sadness, worry)
brow_furrow 0..1     inner brows down and together (anger, concentration)
========== ========= ===================================================================
"""

from __future__ import annotations

CHANNELS: tuple[str, ...] = (
    "yaw", "pitch", "roll", "tx", "ty", "scale",
    "jaw_open", "lip_round", "lip_spread", "lip_press", "lip_tuck", "upper_lip_raise",
    "smile", "mouth_down",
    "blink_l", "blink_r", "eye_wide", "squint", "gaze_x", "gaze_y",
    "brow_raise", "brow_inner_up", "brow_furrow",
)  # fmt: skip

INDEX: dict[str, int] = {name: i for i, name in enumerate(CHANNELS)}

HEAD_CHANNELS: tuple[str, ...] = ("yaw", "pitch", "roll", "tx", "ty", "scale")
EXPRESSION_CHANNELS: tuple[str, ...] = tuple(c for c in CHANNELS if c not in HEAD_CHANNELS)

RANGES: dict[str, tuple[float, float]] = {
    "yaw": (-30.0, 30.0), "pitch": (-20.0, 20.0), "roll": (-15.0, 15.0),
    "tx": (-0.2, 0.2), "ty": (-0.2, 0.2), "scale": (-0.15, 0.15),
    "gaze_x": (-30.0, 30.0), "gaze_y": (-25.0, 25.0), "jaw_open": (-1.0, 1.0),
    **{c: (0.0, 1.0) for c in EXPRESSION_CHANNELS if c not in ("gaze_x", "gaze_y", "jaw_open")},
}  # fmt: skip
"""Valid (low, high) of every channel, in its unit; generators clip to these."""
