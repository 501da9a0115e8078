"""Commands that change something check first and say what they did: merge and split, the add-in's
certificate, ledger dismissals, the saved review; and `apply --dry-run` previews the write-back
of a store read from files, with no account to write to."""

from __future__ import annotations

import json
from pathlib import Path

from cli_runs import NOW, Home

PREFIX = "outlook-networking: "


def _contacts(home: Home, db: Path) -> list[dict[str, object]]:
    done = home.run("--db", str(db), "--now", NOW, "contacts", "--json")
    rows: list[dict[str, object]] = json.loads(done.out)["contacts"]
    return rows


def test_merge_refuses_unknown_addresses_and_split_what_was_not_merged(
    home: Home, demo_db: Path
) -> None:
    base = ("--db", str(demo_db), "--now", NOW, "contacts")
    people = _contacts(home, demo_db)
    one, two = (str(p["address"]) for p in people[10:12])
    before = demo_db.read_bytes()
    unknown = home.run(*base, "merge", "nobody@nowhere.example", one)
    assert (unknown.code, unknown.lines) == (
        2,
        [f"{PREFIX}nobody@nowhere.example is not a contact in {demo_db}; `contacts` lists them"],
    )
    own = home.run(*base, "merge", "alex@example.com", one)
    assert (own.code, own.lines) == (
        2,
        [f"{PREFIX}alex@example.com is your own address, not a contact"],
    )
    lone = home.run(*base, "split", one)
    assert (lone.code, lone.lines) == (
        0,
        [f"{one} was not merged with anyone: nothing to split, nothing changed."],
    )
    assert demo_db.read_bytes() == before  # nothing was written
    merged = home.run(*base, "merge", one, two)
    assert merged.code == 0 and merged.lines[0].startswith(f"Merged: {two} (")
    after = {str(p["address"]): p for p in _contacts(home, demo_db)}
    assert len(after) == len(people) - 1
    assert any(set(p["addresses"]) == {one, two} for p in after.values())  # type: ignore[arg-type]
    same = home.run(*base, "merge", two, one)
    assert same.code == 0 and "already the same person" in same.lines[0]
    split = home.run(*base, "split", two)
    assert (split.code, split.lines) == (
        0,
        [f"Split: {two} is now a person of its own, apart from {one}."],
    )
    assert len(_contacts(home, demo_db)) == len(people)


def test_addin_cert_keeps_a_certificate_you_may_have_trusted(home: Home) -> None:
    db = home.root / "store" / "network.sqlite3"
    first = home.run("--db", str(db), "addin", "cert")
    assert first.code == 0
    ca = db.parent / "addin-ca.pem"
    trusted = ca.read_bytes()
    again = home.run("--db", str(db), "addin", "cert")
    assert (again.code, again.lines) == (
        2,
        [f"{PREFIX}a certificate already exists ({ca}), and you may have trusted it; "
         "`addin cert --force` replaces it, and then you trust the new one"],
    )  # fmt: skip
    assert ca.read_bytes() == trusted
    forced = home.run("--db", str(db), "addin", "cert", "--force")
    assert forced.code == 0 and "it replaces the old one" in forced.lines[0]
    assert ca.read_bytes() != trusted


def test_ledger_dismiss_says_what_it_dismissed_and_what_already_was(
    home: Home, demo_db: Path
) -> None:
    base = ("--db", str(demo_db), "--now", NOW, "ledger")
    ledger = json.loads(home.run(*base, "--json").out)
    first, second = (i["id"] for i in ledger["items"][:2])
    done = home.run(*base, "dismiss", first)
    assert (done.code, done.lines) == (
        0,
        [f"Dismissed 1 item ({first}); they stay dismissed in every later analysis."],
    )
    both = home.run(*base, "dismiss", first, second)
    assert both.code == 0
    assert both.lines == [
        f"{first} was already dismissed: nothing changed.",
        f"Dismissed 1 item ({second}); they stay dismissed in every later analysis.",
    ]
    after = json.loads(home.run(*base, "--json").out)
    assert after["totals"]["dismissed"] == 2
    assert {first, second}.isdisjoint(i["id"] for i in after["items"])
    unknown = home.run(*base, "dismiss", "000000000000")
    assert unknown.code == 2 and "no ledger item '000000000000'" in unknown.lines[-1]


def test_review_save_confirms_what_it_kept(home: Home, demo_db: Path) -> None:
    base = ("--db", str(demo_db), "--now", NOW, "review")
    counts = json.loads(home.run(*base, "--json").out)["counts"]
    tiers = ", ".join(f"{t} {n}" for t, n in counts.items())
    saved = home.run(*base, "--save")
    assert saved.code == 0
    assert saved.lines == [
        f"Saved the review of 2026 ({tiers}) in {demo_db}: next year's review shows the changes "
        "against it."
    ]
    again = home.run(*base, "--save", "--json")
    assert again.lines[0].startswith("Replaced the saved review of 2026 (")
    assert json.loads(again.out)["previous_year"] == 2026
    followups = json.loads(home.run("--db", str(demo_db), "--now", NOW, "followups", "--json").out)
    assert "annual_review" not in {f["kind"] for f in followups["followups"]}


def test_apply_dry_run_without_an_account_previews_the_write_back(
    home: Home, demo_db: Path
) -> None:
    # (A reading command keeps its answers in the store, app.answers: first, then the bytes.)
    followups = json.loads(home.run("--db", str(demo_db), "--now", NOW, "followups", "--json").out)
    before = demo_db.read_bytes()
    done = home.run("--db", str(demo_db), "--now", NOW, "apply", "--dry-run")
    assert done.code == 0, done.err
    lines = done.out.splitlines()
    config = home.root / "config" / "outlook-networking" / "config.toml"
    assert lines[0].startswith(f"PREVIEW: no account is configured in {config}, so nothing can")
    assert lines[-1].startswith("(PREVIEW only.")
    tasks = [line for line in lines if line.startswith("  create task ")]
    assert len(tasks) == len(followups["followups"])
    for task, item in zip(tasks, followups["followups"], strict=True):  # most pressing first
        assert task.endswith(f"(follow-up {item['short_key']})"), task  # `followups done` takes it
    assert "  add category 'Network A' (colour 4) to the master list" in lines
    tagged = [line for line in lines if line.startswith("  set categories on contact ")]
    assert tagged and all("Network " in line for line in tagged)
    assert all("None" not in line for line in tagged)  # every contact named
    assert demo_db.read_bytes() == before
    real = home.run("--db", str(demo_db), "--now", NOW, "apply")
    assert real.code == 2 and "no accounts configured in" in real.lines[-1]


def test_a_configuration_error_names_the_file_it_came_from(home: Home) -> None:
    """The client id is checked at sign-in, long after the file was read: the line still says
    which file to fix."""
    written = home.run("config", "init", "--address", "me@contoso.example", "--connector", "graph")
    assert written.code == 0, written.err
    config = home.root / "config" / "outlook-networking" / "config.toml"
    for command in (("sync",), ("login",)):
        done = home.run(*command)
        assert done.code == 2
        assert done.lines[-1] == (  # before it: what sign-in will ask for
            f"outlook-networking: invalid configuration: {config}: accounts[work].client_id: set "
            "the application (client) id of your app registration (see docs/config.md)"
        )
