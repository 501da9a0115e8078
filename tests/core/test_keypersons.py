"""Key persons: the broker between two groups comes out on top, clusters named by organisation."""

from __future__ import annotations

from outlook_networking.model import Interaction

from .analysis import run
from .builders import ME, ago, mail, meeting


def test_broker_between_two_groups_and_clusters_by_organisation() -> None:
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
    network = run(items)
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
