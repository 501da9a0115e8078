"""Whose mailbox it is: the configured accounts, as ``sync`` and the agent both record them."""

from __future__ import annotations

from outlook_networking.app.pipeline import claim_owner
from outlook_networking.store import Store


def test_a_detected_guess_gives_way_to_the_configured_mailbox(store: Store) -> None:
    store.set_owner(["guess@example.com"], "detected")
    claim_owner(store, ["Me@Example.com"])
    assert store.owner() == (("me@example.com",), "given")


def test_addresses_given_before_stay_beside_the_configured_ones(store: Store) -> None:
    store.set_owner(["alias@example.com"], "given")  # ingest --me
    claim_owner(store, ["me@example.com", "team@example.com"])
    assert store.owner() == (("alias@example.com", "me@example.com", "team@example.com"), "given")


def test_claiming_the_same_mailbox_again_changes_nothing(store: Store) -> None:
    claim_owner(store, ["me@example.com"])
    digest = store.digest()
    claim_owner(store, ["me@example.com"])
    assert store.digest() == digest and store.owner() == (("me@example.com",), "given")
