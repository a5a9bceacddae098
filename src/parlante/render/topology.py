"""MediaPipe face-mesh topology: triangles and the named contours the renderer moves.

Indices are MediaPipe face-mesh landmark numbers (0-467 face, 468-477 iris). Sides are
*image* sides: ``_L`` is the eye/brow/corner on the image left (the subject's right).
Contours run from the image-left end to the image-right end (lips) or from the outer
corner towards the nose (eyes: outer -> inner for the left eye, inner -> outer for the
right eye, i.e. always image-left -> image-right).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from parlante.render._mesh_data import FACE_TRIANGLES

N_FACE = 468
"""Face-mesh points covered by the triangles (the iris points 468-477 are not)."""

# Lips: inner contours share their corners (78, 308); upper and lower are assigned
# explicitly because with the mouth closed they coincide.
LIP_INNER_UPPER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIP_INNER_LOWER = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
LIP_OUTER_UPPER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIP_OUTER_LOWER = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)

# Eyes: upper and lower lid margins share the corners.
EYE_L_UPPER = (33, 246, 161, 160, 159, 158, 157, 173, 133)
EYE_L_LOWER = (33, 7, 163, 144, 145, 153, 154, 155, 133)
EYE_R_UPPER = (362, 398, 384, 385, 386, 387, 388, 466, 263)
EYE_R_LOWER = (362, 382, 381, 380, 374, 373, 390, 249, 263)

IRIS_L = (468, 469, 470, 471, 472)
"""Centre, then four rim points, of the iris on the image left."""
IRIS_R = (473, 474, 475, 476, 477)

BROW_L = (46, 53, 52, 65, 55, 70, 63, 105, 66, 107)
BROW_R = (276, 283, 282, 295, 285, 300, 293, 334, 296, 336)

FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400,
    377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip
"""Closed loop of the mesh boundary, clockwise on screen starting at the forehead top."""

EYE_OUTER_L, EYE_OUTER_R = 33, 263
FOREHEAD_TOP, CHIN = 10, 152
NOSE_TIP = 1


def face_triangles() -> np.ndarray:
    """(852, 3) int32 triangles over points 0-467, positive area for a frontal face."""
    return np.asarray(FACE_TRIANGLES, dtype=np.int32).reshape(-1, 3)


def triangles_from_edges(edges: Iterable[tuple[int, int]], points: np.ndarray) -> np.ndarray:
    """Recover a triangle mesh from its edge set (how ``_mesh_data`` was made).

    The triangles are the 3-cliques of the edge graph, minus the separating triangles
    (cliques none of whose edges borders only two cliques: they enclose other faces), then
    oriented consistently by walking the mesh, and globally so that most have positive
    signed area on ``points`` ((N, 2+) frontal landmarks).
    """
    undirected = {(min(a, b), max(a, b)) for a, b in edges}
    adjacency: dict[int, set[int]] = defaultdict(set)
    for a, b in undirected:
        adjacency[a].add(b)
        adjacency[b].add(a)
    cliques = {tuple(sorted((a, b, c))) for a, b in undirected for c in adjacency[a] & adjacency[b]}
    uses: dict[tuple[int, int], int] = defaultdict(int)
    for t in cliques:
        for e in itertools.combinations(t, 2):
            uses[e] += 1
    faces = [
        list(t)
        for t in sorted(cliques)
        if not all(uses[e] > 2 for e in itertools.combinations(t, 2))
    ]
    by_edge: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, t in enumerate(faces):
        for a, b in itertools.combinations(t, 2):
            by_edge[(min(a, b), max(a, b))].append(i)
    seen = [False] * len(faces)
    for start in range(len(faces)):
        if seen[start]:
            continue
        seen[start] = True
        stack = [start]
        while stack:
            i = stack.pop()
            t = faces[i]
            for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
                for j in by_edge[(min(a, b), max(a, b))]:
                    if seen[j]:
                        continue
                    u = faces[j]
                    if (a, b) in ((u[0], u[1]), (u[1], u[2]), (u[2], u[0])):
                        faces[j] = [u[0], u[2], u[1]]
                    seen[j] = True
                    stack.append(j)
    tri = np.asarray(faces, dtype=np.int32)
    if np.sum(signed_areas(points[:, :2], tri) > 0) < len(tri) / 2:
        tri = tri[:, [0, 2, 1]]
    return tri


def signed_areas(points: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(M,) twice the signed area of each triangle of (N, 2) points (x right, y down)."""
    a = points[triangles[:, 1]] - points[triangles[:, 0]]
    b = points[triangles[:, 2]] - points[triangles[:, 0]]
    return a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]


def vertex_neighbours(triangles: np.ndarray, n: int) -> list[np.ndarray]:
    """For each of ``n`` vertices, the sorted indices of the vertices sharing an edge."""
    nb: list[set[int]] = [set() for _ in range(n)]
    for t in triangles:
        for a, b in itertools.combinations(t.tolist(), 2):
            nb[a].add(b)
            nb[b].add(a)
    return [np.asarray(sorted(s), dtype=np.int32) for s in nb]
