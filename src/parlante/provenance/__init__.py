"""Provenance: an invisible watermark in every frame, a signed C2PA manifest on every file,
and ``verify`` to find either.

    mark = Watermark(size=512)
    frame = mark.embed(frame, video_id)          # every frame, ~1.5 ms at 512x512
    sign_file("out.mp4", ProvenanceInfo("Parlante", version, settings, portrait_sha256))
    verify_file("out.mp4").is_parlante           # watermark or valid manifest
"""

from .detect import WatermarkDetector, WatermarkReport, detect_watermark
from .embed import Strength, Watermark
from .errors import ProvenanceError
from .keys import SignerConfig, default_key_dir, local_signer
from .label import add_label
from .manifest import ManifestReport, ProvenanceInfo, read_manifest, sign_file
from .media import detect_watermark_in_file, read_frames
from .patterns import PARLANTE_KEY
from .verify import VerifyReport, verify_file, verify_main

__all__ = [
    "PARLANTE_KEY",
    "ManifestReport",
    "ProvenanceError",
    "ProvenanceInfo",
    "SignerConfig",
    "Strength",
    "VerifyReport",
    "Watermark",
    "WatermarkDetector",
    "WatermarkReport",
    "add_label",
    "default_key_dir",
    "detect_watermark",
    "detect_watermark_in_file",
    "local_signer",
    "read_frames",
    "read_manifest",
    "sign_file",
    "verify_file",
    "verify_main",
]
