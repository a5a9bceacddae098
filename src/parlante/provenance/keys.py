"""Signing credentials for C2PA manifests: a local CA and signing certificate, or the user's.

On first use a small chain is created under the key folder: a self-signed EC P-256 CA
(``ca.pem``, its key ``ca.key``) and an EC P-256 signing certificate it issued, with the
digitalSignature key usage and the emailProtection extended key usage that C2PA validators
require of a signer (``signer.pem`` holds the certificate followed by the CA; ``signer.key``
is its PKCS#8 PEM key). Later runs reuse them. Nothing is fetched: there is no timestamp
authority, so a manifest is valid while the signing certificate is (10 years).

A verifier that is given ``ca.pem`` as trust anchor reports the manifests "Trusted"; anyone
else sees them as validly signed by "Parlante (local)" but not trusted.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .errors import ProvenanceError

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca.key"
CERT_FILE = "signer.pem"
KEY_FILE = "signer.key"
VALID_DAYS = 3650


@dataclass(frozen=True)
class SignerConfig:
    """Credentials to sign manifests with.

    cert_path: PEM certificate chain, the signing certificate first (then intermediates).
    key_path: the signing certificate's private key, PKCS#8 PEM.
    alg: C2PA signing algorithm name matching the key: es256 (EC P-256), es384, ps256, ed25519.
    tsa_url: RFC 3161 timestamp authority, None to sign offline.
    ca_path: the chain's root certificate (PEM), used as trust anchor when verifying.
    """

    cert_path: Path
    key_path: Path
    alg: str = "es256"
    tsa_url: str | None = None
    ca_path: Path | None = None


def default_key_dir() -> Path:
    """``$PARLANTE_HOME/keys`` if PARLANTE_HOME is set, else ``~/.config/parlante/keys``."""
    home = os.environ.get("PARLANTE_HOME")
    return Path(home) / "keys" if home else Path.home() / ".config" / "parlante" / "keys"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Parlante (local)"),
        ]
    )


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _make_chain(folder: Path) -> None:
    """Write a new CA and signing certificate into ``folder`` (which exists and is empty)."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    until = now + dt.timedelta(days=VALID_DAYS)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Parlante local CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Parlante local signer"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(until)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True, ca=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    for name, data in (
        (CA_FILE, _pem(ca)),
        (CA_KEY_FILE, _key_pem(ca_key)),
        (CERT_FILE, _pem(cert) + _pem(ca)),
        (KEY_FILE, _key_pem(key)),
    ):
        target = folder / name
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)


def local_signer(key_dir: str | os.PathLike[str] | None = None) -> SignerConfig:
    """The local signing credentials in ``key_dir`` (default :func:`default_key_dir`),
    created on first use. Safe if several processes start at once: the chain is written to
    a temporary folder that is renamed into place, and the first to finish wins."""
    folder = Path(key_dir) if key_dir is not None else default_key_dir()
    config = SignerConfig(folder / CERT_FILE, folder / KEY_FILE, "es256", None, folder / CA_FILE)
    if config.cert_path.is_file() and config.key_path.is_file():
        return config
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError as e:
        raise ProvenanceError(f"{folder}: cannot create the signing key folder ({e})") from e
    try:
        os.chmod(staging, 0o700)
        _make_chain(staging)
        try:
            os.rename(staging, folder)  # fails if another process (or the user) made it
        except OSError:
            if not (config.cert_path.is_file() and config.key_path.is_file()):
                raise ProvenanceError(
                    f"{folder}: exists but holds no {CERT_FILE} and {KEY_FILE}"
                ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return config
