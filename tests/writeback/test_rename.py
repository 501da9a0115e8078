"""Renaming the product's categories on a change of language, planned and undone, on the
in-memory mailbox: the master list keeps each tier's colour, contacts and messages change name in
place of the old one, the old names leave the master list last, and undo gives the user back the
English names they had put there themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from outlook_networking.app.pipeline import apply_plan, undo
from outlook_networking.config import Config
from outlook_networking.connectors.memory import MemoryMailbox, MemorySink
from outlook_networking.i18n import Wording, category_scheme
from outlook_networking.model import ContactCard, Interaction, Kind, Mailbox
from outlook_networking.ports import (
    Action,
    AddCategory,
    MasterCategory,
    RemoveCategory,
    StoredMessage,
)
from outlook_networking.store import Store
from outlook_networking.writeback.messages import DesiredMessages, plan_messages
from outlook_networking.writeback.plan import (
    CategoryScheme,
    Desired,
    DesiredContact,
    WritebackPlan,
    plan,
)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
ME = "me@example.com"
ANN = "ann@partner.example"
ENGLISH = category_scheme(Config(accounts=(), settings=None), Wording("en"))  # type: ignore[arg-type]
GERMAN = category_scheme(Config(accounts=(), settings=None), Wording("de"))  # type: ignore[arg-type]


def _mailbox() -> MemoryMailbox:
    box = MemoryMailbox()
    box.master = [MasterCategory("Customer", 3), MasterCategory("Network A", 9)]
    ann = ContactCard("memory", "card-ann", "Ann", (ANN,), categories=("Customer", "Network A"))
    box.put_card(ann)
    box.put_card(ContactCard("memory", "card-cy", "Cy", ("cy@old.example",), categories=("Golf",)))
    recent = Interaction("memory", "m-new", Kind.EMAIL, NOW - timedelta(days=2),
                         sender=Mailbox(ANN), to=(Mailbox(ME),))  # fmt: skip
    old = Interaction("memory", "m-old", Kind.EMAIL, NOW - timedelta(days=300),
                      sender=Mailbox(ANN), to=(Mailbox(ME),),
                      categories=("Network A", "Golf"))  # fmt: skip
    box.put("inbox", recent)
    box.put("inbox", old)
    return box


def _plan(
    box: MemoryMailbox, sink: MemorySink, store: Store, scheme: CategoryScheme
) -> WritebackPlan:
    """What the write-back plans for Ann in tier A, messages tagged from 90 days back."""
    state = sink.read_state()
    base = plan(Desired((DesiredContact((ANN,), "Ann", "A"),), ()), state, scheme)
    messages = [
        StoredMessage(box.message_state(i), m.at, ANN, (ME,)) for i, m in sorted(box.items.items())
    ]
    wanted = DesiredMessages(
        frozenset({ME}), {ANN: ANN}, {ANN: "A"}, frozenset({"A"}), NOW - timedelta(days=90)
    )
    journal = store.journal(sink.name)
    marked = plan_messages(wanted, messages, journal, frozenset(), scheme, NOW)
    removals = [a for a in base.actions if isinstance(a, RemoveCategory)]
    rest: list[Action] = [a for a in base.actions if not isinstance(a, RemoveCategory)]
    return WritebackPlan((*rest, *marked.actions, *removals))


def _seen(box: MemoryMailbox) -> tuple[object, ...]:
    return (
        sorted((c.name, c.color) for c in box.master),
        dict(sorted(box.contact_categories.items())),
        {i: m.categories for i, m in sorted(box.items.items())},
    )


def test_a_language_change_renames_in_one_plan_and_undo_restores_the_users_english(
    store: Store,
) -> None:
    box = _mailbox()
    sink = MemorySink(box)
    before = _seen(box)
    assert apply_plan(store, sink, _plan(box, sink, store, ENGLISH), "en").complete
    assert _seen(box)[2] == {"m-new": ("Network A",), "m-old": ("Network A", "Golf")}

    german = _plan(box, sink, store, GERMAN)
    # The new name first, in the old one's colour; the old one last, with its colour (for undo).
    assert german.actions[0] == AddCategory("Netzwerk A", 9)
    assert german.actions[-1] == RemoveCategory("Network A", 9)
    assert apply_plan(store, sink, german, "de").complete
    master, contacts, messages = _seen(box)
    assert master == [("Customer", 3), ("Netzwerk A", 9)]
    assert contacts == {"card-ann": ("Customer", "Netzwerk A"), "card-cy": ("Golf",)}
    assert messages == {"m-new": ("Netzwerk A",), "m-old": ("Golf", "Netzwerk A")}
    assert not _plan(box, sink, store, GERMAN)  # done in one step

    assert undo(store, sink, GERMAN).complete
    assert _seen(box)[0] == before[0]  # the user's "Network A" is back, in their colour
    assert _seen(box)[1] == before[1]
    assert sorted(_seen(box)[2]["m-old"]) == ["Golf", "Network A"]  # theirs, given back
    assert _seen(box)[2]["m-new"] == ()
