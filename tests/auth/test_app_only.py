"""App-only sign-in (client credentials) against the fake identity platform, msal unpatched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from outlook_networking.auth import token_provider
from outlook_networking.config import AccountConfig
from outlook_networking.errors import AuthError
from said import raises_saying

from .conftest import CLIENT_ID, MemoryKeyring
from .identity_platform import IdentityPlatform

MakeAccount = Callable[..., AccountConfig]
TENANT = "contoso.onmicrosoft.com"


@pytest.fixture()
def app_account(make_account: MakeAccount) -> Callable[..., AccountConfig]:
    def make(**changes: object) -> AccountConfig:
        return make_account(auth="app", tenant=TENANT, **changes)

    return make


def _certificate(directory: Path) -> tuple[Path, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "outlook-networking app")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    path = directory / "app.pem"
    path.write_bytes(pem)
    return path, certificate


def test_client_secret_from_the_environment_gets_an_ews_token(
    platform: IdentityPlatform,
    app_account: Callable[..., AccountConfig],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform.client_secrets[CLIENT_ID] = "s3cret"
    monkeypatch.setenv("OUTLOOK_NETWORKING_CLIENT_SECRET", "s3cret")
    provider = token_provider(app_account(impersonation=True), None)

    first, second = provider(), provider()

    assert first == second == platform.access_tokens[-1]
    grants = platform.grants("client_credentials")
    assert len(grants) == 1  # msal reuses the token while it is valid
    assert grants[0]["scope"] == "https://outlook.office365.com/.default"
    assert f"/{TENANT}/oauth2/v2.0/token" in next(
        path for method, path, form in platform.requests if method == "POST"
    )


def test_graph_app_token_is_for_graphs_default_scope(
    platform: IdentityPlatform,
    app_account: Callable[..., AccountConfig],
    memory_keyring: MemoryKeyring,
) -> None:
    platform.client_secrets[CLIENT_ID] = "from-keyring"
    memory_keyring.entries[("outlook-networking", f"client-secret:{CLIENT_ID}")] = "from-keyring"

    token = token_provider(app_account(connector="graph", endpoint=None), None)()

    assert token == platform.access_tokens[-1]
    assert platform.grants("client_credentials")[0]["scope"] == "https://graph.microsoft.com/.default"


def test_certificate_credentials_sign_a_client_assertion(
    platform: IdentityPlatform, app_account: Callable[..., AccountConfig], tmp_path: Path
) -> None:
    pem, certificate = _certificate(tmp_path)
    platform.client_certificates[CLIENT_ID] = certificate

    # Without a configured thumbprint msal names the certificate by its SHA-256 thumbprint.
    token = token_provider(app_account(certificate_path=pem), None)()

    assert token == platform.access_tokens[-1]
    grant = platform.grants("client_credentials")[0]
    assert "client_secret" not in grant
    assert "x5t#S256" in jwt.get_unverified_header(grant["client_assertion"])


def test_a_configured_sha1_thumbprint_is_used_as_given(
    platform: IdentityPlatform, app_account: Callable[..., AccountConfig], tmp_path: Path
) -> None:
    pem, certificate = _certificate(tmp_path)
    platform.client_certificates[CLIENT_ID] = certificate
    sha1 = certificate.fingerprint(hashes.SHA1()).hex().upper()

    token = token_provider(app_account(certificate_path=pem, certificate_thumbprint=sha1), None)()

    assert token == platform.access_tokens[-1]
    assertion = platform.grants("client_credentials")[0]["client_assertion"]
    assert "x5t" in jwt.get_unverified_header(assertion)


def test_a_wrong_thumbprint_is_refused_by_the_platform(
    platform: IdentityPlatform, app_account: Callable[..., AccountConfig], tmp_path: Path
) -> None:
    pem, certificate = _certificate(tmp_path)
    platform.client_certificates[CLIENT_ID] = certificate
    account = app_account(certificate_path=pem, certificate_thumbprint="AB" * 20)

    with raises_saying(AuthError, "refused the client credentials"):
        token_provider(account, None)()


def test_a_wrong_secret_is_an_auth_error(
    platform: IdentityPlatform,
    app_account: Callable[..., AccountConfig],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    platform.client_secrets[CLIENT_ID] = "right"
    monkeypatch.setenv("OUTLOOK_NETWORKING_CLIENT_SECRET", "wrong")

    with raises_saying(AuthError, "AADSTS7000215") as caught:
        token_provider(app_account(), None)()
    assert caught.value.account == "work"


def test_no_secret_and_no_certificate_says_where_to_put_one(
    platform: IdentityPlatform, app_account: Callable[..., AccountConfig]
) -> None:
    with raises_saying(AuthError, "OUTLOOK_NETWORKING_CLIENT_SECRET"):
        token_provider(app_account(), None)()
    assert platform.grants("client_credentials") == []


def test_a_pem_without_a_private_key_is_an_auth_error(
    app_account: Callable[..., AccountConfig], tmp_path: Path
) -> None:
    pem = tmp_path / "cert-only.pem"
    _, certificate = _certificate(tmp_path)
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))

    with raises_saying(AuthError, "no PEM private key"):
        token_provider(app_account(certificate_path=pem), None)()


def test_a_key_without_certificate_or_thumbprint_is_an_auth_error(
    app_account: Callable[..., AccountConfig], tmp_path: Path
) -> None:
    pem, _ = _certificate(tmp_path)
    key_only = pem.read_text().split("-----BEGIN CERTIFICATE-----")[0]
    pem.write_text(key_only)

    with raises_saying(AuthError, "holds no certificate"):
        token_provider(app_account(certificate_path=pem), None)()
