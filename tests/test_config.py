"""The configuration file: accounts validated with one-line errors naming the key."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from outlook_networking.app.wording import describe
from outlook_networking.config import (
    DEFAULT_GRAPH_URL,
    PLACEHOLDER_CLIENT_ID,
    Config,
    default_config_path,
    load_config,
)
from outlook_networking.errors import ConfigError

EWS = """
[[accounts]]
name = "work"
address = "me@example.com"
connector = "ews"
endpoint = "https://mail.example.com/EWS/Exchange.asmx"
"""


def _load(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text)
    assert "\n" not in str(caught.value)  # one line, always
    return caught.value


def test_the_issue_example_loads_with_documented_defaults(tmp_path: Path) -> None:
    config = _load(tmp_path, EWS + 'auth = "oauth"\n')

    account = config.account("work")
    assert account.endpoint == "https://mail.example.com/EWS/Exchange.asmx"
    assert (account.auth, account.username, account.tenant) == (
        "oauth",
        "me@example.com",
        "organizations",
    )
    assert account.authority == "https://login.microsoftonline.com/organizations"
    assert account.client_id == PLACEHOLDER_CLIENT_ID and account.client_id_is_placeholder
    assert account.graph_url == DEFAULT_GRAPH_URL
    assert (account.since_months, account.writeback, account.tag_messages) == (18, True, False)
    assert account.create_contacts_for_tiers == ()
    assert config.path == tmp_path / "config.toml"


def test_a_graph_account_with_every_key(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        """
[[accounts]]
name = "m365"
address = "Me@Example.com"
connector = "graph"
auth = "oauth"
client_id = "11111111-2222-3333-4444-555555555555"
tenant = "contoso.onmicrosoft.com"
graph_url = "http://127.0.0.1:8765/v1.0/"
include_subfolders = true
tag_messages = true
since_months = 6
create_contacts_for_tiers = ["a", "B"]
writeback = false
""",
    )
    account = config.account()
    assert account.connector == "graph" and account.endpoint is None
    assert account.authority == "https://login.microsoftonline.com/contoso.onmicrosoft.com"
    assert account.graph_url == "http://127.0.0.1:8765/v1.0"
    assert account.create_contacts_for_tiers == ("A", "B")
    assert (account.include_subfolders, account.since_months, account.writeback) == (
        True,
        6,
        False,
    )


def test_app_only_with_impersonation_and_certificate(tmp_path: Path) -> None:
    account = _load(
        tmp_path,
        EWS
        + """auth = "app"
tenant = "contoso.onmicrosoft.com"
client_id = "11111111-2222-3333-4444-555555555555"
impersonation = true
certificate_path = "~/app.pem"
certificate_thumbprint = "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01"
""",
    ).account()
    assert account.impersonation
    assert account.certificate_path == Path("~/app.pem").expanduser()
    assert account.certificate_thumbprint == "ABCDEF0123456789ABCDEF0123456789ABCDEF01"


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are Linux's")
def test_a_missing_default_file_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))
    assert default_config_path() == tmp_path / "nowhere" / "outlook-networking" / "config.toml"

    config = load_config(None)

    assert config.accounts == () and config.path is None
    with pytest.raises(ConfigError) as caught:
        config.account()
    assert describe(caught.value).endswith("accounts: no account is configured")


@pytest.mark.skipif(sys.platform != "linux", reason="XDG directories are Linux's")
def test_the_default_file_is_read_when_present(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "outlook-networking").mkdir()
    (tmp_path / "outlook-networking" / "config.toml").write_text(EWS)

    assert [a.name for a in load_config(None).accounts] == ["work"]


def test_an_explicit_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.toml")
    assert describe(caught.value).endswith("--config: file not found")
    assert caught.value.path == str(tmp_path / "missing.toml")


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    error = _error(tmp_path, '[[accounts]]\naddress = "me@example.com"\nendpoint = \n')
    assert describe(error).startswith(f"invalid configuration: {error.path}: line 3: ")
    assert "invalid TOML" in describe(error)
    assert error.path == str(tmp_path / "config.toml")


def test_plain_http_is_refused_off_loopback(tmp_path: Path) -> None:
    error = _error(tmp_path, EWS.replace("https://mail.example.com", "http://mail.example.com"))
    assert describe(error) == (
        f"invalid configuration: {error.path}: accounts[0].endpoint: plain http:// is allowed "
        "only on loopback (127.0.0.1, localhost)"
    )


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8080", "localhost", "LOCALHOST:1234", "[::1]:80", "127.0.0.2"]
)
def test_plain_http_is_accepted_on_loopback(tmp_path: Path, host: str) -> None:
    config = _load(tmp_path, EWS.replace("https://mail.example.com", f"http://{host}"))
    assert config.account().endpoint == f"http://{host}/EWS/Exchange.asmx"


def test_graph_url_follows_the_same_rule(tmp_path: Path) -> None:
    text = EWS.replace('connector = "ews"', 'connector = "graph"').replace(
        'endpoint = "https://mail.example.com/EWS/Exchange.asmx"',
        'graph_url = "http://graph.example.com/v1.0"',
    )
    assert _error(tmp_path, text).key == "accounts[0].graph_url"


@pytest.mark.parametrize(
    ("line", "key", "fragment"),
    [
        ('password = "hunter2"', "accounts[0].password", "passwords never go in the config file"),
        ('client_secret = "x"', "accounts[0].client_secret", "OUTLOOK_NETWORKING_CLIENT_SECRET"),
        ('access_token = "x"', "accounts[0].access_token", "OUTLOOK_NETWORKING_ACCESS_TOKEN"),
    ],
)
def test_secrets_in_the_file_are_refused(
    tmp_path: Path, line: str, key: str, fragment: str
) -> None:
    error = _error(tmp_path, EWS + line + "\n")
    assert error.key == key and fragment in describe(error)


def test_a_top_level_password_is_refused_too(tmp_path: Path) -> None:
    error = _error(tmp_path, 'password = "hunter2"\n' + EWS)
    assert error.key == "password"
    assert "use the keyring or OUTLOOK_NETWORKING_PASSWORD" in describe(error)


@pytest.mark.parametrize(
    ("edit", "key", "fragment"),
    [
        (('connector = "ews"', 'connector = "imap"'), "accounts[0].connector", '"ews", "graph"'),
        (('name = "work"', 'name = "work"\nauth = "kerberos"'), "accounts[0].auth", "unknown"),
        (('address = "me@example.com"\n', ""), "accounts[0].address", "missing"),
        (('"me@example.com"', '"me"'), "accounts[0].address", "not an e-mail address"),
        (('endpoint = "https://mail.example.com/EWS/Exchange.asmx"', ""), "accounts[0].endpoint",
         "autodiscover"),
        (('name = "work"', 'name = "work"\nautodiscover = true'), "accounts[0].autodiscover",
         "not both"),
        (('name = "work"', 'name = "work"\nsince_months = "18"'), "accounts[0].since_months",
         "must be an integer, not a string"),
        (('name = "work"', 'name = "work"\nsince_months = 0'), "accounts[0].since_months",
         "between 1 and"),
        (('name = "work"', 'name = "work"\nwriteback = 1'), "accounts[0].writeback",
         "true or false"),
        (('name = "work"', 'name = "work"\nendpont = "x"'), "accounts[0].endpont", "unknown key"),
        (('name = "work"', 'name = "work"\ncreate_contacts_for_tiers = ["E"]'),
         "accounts[0].create_contacts_for_tiers", "unknown tier"),
        (('name = "work"', 'name = "work"\nimpersonation = true'), "accounts[0].impersonation",
         'auth = "app"'),
        (('name = "work"', 'name = "work"\nauth = "app"'), "accounts[0].tenant",
         "tenant id or domain"),
        (('name = "work"', 'name = "work"\ncertificate_path = "a.pem"'),
         "accounts[0].certificate_path", 'only used with auth = "app"'),
        (('name = "work"', 'name = "work"\nauthority = "http://login.example.com/t"'),
         "accounts[0].authority", "https://"),
        (('name = "work"', 'name = "work"\ntenant = "a/b"'), "accounts[0].tenant", "neither"),
    ],
)
def test_each_problem_names_its_key(
    tmp_path: Path, edit: tuple[str, str], key: str, fragment: str
) -> None:
    old, new = edit
    assert old in EWS
    error = _error(tmp_path, EWS.replace(old, new, 1))
    assert error.key == key
    assert fragment in describe(error)


def test_graph_accounts_have_no_ews_endpoint(tmp_path: Path) -> None:
    error = _error(tmp_path, EWS.replace('connector = "ews"', 'connector = "graph"'))
    assert error.key == "accounts[0].endpoint" and "graph_url" in describe(error)


def test_the_second_account_is_named_by_index(tmp_path: Path) -> None:
    second = EWS.replace('name = "work"', 'name = "home"').replace("https://", "http://")
    error = _error(tmp_path, EWS + second)
    assert error.key == "accounts[1].endpoint"


def test_account_names_are_unique_and_default_to_the_address(tmp_path: Path) -> None:
    assert _error(tmp_path, EWS + EWS).key == "accounts[1].name"
    config = _load(tmp_path, EWS.replace('name = "work"\n', ""))
    assert config.account("me@example.com").name == "me@example.com"
    with pytest.raises(ConfigError) as caught:
        config.account("nope")
    assert describe(caught.value).endswith('accounts: no account named "nope"')


def test_a_national_cloud_authority_can_be_named(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        EWS + 'authority = "https://login.microsoftonline.us/contoso.onmicrosoft.us/"\n',
    )
    assert config.account().authority == "https://login.microsoftonline.us/contoso.onmicrosoft.us"


def test_writeback_names_and_colours(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        EWS
        + """
[writeback]
categories = { A = "Inner circle", b = "Keep warm" }
colours = { A = 0 }
todo_list = "Follow-ups"
""",
    )
    assert config.writeback.category_names == {"A": "Inner circle", "B": "Keep warm"}
    assert config.writeback.colours["A"] == 0 and config.writeback.colours["B"] == 7
    assert config.writeback.todo_list == "Follow-ups"


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('categories = { E = "x" }', "writeback.categories.E"),
        ('categories = { A = "a, b" }', "writeback.categories.A"),
        ('categories = { A = "Network B" }', "writeback.categories"),
        ("colours = { A = 25 }", "writeback.colours.A"),
        ('colours = { A = "red" }', "writeback.colours.A"),
        ("color = {}", "writeback.color"),
    ],
)
def test_writeback_problems_name_their_key(tmp_path: Path, table: str, key: str) -> None:
    assert _error(tmp_path, EWS + "[writeback]\n" + table + "\n").key == key


def test_intelligence_settings_come_from_the_same_file(tmp_path: Path) -> None:
    config = _load(tmp_path, "[scoring]\nhalf_life_days = 45\n" + EWS)
    assert config.settings.half_life_days == 45


def test_a_settings_error_carries_the_file(tmp_path: Path) -> None:
    error = _error(tmp_path, "[scoring]\nhalf_life_days = 0\n")
    assert error.key == "scoring.half_life_days"
    assert error.path == str(tmp_path / "config.toml")


def test_the_ledger_table_is_read_with_the_file(tmp_path: Path) -> None:
    config = _load(tmp_path, "[followups]\nreply_within_h = 24\n[ledger]\nwindow_days = 90\n" + EWS)
    # The ledger's response target is the intelligence setting unless [ledger] names its own.
    assert config.ledger.window_days == 90 and config.ledger.reply_within_h == 24


@pytest.mark.parametrize(
    ("table", "key"),
    [("[ledger]\nwindow_dayz = 90\n", "ledger.window_dayz"), ("ledger = 3\n", "ledger")],
)
def test_a_wrong_ledger_table_is_an_error_when_the_file_is_read(
    tmp_path: Path, table: str, key: str
) -> None:
    error = _error(tmp_path, table)
    assert error.key == key and error.path == str(tmp_path / "config.toml")


def test_docs_describe_every_account_key() -> None:
    from dataclasses import fields

    from outlook_networking.config import AccountConfig

    docs = (Path(__file__).resolve().parents[1] / "docs" / "config.md").read_text()
    missing = [f.name for f in fields(AccountConfig) if f"| `{f.name}` |" not in docs]
    assert missing == []
