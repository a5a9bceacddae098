"""C2PA manifests: sign a finished MP4 / JPEG / PNG in place, and read one back.

The manifest states that the file was created by a trained algorithm (``c2pa.actions`` with
``c2pa.created`` and IPTC digital source type ``trainedAlgorithmicMedia``), names the tool,
and carries an ``org.parlante.generation`` assertion with the settings and the SHA-256 of the
source portrait and audio (hashes only: the portrait itself is not embedded, and no thumbnail
is made). The file's bytes are hashed into the signed claim, so any later change to the media
data shows as a hash mismatch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa

from .errors import ProvenanceError
from .keys import SignerConfig, local_signer

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
GENERATION_LABEL = "org.parlante.generation"
MIME_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
_READ_SETTINGS: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}


@dataclass
class ProvenanceInfo:
    """What a signed manifest records about how a file was made.

    tool, version: the generator ("Parlante", its version).
    settings: the generation options as strings (no transcript, no personal data).
    source_sha256: SHA-256 hex of the source portrait file.
    audio_sha256: SHA-256 hex of the source audio, if any.
    watermark_payload: the 32-bit id the invisible watermark carries, if known.
    """

    tool: str
    version: str
    settings: dict[str, str] = field(default_factory=dict)
    source_sha256: str = ""
    audio_sha256: str | None = None
    watermark_payload: int | None = None


@dataclass
class ManifestReport:
    """What the C2PA manifest of a file says, and whether it holds.

    present: the file carries a C2PA manifest.
    valid: its signature and its hash of the file check out (state Valid or Trusted).
    trusted: the signing certificate chains to a given trust anchor (e.g. the local CA).
    state: "Trusted", "Valid", "Invalid" (tampered or broken), or "absent".
    failures: validation failure codes, e.g. "assertion.bmffHash.mismatch" for MP4 or
        "assertion.dataHash.mismatch" for JPEG/PNG when the media was changed after
        signing ("signingCredential.untrusted" is left out: see ``trusted``).
    claim_generator: "name version" of the tool that made the manifest.
    ai_generated: a c2pa.created action declares trainedAlgorithmicMedia.
    signer: common name and organisation of the signing certificate.
    info: the Parlante generation record, when the manifest has one.
    """

    present: bool
    valid: bool = False
    trusted: bool = False
    state: str = "absent"
    failures: tuple[str, ...] = ()
    claim_generator: str | None = None
    ai_generated: bool = False
    signer: str | None = None
    info: ProvenanceInfo | None = None

    @property
    def from_parlante(self) -> bool:
        """A valid manifest whose generator is Parlante."""
        return self.valid and (self.claim_generator or "").split(" ")[0] == "Parlante"


def mime_type(path: Path) -> str:
    """MIME type C2PA uses for ``path``, from its suffix."""
    try:
        return MIME_TYPES[path.suffix.lower()]
    except KeyError:
        raise ProvenanceError(
            f"{path}: cannot sign a {path.suffix or 'suffix-less'} file "
            f"(supported: {', '.join(sorted(MIME_TYPES))})"
        ) from None


def manifest_definition(info: ProvenanceInfo, title: str) -> dict[str, Any]:
    """The C2PA manifest definition (JSON-able) for a file made as ``info`` says."""
    generation: dict[str, Any] = {
        "tool": info.tool,
        "version": info.version,
        "settings": dict(info.settings),
        "source_sha256": info.source_sha256,
    }
    if info.audio_sha256 is not None:
        generation["audio_sha256"] = info.audio_sha256
    if info.watermark_payload is not None:
        generation["watermark_payload"] = int(info.watermark_payload)
    agent = {"name": info.tool, "version": info.version}
    return {
        "claim_generator_info": [agent],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                            "softwareAgent": agent,
                        }
                    ]
                },
            },
            {"label": GENERATION_LABEL, "data": generation},
        ],
    }


def _signer(config: SignerConfig) -> c2pa.Signer:
    try:
        cert = config.cert_path.read_bytes()
        key = config.key_path.read_bytes()
    except OSError as e:
        raise ProvenanceError(f"{e.filename}: cannot read signing credentials ({e})") from e
    try:
        return c2pa.Signer.from_info(c2pa.C2paSignerInfo(config.alg, cert, key, config.tsa_url))
    except c2pa.C2paError as e:
        raise ProvenanceError(f"{config.cert_path}: unusable signing credentials ({e})") from e


def sign_file(
    path: str | os.PathLike[str],
    info: ProvenanceInfo,
    *,
    signer: SignerConfig | None = None,
    key_dir: str | os.PathLike[str] | None = None,
) -> None:
    """Embed a signed C2PA manifest in an MP4, JPEG or PNG file, in place.

    The signed copy is written beside ``path`` and renamed over it, so ``path`` is never
    left half-written. signer: the credentials; default the local chain in ``key_dir``
    (default ``default_key_dir()``), created on first use.
    """
    path = Path(path)
    mime = mime_type(path)
    if not path.is_file():
        raise ProvenanceError(f"{path}: no such file")
    config = signer if signer is not None else local_signer(key_dir)
    context = c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})
    temp = path.with_name(f".{path.name}.{os.getpid()}.signing{path.suffix}")
    try:
        builder = c2pa.Builder(manifest_definition(info, path.name), context=context)
        with open(path, "rb") as src, open(temp, "w+b") as dst:
            builder.sign(_signer(config), mime, src, dst)
        shutil.copymode(path, temp)
        os.replace(temp, path)
    except c2pa.C2paError as e:
        raise ProvenanceError(f"{path}: C2PA signing failed ({e})") from e
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _parse_info(data: dict[str, Any]) -> ProvenanceInfo:
    payload = data.get("watermark_payload")
    return ProvenanceInfo(
        tool=str(data.get("tool", "")),
        version=str(data.get("version", "")),
        settings={str(k): str(v) for k, v in dict(data.get("settings") or {}).items()},
        source_sha256=str(data.get("source_sha256", "")),
        audio_sha256=data.get("audio_sha256"),
        watermark_payload=int(payload) if isinstance(payload, int) else None,
    )


def read_manifest(
    path: str | os.PathLike[str], *, trust_anchors: str | None = None
) -> ManifestReport:
    """Read and validate the C2PA manifest of ``path`` (offline: nothing is fetched).

    trust_anchors: PEM root certificate(s) whose chains count as trusted.
    """
    path = Path(path)
    settings: dict[str, Any] = dict(_READ_SETTINGS)
    if trust_anchors:
        settings["trust"] = {"user_anchors": trust_anchors}
    try:
        reader = c2pa.Reader.try_create(str(path), context=c2pa.Context.from_dict(settings))
    except c2pa.C2paError as e:
        text = str(e)
        if "NotSupported" in type(e).__name__ or "not supported" in text.lower():
            return ManifestReport(present=False)
        return ManifestReport(present=True, state="Invalid", failures=(text.splitlines()[0],))
    if reader is None:
        return ManifestReport(present=False)
    with reader:
        state = reader.get_validation_state() or "Invalid"
        results = reader.get_validation_results() or {}
        manifest = reader.get_active_manifest() or {}
    codes = [f.get("code", "") for f in results.get("activeManifest", {}).get("failure", [])]
    failures = tuple(c for c in codes if c != "signingCredential.untrusted")
    generator = None
    if manifest.get("claim_generator_info"):
        first = manifest["claim_generator_info"][0]
        generator = f"{first.get('name', '')} {first.get('version', '')}".strip()
    ai, info = False, None
    for assertion in manifest.get("assertions", []):
        label = assertion.get("label", "")
        data = assertion.get("data") or {}
        if label.startswith("c2pa.actions"):
            ai = ai or any(
                a.get("action") == "c2pa.created"
                and a.get("digitalSourceType") == TRAINED_ALGORITHMIC_MEDIA
                for a in data.get("actions", [])
            )
        elif label == GENERATION_LABEL:
            info = _parse_info(data)
    sig = manifest.get("signature_info") or {}
    signer = ", ".join(str(sig[k]) for k in ("common_name", "issuer") if sig.get(k)) or None
    return ManifestReport(
        present=True,
        valid=state in ("Valid", "Trusted") and not failures,
        trusted=state == "Trusted",
        state=state,
        failures=failures,
        claim_generator=generator,
        ai_generated=ai,
        signer=signer,
        info=info,
    )
