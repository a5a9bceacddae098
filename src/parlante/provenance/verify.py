"""``parlante verify FILE``: is this file made by Parlante? Watermark and C2PA evidence.

The watermark survives re-encoding, rescaling, cropping and screenshots but says only
"Parlante made this" (and which video); the C2PA manifest says much more (tool, settings,
hashes of the sources) but is lost by any re-encode, and shows any edit as tampering.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from parlante.errors import ParlanteError

from .detect import WatermarkReport
from .errors import ProvenanceError
from .keys import CA_FILE, default_key_dir
from .manifest import ManifestReport, read_manifest
from .media import MAX_FRAMES, detect_watermark_in_file
from .patterns import PARLANTE_KEY


@dataclass
class VerifyReport:
    """Evidence about one file.

    watermark: what the invisible watermark detector found.
    manifest: what the C2PA manifest says, and whether it is intact and trusted.
    """

    path: str
    watermark: WatermarkReport
    manifest: ManifestReport

    @property
    def is_parlante(self) -> bool:
        """Made by Parlante: the watermark is found, or a valid manifest names Parlante."""
        return self.watermark.found or self.manifest.from_parlante

    def to_dict(self) -> dict:
        """JSON-able form (for ``--json``)."""
        out = asdict(self)
        out["is_parlante"] = self.is_parlante
        out["manifest"]["from_parlante"] = self.manifest.from_parlante
        return out


def _anchors(trust_anchor: str | os.PathLike[str] | None, key_dir: Path | None) -> str | None:
    """PEM text of the trust anchors: the given file, else the local CA if one exists."""
    if trust_anchor is not None:
        try:
            return Path(trust_anchor).read_text()
        except (OSError, UnicodeDecodeError) as e:
            raise ProvenanceError(f"{trust_anchor}: cannot read trust anchor ({e})") from e
    ca = (key_dir if key_dir is not None else default_key_dir()) / CA_FILE
    try:
        return ca.read_text() if ca.is_file() else None
    except (OSError, UnicodeDecodeError):
        return None


def verify_file(
    path: str | os.PathLike[str],
    *,
    trust_anchor: str | os.PathLike[str] | None = None,
    key_dir: str | os.PathLike[str] | None = None,
    key: bytes = PARLANTE_KEY,
    max_frames: int = MAX_FRAMES,
) -> VerifyReport:
    """Look for Parlante's watermark and C2PA manifest in a video or image file.

    trust_anchor: PEM root certificate to trust; default the local CA in ``key_dir``
        (default ``default_key_dir()``) if it exists. Nothing is created or fetched.
    Raises ProvenanceError if the file is missing or unreadable.
    """
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path}: no such file")
    anchors = _anchors(trust_anchor, Path(key_dir) if key_dir is not None else None)
    watermark = detect_watermark_in_file(path, key, max_frames=max_frames)
    return VerifyReport(str(path), watermark, read_manifest(path, trust_anchors=anchors))


def summary(report: VerifyReport) -> str:
    """Human-readable lines for a terminal."""
    w, m = report.watermark, report.manifest
    verdict = "made by Parlante (AI-generated)" if report.is_parlante else "no Parlante evidence"
    lines = [f"{report.path}: {verdict}"]
    if w.found:
        payload = f"video id {w.payload:#010x}" if w.payload is not None else "id unreadable"
        lines.append(
            f"  watermark: found ({payload}; z = {w.confidence:.1f}, p = {w.p_value:.1e}, "
            f"{w.frames_used} frames)"
        )
    else:
        lines.append(f"  watermark: not found ({w.frames_used} frames, z = {w.confidence:.1f})")
    if not m.present:
        lines.append("  C2PA manifest: none")
    else:
        status = "valid" if m.valid else "INVALID (" + ", ".join(m.failures or (m.state,)) + ")"
        trust = "trusted" if m.trusted else "signer not trusted here"
        lines.append(f"  C2PA manifest: {status}, {trust}; signed by {m.signer or 'unknown'}")
        lines.append(
            f"    generator: {m.claim_generator or 'unknown'}; "
            f"AI-generated: {'yes' if m.ai_generated else 'not declared'}"
        )
        if m.info is not None:
            lines.append(f"    source portrait SHA-256: {m.info.source_sha256 or 'not recorded'}")
            if m.info.watermark_payload is not None and w.payload is not None:
                agree = "matches" if m.info.watermark_payload == w.payload else "DIFFERS from"
                lines.append(f"    watermark id {agree} the manifest's")
    return "\n".join(lines)


def verify_main(argv: Sequence[str]) -> int:
    """``parlante verify FILE [--json] [--trust-anchor PEM]``.

    Prints a summary (or JSON) and returns 0 when the file carries Parlante evidence
    (watermark, or a valid manifest naming Parlante), 1 when not, 2 on error.
    """
    parser = argparse.ArgumentParser(
        prog="parlante verify",
        description="Look for Parlante's invisible watermark and signed C2PA manifest.",
    )
    parser.add_argument("file", help="video (MP4, ...) or image (JPEG, PNG, ...)")
    parser.add_argument("--json", action="store_true", help="print a JSON report")
    parser.add_argument("--trust-anchor", metavar="PEM", help="root certificate to trust")
    parser.add_argument("--key-dir", metavar="DIR", help="local signing keys (for the CA)")
    parser.add_argument(
        "--frames", type=int, default=MAX_FRAMES, help=f"video frames to sample ({MAX_FRAMES})"
    )
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as e:  # --help, or a usage error already printed
        return 0 if e.code == 0 else 2
    try:
        report = verify_file(
            args.file,
            trust_anchor=args.trust_anchor,
            key_dir=args.key_dir,
            max_frames=max(1, args.frames),
        )
    except ParlanteError as e:
        print(f"parlante verify: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print(summary(report))
    return 0 if report.is_parlante else 1
