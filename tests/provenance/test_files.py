"""C2PA signing and verification of files, the local key chain, and ``parlante verify``."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from PIL import Image
from provenance_media import PAYLOAD, still, write_mp4

from parlante.errors import ParlanteError
from parlante.provenance import (
    ProvenanceError,
    ProvenanceInfo,
    SignerConfig,
    Watermark,
    detect_watermark_in_file,
    local_signer,
    read_manifest,
    sign_file,
    verify_file,
    verify_main,
)

INFO = ProvenanceInfo(
    tool="Parlante",
    version="0.1.0",
    settings={"fps": "25", "emotion": "happy"},
    source_sha256="ab" * 32,
    audio_sha256="cd" * 32,
    watermark_payload=PAYLOAD,
)


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    return tmp_path / "keys"


@pytest.fixture
def signed_mp4(tmp_path: Path, keys: Path, marked_clip: list[np.ndarray]) -> Path:
    path = tmp_path / "out.mp4"
    write_mp4(path, marked_clip[:25], crf=20)
    sign_file(path, INFO, key_dir=keys)
    return path


def _flip_media_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.find(b"mdat") + 500
    data[at] ^= 0x55
    path.write_bytes(bytes(data))


def test_local_chain_is_made_once_with_the_required_properties(keys: Path) -> None:
    first = local_signer(keys)
    again = local_signer(keys)
    assert first == again and first.cert_path.read_bytes() == again.cert_path.read_bytes()
    chain = x509.load_pem_x509_certificates(first.cert_path.read_bytes())
    cert, ca = chain[0], chain[1]
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert cert.issuer == ca.subject
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    pem = first.key_path.read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")  # PKCS#8
    serialization.load_pem_private_key(pem, password=None)
    assert first.key_path.stat().st_mode & 0o077 == 0


def test_signed_mp4_is_valid_trusted_and_says_what_made_it(signed_mp4: Path, keys: Path) -> None:
    report = verify_file(signed_mp4, key_dir=keys)
    m = report.manifest
    assert m.present and m.valid and m.trusted and m.state == "Trusted" and not m.failures
    assert m.ai_generated and m.claim_generator == "Parlante 0.1.0"
    assert m.info == INFO
    assert report.watermark.found and report.watermark.payload == PAYLOAD
    assert report.is_parlante


def test_without_the_local_ca_the_manifest_is_valid_but_not_trusted(
    signed_mp4: Path, tmp_path: Path
) -> None:
    m = verify_file(signed_mp4, key_dir=tmp_path / "elsewhere").manifest
    assert m.valid and not m.trusted and m.state == "Valid"


def test_a_changed_media_byte_shows_as_tampering(signed_mp4: Path, keys: Path) -> None:
    _flip_media_byte(signed_mp4)
    m = read_manifest(signed_mp4, trust_anchors=(keys / "ca.pem").read_text())
    assert m.present and not m.valid and m.state == "Invalid"
    assert any(code.endswith("Hash.mismatch") for code in m.failures), m.failures


def test_reencoding_strips_the_manifest_but_not_the_watermark(
    signed_mp4: Path, tmp_path: Path, keys: Path
) -> None:
    with av.open(str(signed_mp4)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    copy = tmp_path / "reencoded.mp4"
    write_mp4(copy, frames, crf=28)
    report = verify_file(copy, key_dir=keys)
    assert not report.manifest.present
    assert report.watermark.found and report.watermark.payload == PAYLOAD
    assert report.is_parlante


@pytest.mark.parametrize("suffix", [".jpg", ".png"])
def test_signed_stills(tmp_path: Path, keys: Path, mark: Watermark, suffix: str) -> None:
    path = tmp_path / f"frame{suffix}"
    Image.fromarray(mark.embed(still("astronaut"), PAYLOAD)).save(path, quality=90)
    sign_file(path, INFO, key_dir=keys)
    report = verify_file(path, key_dir=keys)
    assert report.manifest.valid and report.manifest.trusted and report.manifest.ai_generated
    assert report.watermark.payload == PAYLOAD
    _flip_media_byte_image(path)
    tampered = verify_file(path, key_dir=keys).manifest
    assert not tampered.valid and any("mismatch" in c for c in tampered.failures)


def _flip_media_byte_image(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) - 40] ^= 0x55  # inside the image data, before the end marker
    path.write_bytes(bytes(data))


def test_users_own_credentials(tmp_path: Path, keys: Path) -> None:
    own = local_signer(tmp_path / "own")  # stands in for a certificate the user has
    config = SignerConfig(own.cert_path, own.key_path, "es256")
    path = tmp_path / "clip.mp4"
    write_mp4(path, [still("coffee")[:256, :256]] * 5)
    sign_file(path, INFO, signer=config)
    assert not keys.exists()  # nothing created when credentials are given
    m = verify_file(path, trust_anchor=own.ca_path).manifest
    assert m.valid and m.trusted


def test_signing_failures_name_the_file(tmp_path: Path, keys: Path) -> None:
    with pytest.raises(ProvenanceError, match="missing.mp4"):
        sign_file(tmp_path / "missing.mp4", INFO, key_dir=keys)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ProvenanceError, match="notes.txt"):
        sign_file(text, INFO, key_dir=keys)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 10)
    with pytest.raises(ProvenanceError, match="broken.mp4"):
        sign_file(broken, INFO, key_dir=keys)
    assert broken.read_bytes() == b"not a video at all" * 10  # left as it was
    assert not list(tmp_path.glob(".*signing*"))


def test_detection_in_files(tmp_path: Path, mark: Watermark, clip: list[np.ndarray]) -> None:
    marked = tmp_path / "marked.mp4"
    write_mp4(marked, [mark.embed(f, PAYLOAD) for f in clip[:30]], crf=23)
    plain = tmp_path / "plain.png"
    Image.fromarray(clip[0]).save(plain)
    assert detect_watermark_in_file(marked).payload == PAYLOAD
    assert not detect_watermark_in_file(plain).found
    with pytest.raises(ParlanteError, match="nothing.mp4"):
        detect_watermark_in_file(tmp_path / "nothing.mp4")
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ParlanteError, match="garbage.mp4"):
        detect_watermark_in_file(garbage)


def test_verify_exit_codes_and_json(
    signed_mp4: Path, tmp_path: Path, keys: Path, clip: list[np.ndarray], capsys
) -> None:
    assert verify_main([str(signed_mp4), "--key-dir", str(keys)]) == 0
    assert "made by Parlante" in capsys.readouterr().out
    assert verify_main([str(signed_mp4), "--json", "--key-dir", str(keys)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["is_parlante"] and data["watermark"]["payload"] == PAYLOAD
    assert data["manifest"]["trusted"] and data["manifest"]["info"]["source_sha256"] == "ab" * 32
    plain = tmp_path / "plain.mp4"
    write_mp4(plain, clip[:25])
    assert verify_main([str(plain), "--key-dir", str(keys)]) == 1
    assert "no Parlante evidence" in capsys.readouterr().out
    assert verify_main([str(tmp_path / "missing.mp4")]) == 2
    assert "missing.mp4" in capsys.readouterr().err
    assert verify_main([]) == 2
