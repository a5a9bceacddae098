"""Scanline triangle rasteriser (numba) + OpenCV remap + compositing over the still plate.

Coordinates are continuous pixels: pixel (row i, column j) covers [j, j+1) x [i, i+1) and its
centre is (j + 0.5, i + 0.5), as MediaPipe landmarks are. Each triangle carries, per vertex,
its position on screen, a depth, where it reads the source (texture) and a shading factor.
A pixel belongs to a triangle when its centre is inside (top-left fill rule: triangles
sharing an edge never both draw, nor both miss, a pixel). Only pixels that some triangle
covers are touched: the caller keeps every other pixel as it was, so what does not move
stays bit-identical.

The rasteriser writes a backward map straight in OpenCV's fixed-point CV_16SC2 form (the
fast path of ``cv2.remap``: ~1.3 ms for 512x512 RGBA on one core), then ``composite``
blends the remapped foreground (un-premultiplied RGB + person mask) over the plate.
"""

from __future__ import annotations

import cv2
import numba
import numpy as np

KIND_FACE = 0
"""Depth-tested, back faces culled: the face mesh, its rings, the border, the eye balls."""
KIND_UNDER = 1
"""Drawn first, in list order, never culled, always behind KIND_FACE: the mouth interior."""

_TAB = 32  # cv2 INTER_TAB_SIZE: sub-pixel steps of CV_16SC2 maps
_FRAC = 12  # extra fixed-point bits while stepping along a span
_ONE = float(1 << _FRAC)
_HALF = 0.5 * _ONE  # rounds to nearest when shifted back
SHADE_ONE = 4096
"""Shading is stored as uint16 in 1/4096 (0 = pixel not drawn), so 0..16 x."""
_SHADE_ONE = float(SHADE_ONE)


@numba.njit(cache=True, nogil=True, inline="always")
def _edge_x(ax: float, ay: float, bx: float, by: float, y: float) -> float:
    """x where the edge crosses height y; the same bits whichever triangle asks."""
    if ay > by or (ay == by and ax > bx):
        ax, ay, bx, by = bx, by, ax, ay
    return ax + (y - ay) * (bx - ax) / (by - ay)


@numba.njit(cache=True, nogil=True)
def rasterise(
    dst: np.ndarray,
    depth: np.ndarray,
    src: np.ndarray,
    shade: np.ndarray,
    tris: np.ndarray,
    kind: np.ndarray,
    tri_label: np.ndarray,
    map_xy: np.ndarray,
    map_frac: np.ndarray,
    shd: np.ndarray,
    zbuf: np.ndarray,
    label: np.ndarray,
    box: np.ndarray,
) -> None:
    """Rasterise triangles into per-pixel source positions and shading.

    dst (V, 2) screen positions, depth (V,), src (V, 2) source positions, shade (V,) float32;
    tris (M, 3) int32, kind (M,) int8, tri_label (M,) uint8 (written to ``label``).
    Out, all over the (S, S) frame: map_xy (S, S, 2) int16 and map_frac (S, S) uint16 (a
    CV_16SC2 map), shd (S, S) uint16 shading in 1/SHADE_ONE where drawn, 0 elsewhere (must
    be 0 on entry: ``composite`` clears it), label (S, S) uint8: the tri_label of the
    triangle that drew each pixel (the caller clears it). zbuf (S, S) float32 must be +inf
    on entry and is restored on exit.
    box: (4,) int32 out: x0, y0, x1, y1 (exclusive) bounds of the pixels drawn.
    """
    size_y, size_x = shd.shape
    bx0, by0, bx1, by1 = size_x, size_y, 0, 0
    for layer in range(2):
        want = KIND_UNDER if layer == 0 else KIND_FACE
        for t in range(tris.shape[0]):
            if kind[t] != want:
                continue
            i0, i1, i2 = tris[t, 0], tris[t, 1], tris[t, 2]
            x0, y0 = dst[i0, 0], dst[i0, 1]
            x1, y1 = dst[i1, 0], dst[i1, 1]
            x2, y2 = dst[i2, 0], dst[i2, 1]
            area = (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0)
            if want == KIND_FACE:
                if area <= 1e-9:
                    continue  # back-facing or degenerate: front faces cover its pixels
            elif abs(area) <= 1e-9:
                continue
            inv = 1.0 / area
            # Plane gradients of the attributes: value = v0 + gx * (x - x0) + gy * (y - y0).
            e1x, e1y = x1 - x0, y1 - y0
            e2x, e2y = x2 - x0, y2 - y0
            zd1, zd2 = depth[i1] - depth[i0], depth[i2] - depth[i0]
            ud1, ud2 = src[i1, 0] - src[i0, 0], src[i2, 0] - src[i0, 0]
            vd1, vd2 = src[i1, 1] - src[i0, 1], src[i2, 1] - src[i0, 1]
            sd1, sd2 = shade[i1] - shade[i0], shade[i2] - shade[i0]
            zgx, zgy = (zd1 * e2y - zd2 * e1y) * inv, (zd2 * e1x - zd1 * e2x) * inv
            ugx, ugy = (ud1 * e2y - ud2 * e1y) * inv, (ud2 * e1x - ud1 * e2x) * inv
            vgx, vgy = (vd1 * e2y - vd2 * e1y) * inv, (vd2 * e1x - vd1 * e2x) * inv
            sgx, sgy = (sd1 * e2y - sd2 * e1y) * inv, (sd2 * e1x - sd1 * e2x) * inv
            # Vertices by height: a top, b middle, c bottom.
            ax, ay, bx, by, cx, cy = x0, y0, x1, y1, x2, y2
            if ay > by or (ay == by and ax > bx):
                ax, ay, bx, by = bx, by, ax, ay
            if by > cy or (by == cy and bx > cx):
                bx, by, cx, cy = cx, cy, bx, by
            if ay > by or (ay == by and ax > bx):
                ax, ay, bx, by = bx, by, ax, ay
            row0 = max(int(np.ceil(ay - 0.5)), 0)
            row1 = min(int(np.ceil(cy - 0.5)), size_y)  # exclusive
            for i in range(row0, row1):
                py = i + 0.5
                xl = _edge_x(ax, ay, cx, cy, py)
                xr = _edge_x(ax, ay, bx, by, py) if py < by else _edge_x(bx, by, cx, cy, py)
                if xl > xr:
                    xl, xr = xr, xl
                col0 = max(int(np.ceil(xl - 0.5)), 0)
                col1 = min(int(np.ceil(xr - 0.5)), size_x)  # exclusive
                if col0 >= col1:
                    continue
                by0 = min(by0, i)
                by1 = max(by1, i + 1)
                bx0 = min(bx0, col0)
                bx1 = max(bx1, col1)
                dx = col0 + 0.5 - x0
                dy = py - y0
                # Fixed point along the span: source in 1/32 px and shading in 1/4096,
                # each with _FRAC extra bits, so the inner loop only adds and shifts.
                uf = (src[i0, 0] - 0.5 + ugx * dx + ugy * dy) * _TAB * _ONE + _HALF
                vf = (src[i0, 1] - 0.5 + vgx * dx + vgy * dy) * _TAB * _ONE + _HALF
                sf = (shade[i0] + sgx * dx + sgy * dy) * _SHADE_ONE * _ONE + _HALF
                iu = np.int64(np.floor(uf))
                iv = np.int64(np.floor(vf))
                isd = np.int64(np.floor(sf))
                du = np.int64(round(ugx * _TAB * _ONE))
                dv = np.int64(round(vgx * _TAB * _ONE))
                ds = np.int64(round(sgx * _SHADE_ONE * _ONE))
                lab = tri_label[t]
                if want == KIND_FACE:
                    z = depth[i0] + zgx * dx + zgy * dy
                    for j in range(col0, col1):
                        if z < zbuf[i, j]:
                            zbuf[i, j] = z
                            pu = iu >> _FRAC
                            pv = iv >> _FRAC
                            map_xy[i, j, 0] = pu >> 5
                            map_xy[i, j, 1] = pv >> 5
                            map_frac[i, j] = (pv & 31) * _TAB + (pu & 31)
                            shd[i, j] = min(max(isd >> _FRAC, 1), 65535)
                            label[i, j] = lab
                        z += zgx
                        iu += du
                        iv += dv
                        isd += ds
                else:
                    for j in range(col0, col1):
                        pu = iu >> _FRAC
                        pv = iv >> _FRAC
                        map_xy[i, j, 0] = pu >> 5
                        map_xy[i, j, 1] = pv >> 5
                        map_frac[i, j] = (pv & 31) * _TAB + (pu & 31)
                        shd[i, j] = min(max(isd >> _FRAC, 1), 65535)
                        label[i, j] = lab
                        iu += du
                        iv += dv
                        isd += ds
    for i in range(by0, by1):
        for j in range(bx0, bx1):
            zbuf[i, j] = np.inf
    box[0], box[1], box[2], box[3] = bx0, by0, bx1, by1


@numba.njit(cache=True, nogil=True)
def composite(
    warped: np.ndarray, shd: np.ndarray, plate: np.ndarray, out: np.ndarray, x0: int, y0: int
) -> None:
    """Blend the (h, w, 4) uint8 remapped foreground (RGB, alpha) of the box at (x0, y0) over
    the (S, S, 3) uint8 plate into ``out`` where drawn (shd > 0), and clear shd there."""
    h, w = warped.shape[0], warped.shape[1]
    scale = np.float32(1.0 / (255.0 * SHADE_ONE))
    for i in range(h):
        for j in range(w):
            code = shd[y0 + i, x0 + j]
            if code == 0:
                continue
            shd[y0 + i, x0 + j] = 0
            a = np.float32(warped[i, j, 3])
            s = np.float32(code) * a * scale
            b = np.float32(1.0) - a * np.float32(1.0 / 255.0)
            for ch in range(3):
                val = (
                    s * np.float32(warped[i, j, ch])
                    + b * np.float32(plate[y0 + i, x0 + j, ch])
                    + np.float32(0.5)
                )
                out[y0 + i, x0 + j, ch] = np.uint8(
                    min(max(val, np.float32(0.0)), np.float32(255.0))
                )


@numba.njit(cache=True, nogil=True)
def soften_edges(out: np.ndarray, label: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> None:
    """Anti-alias edges between differently labelled triangles where one label is >= 2 (an
    opening: lips over mouth interior, lids over eyeball, interior layers), in the box
    [x0, x1) x [y0, y1): such pixels take a 3x3 binomial blur of their neighbourhood."""
    h, w = y1 - y0, x1 - x0
    if h < 3 or w < 3:
        return
    patch = out[y0:y1, x0:x1].copy()
    for i in range(1, h - 1):
        for j in range(1, w - 1):
            a = label[y0 + i, x0 + j]
            edge = False
            for di, dj in ((0, 1), (1, 0), (0, -1), (-1, 0)):
                b = label[y0 + i + di, x0 + j + dj]
                if b != a and max(a, b) >= 2:
                    edge = True
                    break
            if not edge:
                continue
            for ch in range(3):
                acc = 0
                for di in range(-1, 2):
                    for dj in range(-1, 2):
                        wgt = (2 - abs(di)) * (2 - abs(dj))
                        acc += wgt * np.int32(patch[i + di, j + dj, ch])
                out[y0 + i, x0 + j, ch] = np.uint8((acc + 8) // 16)


class Canvas:
    """Per-renderer scratch buffers for one frame size (not shared between threads)."""

    def __init__(self, size: int) -> None:
        self.map_xy = np.zeros((size, size, 2), np.int16)
        self.map_frac = np.zeros((size, size), np.uint16)
        self.shd = np.zeros((size, size), np.uint16)
        self.zbuf = np.full((size, size), np.inf, np.float32)
        self.label = np.zeros((size, size), np.uint8)
        self.box = np.zeros(4, np.int32)

    def draw(
        self,
        dst: np.ndarray,
        depth: np.ndarray,
        src: np.ndarray,
        shade: np.ndarray,
        tris: np.ndarray,
        kind: np.ndarray,
        tri_label: np.ndarray,
        source: np.ndarray,
        plate: np.ndarray,
        out: np.ndarray,
    ) -> tuple[int, int, int, int]:
        """Draw the mesh into ``out`` (S, S, 3) uint8 in place; returns the box drawn.

        source: (H, W, 4) uint8 foreground RGB + alpha (image rows, then atlas rows).
        ``label`` holds each drawn pixel's tri_label until ``clear_labels``.
        """
        rasterise(
            dst,
            depth,
            src,
            shade,
            tris,
            kind,
            tri_label,
            self.map_xy,
            self.map_frac,
            self.shd,
            self.zbuf,
            self.label,
            self.box,
        )
        x0, y0, x1, y1 = (int(v) for v in self.box)
        if x1 <= x0 or y1 <= y0:
            return (0, 0, 0, 0)
        warped = cv2.remap(
            source,
            self.map_xy[y0:y1, x0:x1],
            self.map_frac[y0:y1, x0:x1],
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        composite(warped, self.shd, plate, out, x0, y0)
        return (x0, y0, x1, y1)

    def clear_labels(self, box: tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = box
        self.label[y0:y1, x0:x1] = 0
