"""The local HTTPS certificate for the add-in's card server, and how to trust it.

Outlook only loads add-ins over HTTPS with a certificate it trusts, so the card server on
127.0.0.1 needs one. ``create_certificate`` makes a small local certificate authority and one
server certificate for ``127.0.0.1`` and ``localhost`` signed by it, the same shape Microsoft's own
add-in dev certificates have (a trusted CA plus a leaf works on every platform, whereas a
self-signed leaf is refused as a trust anchor by some). The CA is made harmless to trust:

- its private key is never written anywhere, so nothing can ever be signed with it again;
- it carries critical name constraints (only ``localhost`` and ``127.0.0.1``), so even a stolen
  key could not vouch for any other site.

Renewing therefore means a new CA to trust; the leaf lives 397 days, inside the limit Apple
enforces for TLS certificates.

Files written into the directory: ``addin-ca.pem`` (what the user trusts), ``addin-cert.pem``
(leaf followed by the CA, what the server presents) and ``addin-key.pem`` (leaf key, mode 0600).

Exports: ``create_certificate``, ``ca_path``, ``trust_instructions``, ``CA_FILENAME``,
``CERT_FILENAME``, ``KEY_FILENAME``.
"""

from __future__ import annotations

import ipaddress
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..i18n import Wording

__all__ = [
    "CA_FILENAME",
    "CERT_FILENAME",
    "KEY_FILENAME",
    "ca_path",
    "create_certificate",
    "trust_instructions",
]

CA_FILENAME = "addin-ca.pem"
CERT_FILENAME = "addin-cert.pem"
KEY_FILENAME = "addin-key.pem"
CA_COMMON_NAME = "outlook-networking local add-in CA"
LEAF_LIFETIME = timedelta(days=397)
_LOOPBACK_IP = ipaddress.IPv4Address("127.0.0.1")


def ca_path(directory: Path | str) -> Path:
    """Where ``create_certificate`` puts the CA certificate the user has to trust."""
    return Path(directory) / CA_FILENAME


def create_certificate(
    directory: Path | str, *, now: datetime | None = None
) -> tuple[Path, Path]:
    """Create the CA and the server certificate for 127.0.0.1 and localhost in ``directory``.

    Existing files are replaced (that is how a certificate is renewed).

    Parameters:
        directory: where to write the three PEM files; created (mode 0700) if missing.
        now: the start of validity; the current time if not given.

    Returns:
        ``(cert_path, key_path)``: the chain to serve and its private key (0600).
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True, mode=0o700)
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)  # tolerate small clock skew
    end = start + LEAF_LIFETIME
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _authority(ca_key, start, end)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf_cert = _server_certificate(leaf_key, ca_cert, ca_key, start, end)
    # ca_key goes out of scope here on purpose: see the module docstring.

    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    cert_path = target / CERT_FILENAME
    key_path = target / KEY_FILENAME
    _write_private(
        key_path,
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    cert_path.write_bytes(leaf_cert.public_bytes(serialization.Encoding.PEM) + ca_pem)
    ca_path(target).write_bytes(ca_pem)
    return cert_path, key_path


def _key_usage(*, signs_certificates: bool) -> x509.KeyUsage:
    """A CA signs certificates (and revocation lists); the server signs its TLS handshakes."""
    return x509.KeyUsage(
        digital_signature=not signs_certificates,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=signs_certificates,
        crl_sign=signs_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def _authority(
    key: ec.EllipticCurvePrivateKey, start: datetime, end: datetime
) -> x509.Certificate:
    """The self-signed CA, constrained to name only 127.0.0.1 and localhost."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "outlook-networking"),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signs_certificates=True), critical=True)
        .add_extension(
            x509.NameConstraints(
                permitted_subtrees=[
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.IPv4Network("127.0.0.1/32")),
                ],
                excluded_subtrees=None,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


def _server_certificate(
    key: ec.EllipticCurvePrivateKey,
    ca_cert: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    start: datetime,
    end: datetime,
) -> x509.Certificate:
    """The server's certificate for 127.0.0.1 and localhost, signed by the CA."""
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signs_certificates=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(_LOOPBACK_IP), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


def _write_private(path: Path, data: bytes) -> None:
    # Create with 0600 from the start rather than chmod afterwards, so the key is never readable
    # by others, not even for a moment; replace an old key instead of writing through it.
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def trust_instructions(ca_file: Path | str, words: Wording, platform: str | None = None) -> str:
    """How to make Outlook and browsers trust ``ca_file`` on ``platform`` (default: this one).

    Parameters:
        ca_file: the CA certificate written by ``create_certificate`` (``addin-ca.pem``).
        words: the language of the instructions (the commands stay as typed).
        platform: ``"win32"``, ``"darwin"`` or ``"linux"`` (``sys.platform`` values);
            anything else gives the instructions for every platform.

    Returns:
        Plain text with the commands to run, one platform per paragraph.
    """
    ca = str(ca_file)
    w = words
    # The commands are written out here, the sentences around them come from the catalogs.
    windows = w.gettext(
        "Windows (new Outlook, classic Outlook, Edge and Chrome use the Windows store):\n"
        "  {add}\n"
        "  Confirm the security warning. Remove it later with:\n"
        "  {remove}"
    ).format(
        add=f'certutil -user -addstore Root "{ca}"',
        remove=f'certutil -user -delstore Root "{CA_COMMON_NAME}"',
    )
    macos = w.gettext(
        "macOS (Outlook for Mac, Safari and Chrome use the login keychain):\n"
        "  {add}\n"
        "  Remove it later in Keychain Access (search for the certificate name)."
    ).format(
        add="security add-trusted-cert -r trustRoot -p ssl \\\n"
        f'    -k ~/Library/Keychains/login.keychain-db "{ca}"'
    )
    # TRANSLATORS: Firefox's menu and checkbox names: use the ones of the German Firefox
    linux = w.gettext(
        "Linux (Outlook on the web in a browser):\n"
        "  Chrome/Chromium/Edge: {nss}   (certutil is in the libnss3-tools package)\n"
        "  Firefox: Settings > Privacy & Security > Certificates > View Certificates >\n"
        "    Authorities > Import, tick 'Trust this CA to identify websites'.\n"
        "  Whole system (Debian/Ubuntu):\n"
        "    {copy}\n"
        "    {update}"
    ).format(
        nss="certutil -d sql:$HOME/.pki/nssdb -A -t 'C,,' \\\n"
        f'    -n outlook-networking -i "{ca}"',
        copy=f'sudo cp "{ca}" /usr/local/share/ca-certificates/outlook-networking.crt',
        update="sudo update-ca-certificates",
    )
    footer = w.gettext(
        "The certificate is named '{name}'. It can only vouch for localhost and "
        "127.0.0.1, and its signing key was discarded when it was made. Restart Outlook or the "
        "browser afterwards."
    ).format(name=CA_COMMON_NAME)
    system = platform if platform is not None else sys.platform
    if system == "win32":
        body = [windows]
    elif system == "darwin":
        body = [macos]
    elif system.startswith("linux"):
        body = [linux]
    else:
        body = [windows, macos, linux]
    return "\n\n".join([*body, footer]) + "\n"
