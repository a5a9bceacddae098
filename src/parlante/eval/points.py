"""MediaPipe face-mesh point indices used by the measurements (478-point refined mesh).

"Right"/"left" are the subject's: the subject's right eye is on the image's left.
"""

from __future__ import annotations

UPPER_LIP_INNER = 13
LOWER_LIP_INNER = 14
RIGHT_EYE_OUTER = 33
LEFT_EYE_OUTER = 263
FOREHEAD_TOP = 10
CHIN = 152

LIPS = (
    0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181,
    185, 191, 267, 269, 270, 291, 308, 310, 311, 312, 314, 317, 318, 321, 324, 375, 402,
    405, 409, 415,
)  # fmt: skip
"""The 40 points of MediaPipe's FACEMESH_LIPS (outer and inner lip contours)."""

# Eye aspect ratio: (corner_a, corner_b, (upper, lower) pairs), vertical pairs face to face.
RIGHT_EYE = (33, 133, ((160, 144), (159, 145), (158, 153)))
LEFT_EYE = (362, 263, ((385, 380), (386, 374), (387, 373)))

RIGID = (
    # forehead and glabella
    10, 151, 9, 8, 109, 338, 67, 297, 103, 332,
    # nose bridge, tip and wings
    168, 6, 197, 195, 5, 4, 1, 2, 98, 327,
    # eye corners
    33, 133, 362, 263,
    # cheekbones and temples
    234, 454, 93, 323, 127, 356, 116, 345, 50, 280, 21, 251, 54, 284,
)  # fmt: skip
"""Points that move with the skull, not with expressions (no lips, lids, brows or jaw):
the rigid fit of these gives the head rotation."""
