"""What the user takes away the product does not put back: a tier category taken off a contact,
on every backend (the in-memory mailbox and both test servers through the real clients over
loopback HTTP), planned from the store's journal as the pipeline plans it.

The user takes "Network A" off Ann's contact: the next applies leave it off; Ann moving to tier
B is a new judgement, so "Network B" goes on; back in tier A, "Network A" stays refused (and
"Network B" goes as usual); after ``undo`` the next apply starts afresh.
"""

from __future__ import annotations

from pathlib import Path

from outlook_networking.app.pipeline import apply_plan, undo
from outlook_networking.store import Store
from outlook_networking.writeback.plan import CategoryScheme, Desired, DesiredContact, plan

from .worlds import World

SCHEME = CategoryScheme()  # "Network A" .. "Network D"
ANN = "ann@partner.example"


def _apply(store: Store, world: World, tier: str) -> int:
    sink = world.sink()
    desired = Desired(contacts=(DesiredContact((ANN,), "Ann Partner", tier),), tasks=())
    actions = plan(desired, sink.read_state(), SCHEME, store.journal(sink.name))
    report = apply_plan(store, sink, actions, f"run-{len(store.journal(sink.name))}")
    assert report.complete, report.error
    return len(actions)


def test_a_tier_category_the_user_took_off_stays_off_until_undo(
    world: World, tmp_path: Path
) -> None:
    ann = world.add_contact("Ann Partner", ANN, ("Customer",))
    with Store.open(tmp_path / "network.sqlite3") as store:
        _apply(store, world, "A")
        assert world.contacts()[ann][1] == ("Customer", "Network A")
        world.set_categories(ann, ("Customer",))  # the user takes it off

        assert _apply(store, world, "A") == 0
        assert world.contacts()[ann][1] == ("Customer",)

        _apply(store, world, "B")  # a new tier: a judgement the user has not refused
        assert world.contacts()[ann][1] == ("Customer", "Network B")
        _apply(store, world, "A")  # back in A: still refused, and B is no longer true
        assert world.contacts()[ann][1] == ("Customer",)
        assert _apply(store, world, "A") == 0

        assert undo(store, world.sink(), SCHEME).complete
        assert world.contacts()[ann][1] == ("Customer",)
        _apply(store, world, "A")  # undone: the product starts afresh
        assert world.contacts()[ann][1] == ("Customer", "Network A")
