"""The message codec: 32-bit id + mark byte + CRC-15 as 5 symbols, and list decoding."""

from __future__ import annotations

import numpy as np
import pytest

from parlante.provenance import payload
from parlante.provenance.correlate import decode_symbols
from parlante.provenance.patterns import N_DATA, SHIFT_GRID, SYMBOL_BITS


@pytest.mark.parametrize("video_id", [0, 1, 0x5EED1234, 0xFFFFFFFF])
def test_roundtrip_and_every_single_bit_error_is_rejected(video_id: int) -> None:
    symbols = payload.encode(video_id)
    assert len(symbols) == N_DATA and all(0 <= s < 1 << SYMBOL_BITS for s in symbols)
    assert payload.decode(symbols) == video_id
    for i in range(N_DATA):
        for bit in range(SYMBOL_BITS):
            flipped = list(symbols)
            flipped[i] ^= 1 << bit
            assert payload.decode(tuple(flipped)) is None


def test_random_symbols_rarely_pass_the_checks() -> None:
    rng = np.random.default_rng(1)
    readings = rng.integers(0, 1 << SYMBOL_BITS, (400_000, N_DATA))
    # expected 400000 / 2**23 = 0.05 false acceptances
    assert payload.valid(readings).sum() <= 2


def test_out_of_range_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="32-bit"):
        payload.encode(1 << 32)
    with pytest.raises(ValueError, match="32-bit"):
        payload.encode(-1)


def _values_for(symbols: tuple[int, ...], rng: np.random.Generator, strength: float) -> np.ndarray:
    """Data-pattern z-scores on the shift grid: noise, plus each true symbol's peak."""
    values = rng.normal(size=(N_DATA, SHIFT_GRID * SHIFT_GRID))
    for i, s in enumerate(symbols):
        values[i, s >> 1] = -strength if s & 1 else strength
    return values


def test_list_decoding_recovers_a_symbol_whose_peak_is_not_the_highest() -> None:
    rng = np.random.default_rng(2)
    symbols = payload.encode(0xABCDEF12)
    values = _values_for(symbols, rng, 7.0)
    weak = symbols[2] >> 1
    values[2, weak] = np.sign(values[2, weak]) * 2.5  # below a few noise peaks
    rival = (weak + 7) % values.shape[1]
    values[2, rival] = 4.0
    assert int(np.argmax(np.abs(values[2]))) != weak
    video_id, tries = decode_symbols(values)
    assert video_id == 0xABCDEF12
    assert tries > 1


def test_list_decoding_of_noise_finds_nothing() -> None:
    rng = np.random.default_rng(3)
    misses = sum(decode_symbols(rng.normal(size=(N_DATA, 1024)))[0] is None for _ in range(20))
    assert misses == 20
