"""Key persons in the owner's mail graph: clusters, brokers, and where information converges.

The graph: one node per person; an edge between two people each time they appear together on one
of the owner's interactions (:mod:`.personal`; weight = how often), leaving out the owner and
items with more than ``graph_max_participants`` people (an all-hands invite connects nobody in
particular). A list message that did not name the owner is no interaction of the owner's, but one
that names contacts in To/Cc is its sender writing to them directly: it joins the sender with
each of them. Only the owner's own mail is seen, so this is the network as the owner experiences
it. On a big mailbox
only the ``graph_max_edges`` strongest ties are kept, which bounds the cost of everything below.

- **clusters**: communities by Louvain modularity (seeded, so runs agree), each named by its
  members' dominant organisation ("mixed, mostly X" when none has a majority);
- **brokers**: the highest betweenness centrality on unweighted paths (above
  ``graph_exact_nodes`` nodes sampled with that many pivots, seeded), with the clusters each one
  touches: a broker touching several clusters is where information converges.

Exports: ``Cluster``, ``KeyPerson``, ``MailGraph``, ``find_key_persons``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from ..model import Flag, Interaction, Kind
from .identity import Identities
from .personal import is_personal
from .phrase import Phrase, phrase
from .settings import Settings

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Cluster", "KeyPerson", "MailGraph", "find_key_persons"]

TOP_BROKERS = 10
MIN_CLUSTER = 3
_LIST_ONLY = frozenset({Flag.LIST})


@dataclass(frozen=True, slots=True)
class Cluster:
    name: str  # the dominant organisation, or "mixed"
    members: tuple[str, ...]  # person keys, most connected first


@dataclass(frozen=True, slots=True)
class KeyPerson:
    person: str
    betweenness: float
    degree: int  # how many people they appear with
    clusters: tuple[str, ...]  # names of the clusters their neighbours belong to
    reason: Phrase


@dataclass
class MailGraph:
    """Co-occurrence counts built item by item (mutable while the pass runs)."""

    edges: Counter[tuple[str, str]] = field(default_factory=Counter)
    nodes: set[str] = field(default_factory=set)

    def add(
        self,
        item: Interaction,
        person_of: Mapping[str, str],
        owner: frozenset[str],
        max_participants: int,
    ) -> None:
        if item.kind is Kind.MEETING and item.cancelled:
            return
        if not is_personal(item, owner):
            if item.flags == _LIST_ONLY:
                self._add_list_message(item, person_of, max_participants)
            return
        addresses = {m.address for m in item.participants()}
        if not addresses & owner or len(addresses) > max_participants:
            return
        people = sorted({person_of[a] for a in addresses if a in person_of})
        self.nodes.update(people)
        for pair in combinations(people, 2):
            self.edges[pair] += 1

    def _add_list_message(
        self, item: Interaction, person_of: Mapping[str, str], max_participants: int
    ) -> None:
        sender = person_of.get(item.sender.address) if item.sender is not None else None
        if sender is None or len(item.to) + len(item.cc) >= max_participants:
            return
        found = (person_of.get(m.address) for m in (*item.to, *item.cc))
        for person in {p for p in found if p is not None and p != sender}:
            self.nodes.update((sender, person))
            self.edges[(sender, person) if sender < person else (person, sender)] += 1


def find_key_persons(
    graph: MailGraph,
    identities: Identities,
    settings: Settings,
    candidates: Iterable[str] | None = None,
) -> tuple[tuple[KeyPerson, ...], tuple[Cluster, ...]]:
    """Brokers and clusters of the graph (``candidates`` limits who may be called a broker)."""
    import networkx as nx  # here: a sixth of the command line's start, and only the report asks

    edges: Iterable[tuple[tuple[str, str], int]] = graph.edges.items()
    if len(graph.edges) > settings.graph_max_edges:
        # The strongest ties carry the structure; keeping a fixed number bounds the cost of
        # the graph algorithms whatever the size of the mailbox.
        edges = sorted(edges, key=lambda e: (-e[1], e[0]))[: settings.graph_max_edges]
    g: nx.Graph[str] = nx.Graph()
    for (a, b), weight in edges:
        g.add_edge(a, b, weight=weight)
    if g.number_of_nodes() == 0:
        return (), ()
    communities = nx.community.louvain_communities(g, weight="weight", seed=7)
    clusters: list[Cluster] = []
    cluster_of: dict[str, str] = {}
    for members in communities:
        if len(members) < MIN_CLUSTER:
            continue
        ordered = sorted(members, key=lambda p: (-g.degree(p, weight="weight"), p))
        orgs = Counter(
            identities.persons[p].organisation for p in ordered if p in identities.persons
        )
        orgs.pop("", None)
        top = orgs.most_common(1)
        name = top[0][0] if top and top[0][1] * 2 > len(ordered) else "mixed"
        if top and name == "mixed":
            name = f"mixed, mostly {top[0][0]}"
        base, n = name, 2
        while any(c.name == name for c in clusters):
            name, n = f"{base} ({n})", n + 1
        clusters.append(Cluster(name, tuple(ordered)))
        for person in ordered:
            cluster_of[person] = name
    clusters.sort(key=lambda c: (-len(c.members), c.name))

    # Unweighted shortest paths (BFS) keep this fast; on large graphs a fixed number of sampled
    # pivots bounds the cost whatever the mailbox size, with a fixed seed so runs agree.
    nodes = g.number_of_nodes()
    k = None if nodes <= settings.graph_exact_nodes else settings.graph_exact_nodes
    centrality = nx.betweenness_centrality(g, k=k, seed=7)
    allowed = set(candidates) if candidates is not None else None
    brokers: list[KeyPerson] = []
    for person, value in sorted(centrality.items(), key=lambda kv: (-kv[1], kv[0])):
        if value <= 0 or len(brokers) >= TOP_BROKERS:
            break
        if allowed is not None and person not in allowed:
            continue
        touched = sorted({cluster_of[n] for n in g.neighbors(person) if n in cluster_of})
        own = cluster_of.get(person)
        reach = sorted(set(touched) | ({own} if own else set()))
        if len(reach) > 1:
            reason = phrase("connects_groups", count=len(reach), groups=tuple(reach))
        else:
            reason = phrase("on_many_paths", count=g.degree(person))
        brokers.append(KeyPerson(person, round(value, 4), g.degree(person), tuple(reach), reason))
    return tuple(brokers), tuple(clusters)
