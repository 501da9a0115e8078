"""Key persons: the broker between two groups comes out on top, clusters named by organisation."""

from __future__ import annotations

from outlook_networking.model import Interaction

from .analysis import run
from .builders import ME, ago, mail, meeting


def _two_groups_and_a_broker() -> list[Interaction]:
    acme = [f"{n}@acme.example" for n in ("ann", "ben", "cat", "dan")]
    globex = [f"{n}@globex.example" for n in ("eve", "fay", "gus", "hal")]
    broker = "max@initech.example"
    items: list[Interaction] = []
    for day in range(10):
        items.append(mail(ME, acme, ago(days=day + 1), subject=f"acme {day}"))
        items.append(mail(ME, globex, ago(days=day + 1), subject=f"globex {day}"))
        items.append(meeting(ME, [broker, acme[day % 4]], ago(days=day + 1)))
        items.append(meeting(ME, [broker, globex[day % 4]], ago(days=day + 1)))
        items.append(mail(acme[0], [ME, broker], ago(days=day + 1)))  # and they answer
        items.append(mail(broker, [ME, globex[0]], ago(days=day + 1)))
    # A huge all-hands connects nobody in particular.
    items.append(mail(ME, [f"x{i}@big.example" for i in range(40)] + acme, ago(days=1)))
    return items


def test_broker_between_two_groups_and_clusters_by_organisation() -> None:
    acme = [f"{n}@acme.example" for n in ("ann", "ben", "cat", "dan")]
    globex = [f"{n}@globex.example" for n in ("eve", "fay", "gus", "hal")]
    broker = "max@initech.example"
    network = run(_two_groups_and_a_broker())
    # Found only when asked (only the report asks): contacts and follow-ups never pay for it.
    assert network.brokers._found is None
    top = network.key_persons[0]
    assert network.brokers._found is not None and network.brokers._inputs is None
    assert top.person == broker
    assert set(top.clusters) >= {"acme.example", "globex.example"}
    assert top.reason.code == "connects_groups" and top.reason["count"] == len(top.clusters)
    names = {c.name: set(c.members) for c in network.clusters}
    assert set(acme) <= names["acme.example"]
    assert set(globex) <= names["globex.example"]
    assert not any(m.startswith("x") for c in network.clusters for m in c.members)


def test_the_graph_and_the_ties_are_counted_when_first_asked_in_either_order() -> None:
    # Only the report asks for the graph and only intro for the ties: contacts, follow-ups and
    # the agent's cycle never count them (core.network.Later).
    items = _two_groups_and_a_broker()
    first, second = run(items), run(items)
    for network in (first, second):
        assert network.later is not None
        assert network.later._graph is None and network.later._ties is None
    ties = first.ties
    assert first.later is not None and first.later._items is not None  # the graph still to count
    brokers = second.key_persons
    assert second.later is not None and second.later._items is not None  # the ties still to count
    assert first.key_persons == brokers and first.clusters == second.clusters
    assert second.ties == ties and list(ties.addresses())
    assert first.later._items is None and second.later._items is None  # both counted: let go
    assert first.ties is ties  # counted once
