"""The watermark message: a Parlante mark byte, a 32-bit video id and a 15-bit CRC.

55 bits = 5 symbols of 11 bits (one per data pattern). Random symbols pass the mark byte and
the CRC together with probability 2**-23, so the checks both reject misreadings and let the
reader try a few likely readings (the next-best peak of an uncertain symbol) at a known cost
in false acceptances.
"""

from __future__ import annotations

import numpy as np

from .patterns import N_DATA, SYMBOL_BITS

MARK = 0x51
"""'P' (0x50) + format version 1."""
ID_BITS = 32
CRC_BITS = 15
CHECK_BITS = 8 + CRC_BITS
CRC_POLY = 0x4599  # CRC-15/CAN
MESSAGE_BITS = 8 + ID_BITS + CRC_BITS
assert MESSAGE_BITS == N_DATA * SYMBOL_BITS


def crc15(value: int, nbits: int) -> int:
    """CRC-15/CAN of the ``nbits`` low bits of ``value``, most significant bit first."""
    crc = 0
    for i in range(nbits - 1, -1, -1):
        bit = (value >> i) & 1
        top = (crc >> 14) & 1
        crc = (crc << 1) & 0x7FFF
        if bit ^ top:
            crc ^= CRC_POLY
    return crc


def _byte_table() -> np.ndarray:
    """(256,) int64: CRC-15 register after shifting in a byte from a zero register."""
    return np.array([crc15(b, 8) for b in range(256)], np.int64)


_TABLE = _byte_table()


def _crc15_bytes(head: np.ndarray) -> np.ndarray:
    """Vectorised CRC-15 of the 40-bit values in ``head`` (int64 array)."""
    crc = np.zeros_like(head)
    for shift in (32, 24, 16, 8, 0):
        byte = (head >> shift) & 0xFF
        crc = ((crc << 8) & 0x7FFF) ^ _TABLE[((crc >> 7) ^ byte) & 0xFF]
    return crc


def encode(video_id: int) -> tuple[int, ...]:
    """32-bit video id -> N_DATA symbols of SYMBOL_BITS bits each."""
    if not 0 <= video_id < 1 << ID_BITS:
        raise ValueError(f"watermark payload must be a 32-bit unsigned int, got {video_id}")
    head = (MARK << ID_BITS) | video_id
    message = (head << CRC_BITS) | crc15(head, 8 + ID_BITS)
    mask = (1 << SYMBOL_BITS) - 1
    return tuple((message >> (SYMBOL_BITS * (N_DATA - 1 - i))) & mask for i in range(N_DATA))


def valid(symbols: np.ndarray) -> np.ndarray:
    """(..., N_DATA) int symbols -> (...) bool: the mark byte and the CRC both match."""
    message = np.zeros(symbols.shape[:-1], np.int64)
    for i in range(N_DATA):
        message = (message << SYMBOL_BITS) | symbols[..., i].astype(np.int64)
    head = message >> CRC_BITS
    return (head >> ID_BITS == MARK) & (_crc15_bytes(head) == message & 0x7FFF)


def decode(symbols: tuple[int, ...]) -> int | None:
    """N_DATA symbols -> the video id, or None when the mark or the CRC does not match."""
    if not valid(np.array(symbols))[()]:
        return None
    message = 0
    for symbol in symbols:
        message = (message << SYMBOL_BITS) | symbol
    return (message >> CRC_BITS) & ((1 << ID_BITS) - 1)
