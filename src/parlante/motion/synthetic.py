"""Synthetic AudioTracks (features only) for tests, benches and demos without audio.

``speech_like_track`` strings syllables (vowel nuclei with typical formants, separated by
stop closures, fricatives or nasals) into phrases with falling pitch and pauses, at
speech-like rates (~4.5 syllables per second). ``constant_track`` builds stretches of
fixed features. Only the per-frame arrays are realistic; ``samples`` is silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parlante.audio.track import AudioTrack

# (F1, F2) Hz of some vowels of an adult male voice.
VOWELS: dict[str, tuple[float, float]] = {
    "a": (750.0, 1250.0),
    "e": (500.0, 1850.0),
    "i": (300.0, 2300.0),
    "o": (480.0, 900.0),
    "u": (320.0, 850.0),
    "@": (520.0, 1500.0),
}


_COLUMNS = ("loudness", "voicing", "pitch", "f1", "f2", "centroid", "flatness")


@dataclass
class Stretch:
    """``seconds`` of constant features; ``loudness`` dBFS (-80 = digital silence)."""

    seconds: float
    loudness: float = -80.0
    voicing: float = 0.0
    pitch: float = 0.0
    f1: float = 0.0
    f2: float = 0.0
    centroid: float = 0.0
    flatness: float = 0.0


def silence(seconds: float) -> Stretch:
    return Stretch(seconds)


def vowel(
    seconds: float, name: str = "a", loudness: float = -18.0, pitch: float = 130.0
) -> Stretch:
    f1, f2 = VOWELS[name]
    return Stretch(seconds, loudness, 0.95, pitch, f1, f2, 900.0, 0.02)


def fricative(seconds: float, loudness: float = -32.0) -> Stretch:
    return Stretch(seconds, loudness, 0.05, 0.0, 0.0, 0.0, 5500.0, 0.5)


def constant_track(
    stretches: list[Stretch], fps: float = 25.0, sample_rate: int = 16000
) -> AudioTrack:
    """Concatenate stretches, each rounded to whole frames."""
    n = [max(0, round(s.seconds * fps)) for s in stretches]
    cols = {
        name: np.concatenate(
            [np.full(k, getattr(s, name), np.float32) for s, k in zip(stretches, n, strict=True)]
        )
        for name in _COLUMNS
    }
    t = int(sum(n))
    return AudioTrack(
        fps=fps,
        samples=np.zeros(round(t / fps * sample_rate), np.float32),
        sample_rate=sample_rate,
        **cols,
    )


def speech_like_track(
    seconds: float, fps: float = 25.0, seed: int = 0, sample_rate: int = 16000
) -> AudioTrack:
    """Phrases of syllables with pauses; features jittered frame to frame like a real
    analyser's output (loudness +-1.5 dB, formants +-5 %)."""
    rng = np.random.default_rng(seed)
    t_total = round(seconds * fps)
    # Rows: loudness, voicing, pitch, f1, f2, centroid, flatness (the order of _COLUMNS).
    feats = np.zeros((len(_COLUMNS), t_total))
    feats[0] = -80.0
    names = list(VOWELS)

    def put(t0: float, t1: float, s: Stretch, loudness: np.ndarray | None = None) -> None:
        i0, i1 = round(t0 * fps), min(t_total, round(t1 * fps))
        if i1 > i0:
            feats[:, i0:i1] = np.array([getattr(s, c) for c in _COLUMNS])[:, None]
            if loudness is not None:
                feats[0, i0:i1] = loudness[: i1 - i0]

    t = float(rng.uniform(0.2, 0.6))
    while t < seconds - 0.5:
        phrase_end = min(seconds - 0.3, t + float(rng.uniform(1.5, 4.0)))
        p_start = float(rng.uniform(120.0, 150.0))
        phrase_t0 = t
        while t < phrase_end:
            # Onset consonant.
            kind = rng.choice(["stop", "fric", "nasal", "none"], p=[0.4, 0.25, 0.2, 0.15])
            d = float(rng.uniform(0.05, 0.1))
            if kind == "stop":
                put(t, t + d, Stretch(d, -55.0, 0.0, 0.0, 0.0, 0.0, 500.0, 0.05))
            elif kind == "fric":
                put(t, t + d, fricative(d, -34.0))
            elif kind == "nasal":
                put(t, t + d, Stretch(d, -34.0, 0.9, p_start, 300.0, 1200.0, 400.0, 0.02))
            else:
                d = 0.0
            t += d
            # Vowel nucleus with a rise-fall loudness contour.
            dv = float(rng.uniform(0.1, 0.25))
            n = round(dv * fps) + 2  # one spare frame each side of rounding
            stressed = rng.uniform() < 0.3
            peak = float(rng.uniform(-16.0, -11.0) if stressed else rng.uniform(-24.0, -16.0))
            shape = np.sin(np.linspace(0.15, np.pi - 0.15, n))
            prog = (t - phrase_t0) / max(0.5, phrase_end - phrase_t0)
            pitch = p_start * (1.0 - 0.25 * prog) * (1.18 if stressed else 1.0)
            name = names[int(rng.integers(len(names)))]
            put(t, t + dv, vowel(dv, name, peak, pitch), peak - 14.0 * (1.0 - shape))
            t += dv
        t += float(rng.uniform(0.3, 1.2))  # pause

    loud, voi, f0, f1, f2, cen, flat = feats
    voiced = voi > 0.5
    loud = np.where(loud > -79.0, loud + rng.normal(0.0, 1.5, t_total), loud)
    f1 = np.where(voiced, f1 * (1.0 + rng.normal(0.0, 0.05, t_total)), 0.0)
    f2 = np.where(voiced, f2 * (1.0 + rng.normal(0.0, 0.05, t_total)), 0.0)
    f0 = np.where(voiced, f0 * (1.0 + rng.normal(0.0, 0.01, t_total)), 0.0)
    cols = dict(zip(_COLUMNS, (loud, voi, f0, f1, f2, cen, flat), strict=True))
    return AudioTrack(
        fps=fps,
        samples=np.zeros(round(t_total / fps * sample_rate), np.float32),
        sample_rate=sample_rate,
        **{k: v.astype(np.float32) for k, v in cols.items()},
    )


def chunked(track: AudioTrack, sizes: list[int]) -> list[AudioTrack]:
    """Split a track into consecutive pieces of ``sizes`` frames (the last piece takes the
    rest), as a live stream would deliver them. Each phone (absolute times) travels with
    the piece holding its start frame; samples are cut at the matching frame times."""
    bounds = [0]
    for s in sizes:
        if bounds[-1] >= len(track):
            break
        bounds.append(min(len(track), bounds[-1] + s))
    if bounds[-1] < len(track):
        bounds.append(len(track))
    per_frame = track.sample_rate / track.fps
    pieces = []
    starts = [min(len(track) - 1, int(p.start * track.fps)) for p in track.phones]
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        pieces.append(
            AudioTrack(
                fps=track.fps,
                samples=track.samples[round(a * per_frame) : round(b * per_frame)],
                sample_rate=track.sample_rate,
                loudness=track.loudness[a:b],
                voicing=track.voicing[a:b],
                pitch=track.pitch[a:b],
                f1=track.f1[a:b],
                f2=track.f2[a:b],
                centroid=track.centroid[a:b],
                flatness=track.flatness[a:b],
                phones=[p for p, s in zip(track.phones, starts, strict=True) if a <= s < b],
            )
        )
    return pieces
