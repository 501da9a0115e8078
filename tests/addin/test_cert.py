"""The local certificate: right names, private key kept private, a CA that can do no harm."""

from __future__ import annotations

import ipaddress
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from outlook_networking.addin.cert import (
    CA_FILENAME,
    ca_path,
    create_certificate,
    trust_instructions,
)
from outlook_networking.i18n import Wording

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    directory = tmp_path_factory.mktemp("cert") / "nested"
    cert_path, key_path = create_certificate(directory, now=NOW)
    return directory, cert_path, key_path


def test_only_three_files_and_no_ca_key(made: tuple[Path, Path, Path]) -> None:
    directory, cert_path, key_path = made
    names = sorted(p.name for p in directory.iterdir())
    assert names == sorted([CA_FILENAME, cert_path.name, key_path.name])
    # Exactly one private key on disk: the leaf's. The CA key was never written.
    keys = [p for p in directory.iterdir() if b"PRIVATE KEY" in p.read_bytes()]
    assert keys == [key_path]


def test_key_file_is_owner_only(made: tuple[Path, Path, Path]) -> None:
    _, _, key_path = made
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


def test_leaf_names_loopback_and_chains_to_the_ca(made: tuple[Path, Path, Path]) -> None:
    directory, cert_path, _ = made
    chain = x509.load_pem_x509_certificates(cert_path.read_bytes())
    ca = x509.load_pem_x509_certificate(ca_path(directory).read_bytes())
    leaf = chain[0]
    assert chain[1] == ca
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.IPv4Address("127.0.0.1")]
    assert san.get_values_for_type(x509.DNSName) == ["localhost"]
    leaf.verify_directly_issued_by(ca)
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert leaf.not_valid_before_utc <= NOW < leaf.not_valid_after_utc
    # Apple refuses TLS certificates that live longer than 825 days, browsers more than 398.
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= timedelta(days=398)
    assert isinstance(leaf.public_key(), ec.EllipticCurvePublicKey)


def test_ca_is_limited_to_loopback_names(made: tuple[Path, Path, Path]) -> None:
    directory, _, _ = made
    ca = x509.load_pem_x509_certificate(ca_path(directory).read_bytes())
    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)
    assert constraints.critical
    assert set(constraints.value.permitted_subtrees or []) == {
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.IPv4Network("127.0.0.1/32")),
    }
    basic = ca.extensions.get_extension_for_class(x509.BasicConstraints).value
    assert basic.ca and basic.path_length == 0


def test_creating_again_replaces_the_files(tmp_path: Path) -> None:
    first_cert, first_key = create_certificate(tmp_path, now=NOW)
    before = first_key.read_bytes()
    second_cert, second_key = create_certificate(tmp_path, now=NOW)
    assert (second_cert, second_key) == (first_cert, first_key)
    assert second_key.read_bytes() != before
    assert stat.S_IMODE(second_key.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("win32", "certutil -user -addstore Root"),
        ("darwin", "security add-trusted-cert -r trustRoot"),
        ("linux", "update-ca-certificates"),
    ],
)
def test_trust_instructions_name_the_command_and_the_file(platform: str, expected: str) -> None:
    text = trust_instructions(Path("/data/addin-ca.pem"), Wording(), platform)
    assert expected in text
    assert "/data/addin-ca.pem" in text


def test_trust_instructions_for_an_unknown_platform_cover_all() -> None:
    text = trust_instructions("ca.pem", Wording(), "plan9")
    assert "certutil -user" in text and "security add-trusted-cert" in text
    assert "update-ca-certificates" in text
