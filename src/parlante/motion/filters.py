"""Smoothing and noise primitives, stepped one frame at a time so a stream and a whole
clip go through exactly the same arithmetic."""

from __future__ import annotations

import math

import numpy as np


class Smooth2:
    """Critically damped second-order low-pass of one value: two equal one-pole stages.

    Steps towards any target without overshoot or frame-to-frame jitter; a step input
    reaches half way after ~1.7 ``tau`` and the group delay is ``delay_frames(alpha)``
    (~2 tau), which callers compensate by reading their target that much ahead. Stable
    for any ``dt``.
    """

    __slots__ = ("s1", "s2")

    def __init__(self, initial: float = 0.0) -> None:
        self.s1 = float(initial)
        self.s2 = float(initial)

    def step(self, target: float, alpha: float) -> float:
        """Advance one frame; ``alpha = gain(dt, tau)``."""
        self.s1 += alpha * (target - self.s1)
        self.s2 += alpha * (self.s1 - self.s2)
        return self.s2

    def glide(self, target: float, alpha: float, snap: float = 1e-3) -> float:
        """``step``, but land exactly on the target once within ``snap`` of it, so a
        setting glided to 0 really is 0 afterwards."""
        out = self.step(target, alpha)
        if abs(self.s1 - target) < snap and abs(out - target) < snap:
            self.s1 = self.s2 = out = target
        return out


class Smooth2Vec:
    """``Smooth2`` over a (C,) vector with per-element gains."""

    def __init__(self, initial: np.ndarray) -> None:
        self.s1 = np.array(initial, dtype=np.float64)
        self.s2 = self.s1.copy()

    def step(self, target: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
        self.s1 += alpha * (target - self.s1)
        self.s2 += alpha * (self.s1 - self.s2)
        return self.s2

    def glide(self, target: np.ndarray, alpha: float, snap: float = 1e-3) -> np.ndarray:
        """``step`` that lands exactly on the target once within ``snap`` of it."""
        out = self.step(target, alpha)
        if np.abs(self.s1 - target).max() < snap and np.abs(out - target).max() < snap:
            self.s1[:] = target
            self.s2[:] = target
        return self.s2


def delay_frames(alpha: float) -> float:
    """Group delay (frames, at low frequency) of ``Smooth2`` with gain ``alpha``: each
    stage delays by (1 - alpha) / alpha, which tends to tau / dt when dt << tau."""
    return 2.0 * (1.0 - alpha) / alpha


def gain(dt: float, tau: float) -> float:
    """One-pole gain for a frame of ``dt`` seconds and a time constant ``tau`` seconds."""
    return 1.0 - math.exp(-dt / tau) if tau > 0 else 1.0


class PinkDrift:
    """Slow 1/f-like wander: a sum of Ornstein-Uhlenbeck processes, one per time scale.

    taus: (K,) seconds; sigmas: (K,) stationary standard deviation of each component.
    ``step`` returns the sum; its statistics do not depend on the frame rate. Normal
    deviates are drawn from ``rng`` in blocks, always in the same order, so the sequence
    depends only on the number of steps taken. ``at_rest`` starts every component at 0
    (a head in the portrait's pose) instead of in the stationary distribution.
    """

    _BLOCK = 256  # steps of deviates drawn at once

    def __init__(
        self,
        taus: tuple[float, ...],
        sigmas: tuple[float, ...],
        dt: float,
        rng: np.random.Generator,
        at_rest: bool = False,
    ) -> None:
        self._a = [math.exp(-dt / t) for t in taus]
        self._b = [s * math.sqrt(1.0 - a * a) for s, a in zip(sigmas, self._a, strict=True)]
        self._rng = rng
        # Start from the stationary distribution so the first seconds are not special.
        self._x = [
            float(z) * s for z, s in zip(rng.standard_normal(len(taus)), sigmas, strict=True)
        ]
        self._z: list[float] = []
        self._pos = 0

    def step(self, gains: tuple[float, ...] | None = None) -> float:
        """Advance one frame. ``gains`` (K,) scales each component's innovation (0 freezes
        it; default 1)."""
        k = len(self._a)
        if self._pos >= len(self._z):
            self._z = self._rng.standard_normal(self._BLOCK * k).tolist()
            self._pos = 0
        z = self._z
        p = self._pos
        self._pos += k
        x = self._x
        total = 0.0
        for i in range(k):
            g = 1.0 if gains is None else gains[i]
            x[i] = self._a[i] * x[i] + g * self._b[i] * z[p + i]
            total += x[i]
        return total
