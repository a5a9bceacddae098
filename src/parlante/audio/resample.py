"""Streaming rational-ratio resampling (Kaiser-windowed sinc, polyphase).

Feature analysis runs at 16 kHz whatever the source rate. The same resampler serves a whole
file (one push) and a live stream (many pushes): output sample m depends only on input
samples near ``m * in_rate / out_rate``, so chunk boundaries cannot change the result.
"""

from __future__ import annotations

import math

import numba
import numpy as np

_MAX_PHASES = 4096  # finer ratios round output positions to 1/4096 of an input sample
_BLOCK = 65536  # output samples per step (bounds memory)


@numba.njit(cache=True, nogil=True)
def _polyphase(buf: np.ndarray, first: np.ndarray, phase: np.ndarray, table: np.ndarray):
    """out[i] = sum_k buf[first[i] + k] * table[phase[i], k]."""
    n_taps = table.shape[1]
    out = np.empty(first.shape[0])
    for i in range(first.shape[0]):
        acc = 0.0
        f = first[i]
        row = table[phase[i]]
        for k in range(n_taps):
            acc += buf[f + k] * row[k]
        out[i] = acc
    return out


class StreamResampler:
    """Resample a stream from ``in_rate`` to ``out_rate`` Hz, chunk in, chunk out.

    Parameters
    ----------
    in_rate, out_rate : sample rates in Hz (positive integers).
    zero_crossings : sinc lobes on each side of the kernel; more is sharper and slower.
    rolloff : pass-band edge as a fraction of the lower Nyquist frequency.
    """

    def __init__(
        self,
        in_rate: int,
        out_rate: int,
        *,
        zero_crossings: int = 16,
        rolloff: float = 0.92,
        beta: float = 8.0,
    ) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} -> {out_rate}")
        g = math.gcd(int(in_rate), int(out_rate))
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        self._up = self.out_rate // g  # output samples per `down` input samples
        self._down = self.in_rate // g
        self._identity = self._up == self._down
        # Cutoff in cycles per input sample, kernel half width in input samples.
        self._fc = 0.5 * rolloff * min(1.0, self.out_rate / self.in_rate)
        half_width = zero_crossings / (2.0 * self._fc)
        self._half_width = half_width
        self._beta = beta
        self._taps = 0 if self._identity else int(math.ceil(half_width))
        self._offsets = np.arange(-self._taps + 1, self._taps + 1)  # (2H,) input offsets
        self._phases = min(self._up, _MAX_PHASES)
        if not self._identity:
            self._table = self._kernel(np.arange(self._phases) / self._phases)
        # Input history: global sample index of _buf[0]; zeros stand in before the start.
        self._buf = np.zeros(self._taps)
        self._buf_start = -self._taps
        self._n_in = 0
        self._next_out = 0
        self._flushed = False

    @property
    def delay_seconds(self) -> float:
        """Input audio needed beyond an output sample's time before it can be produced."""
        return (self._taps + 2) / self.in_rate if self._taps else 0.0

    def output_length(self, n_in: int) -> int:
        """Number of output samples for ``n_in`` input samples: ceil(n_in * out / in)."""
        return -(-n_in * self._up // self._down)

    def _kernel(self, frac: np.ndarray) -> np.ndarray:
        """Taps (len(frac), 2H) for output positions ``frac`` in [0, 1) past an input sample."""
        u = frac[:, None] - self._offsets[None, :]
        arg = np.clip(1.0 - (u / self._half_width) ** 2, 0.0, None)
        window = np.i0(self._beta * np.sqrt(arg)) / np.i0(self._beta)
        window[np.abs(u) >= self._half_width] = 0.0
        taps = 2.0 * self._fc * np.sinc(2.0 * self._fc * u) * window
        return taps / taps.sum(axis=1, keepdims=True)  # exact unit gain at DC per phase

    def push(self, chunk: np.ndarray) -> np.ndarray:
        """Add input samples (n,) and return the output samples they complete (float64)."""
        if self._flushed:
            raise RuntimeError("push() after flush()")
        x = np.asarray(chunk, dtype=np.float64).reshape(-1)
        self._n_in += x.size
        if self._identity:
            self._next_out += x.size
            return x.copy()
        self._buf = np.concatenate([self._buf, x])
        # Output m needs inputs up to floor(m * down / up) + H (+1 if phases are rounded).
        last_ready = self._n_in - self._taps - 2
        m_end = -(-(last_ready + 1) * self._up // self._down) if last_ready >= 0 else 0
        return self._emit(m_end)

    def flush(self) -> np.ndarray:
        """Return the remaining output, treating the input as followed by silence."""
        if self._flushed:
            return np.zeros(0)
        self._flushed = True
        if self._identity:
            return np.zeros(0)
        self._buf = np.concatenate([self._buf, np.zeros(self._taps + 2)])
        return self._emit(self.output_length(self._n_in))

    def _emit(self, m_end: int) -> np.ndarray:
        pieces = []
        while self._next_out < m_end:
            m = np.arange(self._next_out, min(m_end, self._next_out + _BLOCK))
            # Output position in units of 1/phases input samples (exact when up <= phases).
            q = (2 * m * self._down * self._phases + self._up) // (2 * self._up)
            first = q // self._phases + self._offsets[0] - self._buf_start
            pieces.append(_polyphase(self._buf, first, q % self._phases, self._table))
            self._next_out = int(m[-1]) + 1
        # Drop history that no future output can reach.
        keep_from = (self._next_out * self._down) // self._up - self._taps
        drop = keep_from - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start = keep_from
        return np.concatenate(pieces) if pieces else np.zeros(0)
