"""Passwords and bearer tokens: from the environment or the keyring, never the config file."""

from __future__ import annotations

from collections.abc import Callable

import keyring.errors
import pytest

from i18n.pseudo import PseudoWording, has_words
from outlook_networking.app.wording import describe
from outlook_networking.auth import password_for, save_password, token_provider
from outlook_networking.config import AccountConfig
from outlook_networking.errors import AuthError, UsageError
from outlook_networking.i18n import Wording
from said import raises_saying

from .conftest import MemoryKeyring

MakeAccount = Callable[..., AccountConfig]


@pytest.fixture()
def ntlm(make_account: MakeAccount) -> AccountConfig:
    return make_account(auth="ntlm", username="CORP\\mia")


def test_the_environment_wins_over_the_keyring(
    ntlm: AccountConfig, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory_keyring.entries[("outlook-networking", "CORP\\mia")] = "from-keyring"
    monkeypatch.setenv("OUTLOOK_NETWORKING_PASSWORD", "from-env")
    assert password_for(ntlm) == "from-env"


def test_the_keyring_holds_the_password_under_the_username(
    ntlm: AccountConfig, memory_keyring: MemoryKeyring
) -> None:
    save_password(ntlm, "hunter2")

    assert memory_keyring.entries == {("outlook-networking", "CORP\\mia"): "hunter2"}
    assert password_for(ntlm) == "hunter2"


def test_a_missing_password_says_how_to_store_one(ntlm: AccountConfig) -> None:
    with pytest.raises(AuthError) as caught:
        password_for(ntlm)
    reason = describe(caught.value)
    assert "OUTLOOK_NETWORKING_PASSWORD" in reason
    assert "keyring set outlook-networking CORP\\mia" in reason
    assert "\n" not in str(caught.value)


def test_a_missing_password_reads_in_german_and_through_the_catalogs(
    ntlm: AccountConfig,
) -> None:
    with pytest.raises(AuthError) as caught:
        password_for(ntlm)

    assert describe(caught.value, Wording("de")) == (
        "work: kein Kennwort für CORP\\mia: Setzen Sie OUTLOOK_NETWORKING_PASSWORD oder führen "
        "Sie `keyring set outlook-networking CORP\\mia` aus"
    )
    pseudo = describe(caught.value, PseudoWording())
    for data in ("work", "CORP\\mia", "OUTLOOK_NETWORKING_PASSWORD", "outlook-networking"):
        pseudo = pseudo.replace(data, "")
    assert not has_words(pseudo), pseudo


def test_no_keyring_at_all_is_the_same_as_no_password(
    ntlm: AccountConfig, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.fail = keyring.errors.NoKeyringError("no backend")
    with raises_saying(AuthError, "OUTLOOK_NETWORKING_PASSWORD"):
        password_for(ntlm)


def test_a_failing_keyring_is_an_auth_error(
    ntlm: AccountConfig, memory_keyring: MemoryKeyring
) -> None:
    memory_keyring.fail = keyring.errors.KeyringLocked("locked")
    with raises_saying(AuthError, "keyring failed: locked"):
        password_for(ntlm)


def test_token_auth_reads_the_environment_on_every_call(
    make_account: MakeAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = token_provider(make_account(auth="token"), None)
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", "first")
    assert provider() == "first"
    monkeypatch.setenv("OUTLOOK_NETWORKING_ACCESS_TOKEN", "second")
    assert provider() == "second"
    monkeypatch.delenv("OUTLOOK_NETWORKING_ACCESS_TOKEN")
    with raises_saying(AuthError, "OUTLOOK_NETWORKING_ACCESS_TOKEN"):
        provider()


def test_password_accounts_have_no_token_provider(make_account: MakeAccount) -> None:
    with raises_saying(UsageError, "password"):
        token_provider(make_account(auth="basic"), None)


def test_oauth_needs_the_cache(make_account: MakeAccount) -> None:
    with raises_saying(UsageError, "token cache"):
        token_provider(make_account(), None)
