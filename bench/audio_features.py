"""Audio stage speed and sanity figures, on ONE core.

    .venv/bin/python bench/audio_features.py [--seconds 30] [--media ../shared/media/audio]

Prints the real-time factor (seconds of audio per wall-clock second) of analyze_audio, of
AudioFeatureStream fed 20 ms and 40 ms chunks, and of align_transcript, on a generated
voice; then, for each WAV in --media if present, the speed and the F0 median, voiced fraction
and F1/F2 medians so a person can check them against what they hear.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

TEXT = (
    "The quick brown fox jumps over the lazy dog. Papa bought a big blue map, "
    "and we were away a year ago. She sells sea shells by the sea shore. "
)


def best_of(fn, repeats: int = 3) -> float:
    """Fastest wall time of ``repeats`` calls (the machine is shared; the minimum is the cost)."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run_stream(samples: np.ndarray, rate: int, chunk_seconds: float) -> None:
    from parlante.audio import AudioFeatureStream

    stream = AudioFeatureStream(rate)
    step = max(int(chunk_seconds * rate), 1)
    for i in range(0, len(samples), step):
        stream.push(samples[i : i + step])
    stream.flush()


def generated_voice(seconds: float) -> tuple[np.ndarray, int, str | None]:
    from parlante.audio import VoiceUnavailableError, speak, synth_vowels

    try:
        samples, rate = speak(TEXT * 20, voice="en-us")
        text = TEXT * 20
    except VoiceUnavailableError:
        samples, rate = synth_vowels("a-i-u-o-e pa-ma sa-ta-ka _ " * 40, 16000)
        text = None
    n = int(seconds * rate)
    if text is not None:  # cut at the end of a whole sentence so the transcript still fits
        reps = max(1, int(seconds / (len(samples) / rate / 20)))
        samples, rate = speak(TEXT * reps, voice="en-us")
        text = TEXT * reps
        n = len(samples)
    return samples[:n], rate, text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=30.0)
    here = Path(__file__).resolve().parent.parent
    ap.add_argument("--media", default=str(here.parent / "shared" / "media" / "audio"))
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    from parlante.audio import align_transcript, analyze_audio, load_audio
    from parlante.audio.resample import StreamResampler

    samples, rate, text = generated_voice(args.seconds)
    duration = len(samples) / rate
    analyze_audio(samples[: rate // 2], rate)  # load numba's cache before timing

    print(f"generated voice: {duration:.1f} s at {rate} Hz (espeak-ng en-us)")
    print(f"{'stage':44s} {'x real time':>12s}")
    for target in (rate, 16000, 44100):
        r = StreamResampler(rate, target)
        x = np.concatenate([r.push(samples), r.flush()]).astype(np.float32)
        t = best_of(lambda x=x, target=target: analyze_audio(x, target))
        print(f"{f'analyze_audio @ {target} Hz':44s} {duration / t:12.0f}")
    for chunk in (0.02, 0.04, 0.2):
        t = best_of(lambda chunk=chunk: run_stream(samples, rate, chunk))
        label = f"AudioFeatureStream, {chunk * 1000:.0f} ms chunks @ {rate} Hz"
        print(f"{label:44s} {duration / t:12.0f}")
    if text is not None:
        phones: list = []

        def align() -> None:
            phones[:] = align_transcript(samples, rate, text)

        t = best_of(align, repeats=1)
        n_spoken = sum(p.phone != "SIL" for p in phones)
        print(f"{'align_transcript':44s} {duration / t:12.1f}   ({n_spoken} phones aligned)")

    media = Path(args.media)
    files = sorted(media.glob("*.wav")) if media.is_dir() else []
    if not files:
        print(f"\n(no WAV files in {media}: per-file figures skipped)")
        return
    print(
        f"\n{'file':40s} {'Hz':>6s} {'s':>5s} {'xRT':>5s} {'F0 med':>7s} {'voiced':>7s}"
        f" {'F1 med':>7s} {'F2 med':>7s} {'loud med':>8s}"
    )
    for path in files:
        x, sr = load_audio(path)
        t = best_of(lambda x=x, sr=sr: analyze_audio(x, sr), repeats=1)
        tr = analyze_audio(x, sr)
        voiced = tr.pitch > 0
        speech = tr.loudness > -60

        def med(a: np.ndarray) -> float:
            return float(np.median(a)) if a.size else float("nan")

        print(
            f"{path.name:40s} {sr:6d} {len(x) / sr:5.1f} {len(x) / sr / t:5.0f}"
            f" {med(tr.pitch[voiced]):7.0f} {voiced.mean():7.2f} {med(tr.f1[voiced]):7.0f}"
            f" {med(tr.f2[voiced]):7.0f} {med(tr.loudness[speech]):8.1f}"
        )


if __name__ == "__main__":
    main()
