"""Who can introduce the owner: warm paths to a person or an organisation through people the owner
already knows, ranked, with the reasons in numbers (the weights and why: ``docs/intro.md``).

Terminology:

- **target**: whom the owner wants to reach, given as an address, a name, or an organisation (a
  card's organisation name or a mail domain). It resolves to **target people**: person keys, or
  plain addresses for people who are no contact of the owner.
- **intermediary**: a contact the owner has a two-way relationship with (``last_two_way``), who is
  no target person. Their strength score and tier are the owner's side of a path.
- **hop**: the evidence that two people know each other, oriented from the one nearer the owner
  (``near``) to the one further away (``far``): the ties the owner saw (:mod:`.ties`) and the
  introductions between them in the give-and-take ledger. Its **strength** is 0–1.
- **path**: owner → intermediary → target (one step), or owner → intermediary → someone →
  target (two steps). Two-step paths are looked for only for target people without any one-step
  path, and always rank after every one-step path (``weaker``).

Ranking: a path's score is the intermediary's strength score (0–100) times the strength of each
hop; the reasons are codes with counts (:data:`REASON_CODES`), worded by the front ends.

Also here: the JSON documents (``intro --json``, the card of someone who is no contact) and the
document that remembers which introductions ``intro`` proposed (the store keeps it:
``Store.intro_proposals``), so the ledger recognises the one the owner then asked for
(:class:`~.ledger.Asked`).

Exports: ``TargetKind``, ``Target``, ``Reason``, ``Hop``, ``Path``, ``Introductions``,
``REASON_CODES``, ``find_paths``, ``intro_json``,
``path_json``, ``stranger_json``, ``remember_proposals``, ``asked_from``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ..parsing.addresses import normalise
from .identity import FREEMAIL, name_key
from .ledger import Asked, ItemKind, LedgerItem, Outcome
from .network import Network
from .review import belongs_to
from .ties import TieKind, Ties
from .views import envelope, iso

__all__ = [
    "REASON_CODES",
    "Hop",
    "Introductions",
    "Path",
    "Reason",
    "Target",
    "TargetKind",
    "asked_from",
    "find_paths",
    "intro_json",
    "path_json",
    "remember_proposals",
    "stranger_json",
]

MAX_PROPOSALS = 1000  # the oldest proposals are forgotten beyond this
DEFAULT_LIMIT = 10

# The evidence weights (docs/intro.md says why). A message counts once as named together; what
# the far side did on it counts on top.
W_TOGETHER = 1.0  # a message (not the owner's) naming both
W_FAR_WROTE = 1.0  # the far side wrote to or copied the near side
W_REPLIED = 1.0  # either answered the other's message
W_MEETING = 3.0  # a meeting both attended (meetings weigh more, as in the strength score)
W_INTRO_TOOK = 2.0  # the owner introduced them and they took it up
W_INTRO_MADE = 0.5  # the owner introduced them, nothing came of it (yet)
W_INTRODUCED_YOU = 5.0  # one introduced the owner to the other: they know each other well
HALF_LIFE_DAYS = 180.0  # the evidence counts half after this long since it was last seen
SATURATION = 4.0  # decayed weight at which a hop's strength reaches 0.63

# Every reason code, strongest evidence first; each comes with a count (``days_since``: days).
REASON_CODES = (
    "near_introduced_you",  # near introduced the owner to far (ledger)
    "far_introduced_you",  # far introduced the owner to near (ledger)
    "meetings",  # meetings both attended
    "far_replied",  # far answered near's messages
    "near_replied",  # near answered far's messages
    "far_wrote",  # far wrote to or copied near
    "together",  # messages naming both
    "near_wrote",  # near wrote to or copied far
    "introduction_took",  # the owner introduced them, and they followed up (ledger)
    "introduced_by_you",  # the owner introduced them (ledger)
    "days_since",  # days since the latest evidence
)


class TargetKind(StrEnum):
    ADDRESS = "address"
    ORGANISATION = "organisation"
    NAME = "name"


@dataclass(frozen=True, slots=True)
class Target:
    """What the owner asked for and the people it names (person keys or addresses)."""

    query: str
    kind: TargetKind
    people: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # one of REASON_CODES
    count: int


@dataclass(frozen=True, slots=True)
class Hop:
    """The evidence that ``near`` and ``far`` know each other."""

    near: str
    far: str
    strength: float  # 0–1
    weight: float  # the evidence weight before decay
    reasons: tuple[Reason, ...]
    last: datetime  # the latest evidence
    evidence: str  # the latest item behind it (``source:item_id``); "" for the ledger alone


@dataclass(frozen=True, slots=True)
class Path:
    """owner → ``via[0]`` (→ ``via[1]``) → ``target``; one hop per arrow after the owner's."""

    target: str
    via: tuple[str, ...]
    hops: tuple[Hop, ...]
    score: float  # 0–100
    owner_score: float  # the owner's strength score with ``via[0]``
    owner_tier: str

    @property
    def steps(self) -> int:
        return len(self.via)


@dataclass(frozen=True)
class Introductions:
    """The ranked paths to a target, as of ``now``."""

    now: datetime
    target: Target
    paths: tuple[Path, ...]
    known: tuple[str, ...] = ()  # target people the owner already has a two-way relationship with


@dataclass
class _Evidence:
    """A hop while it is being added up (mutable)."""

    counts: dict[str, int] = field(default_factory=dict)
    last: datetime | None = None
    evidence: str = ""

    def add(self, code: str, count: int, last: datetime, evidence: str = "") -> None:
        self.counts[code] = self.counts.get(code, 0) + count
        if self.last is None or last > self.last:
            self.last = last
            self.evidence = evidence or self.evidence
        elif not self.evidence:
            self.evidence = evidence

    def hop(self, near: str, far: str, now: datetime) -> Hop:
        c = self.counts
        weight = (
            W_TOGETHER * c.get("together", 0)
            + W_FAR_WROTE * c.get("far_wrote", 0)
            + W_REPLIED * (c.get("far_replied", 0) + c.get("near_replied", 0))
            + W_MEETING * c.get("meetings", 0)
            + W_INTRO_TOOK * c.get("introduction_took", 0)
            + W_INTRO_MADE * (c.get("introduced_by_you", 0) - c.get("introduction_took", 0))
            + W_INTRODUCED_YOU * (c.get("near_introduced_you", 0) + c.get("far_introduced_you", 0))
        )
        last = self.last or now
        days = max(0, (now - last) // timedelta(days=1))
        decayed = weight * 0.5 ** (days / HALF_LIFE_DAYS)
        reasons = [Reason(code, c[code]) for code in REASON_CODES if c.get(code)]
        reasons.append(Reason("days_since", days))
        return Hop(
            near=near,
            far=far,
            strength=1.0 - math.exp(-decayed / SATURATION),
            weight=weight,
            reasons=tuple(reasons),
            last=last,
            evidence=self.evidence,
        )


# Which tally, seen from (near, far), feeds which reason code.
_TALLIES = (
    ("together", TieKind.MAIL, False),
    ("meetings", TieKind.MEETING, False),
    ("near_wrote", TieKind.WROTE, False),
    ("far_wrote", TieKind.WROTE, True),
    ("near_replied", TieKind.REPLIED, False),
    ("far_replied", TieKind.REPLIED, True),
)


class _Graph:
    """People (person keys, or addresses of people who are no contact) and their hops."""

    def __init__(self, network: Network, items: Iterable[LedgerItem]) -> None:
        self.network = network
        self.ties: Ties = network.ties
        self.person_of = network.identities.person_of
        self.persons = network.identities.persons
        self._hops: dict[str, dict[str, _Evidence]] = {}
        # The ledger's introductions, per unordered pair of people.
        self._intros: dict[frozenset[str], list[tuple[str, LedgerItem]]] = {}
        made: set[tuple[frozenset[str], str]] = set()  # each introduced person has an item
        for item in items:
            for other in item.others:
                pair = frozenset((item.contact, other))
                if len(pair) != 2:
                    continue
                if item.kind is ItemKind.INTRODUCTION_RECEIVED:
                    self._intros.setdefault(pair, []).append((item.contact, item))
                    continue
                key = (pair, item.messages[0])
                if item.kind is ItemKind.INTRODUCTION_MADE and key not in made:
                    made.add(key)
                    self._intros.setdefault(pair, []).append(("", item))

    def node(self, address: str) -> str:
        return self.person_of.get(address, address)

    def addresses(self, node: str) -> tuple[str, ...]:
        person = self.persons.get(node)
        return person.addresses if person is not None else (node,)

    def name(self, node: str) -> str:
        person = self.persons.get(node)
        return person.name if person is not None else self.ties.names.get(node, "")

    def organisation(self, node: str) -> str:
        person = self.persons.get(node)
        if person is not None:
            return person.organisation
        domain = node.rpartition("@")[2]
        return "" if domain in FREEMAIL else domain

    def excluded(self, node: str) -> bool:
        """The owner, someone the settings exclude, or a mailing list (never a person)."""
        lists = self.network.identities.lists
        return node in self.network.owner or any(
            self.network.settings.is_excluded(a) or a in lists for a in self.addresses(node)
        )

    def nodes(self) -> Iterable[str]:
        """Everyone: the contacts, and everyone else seen with anybody."""
        yield from self.persons
        for address in self.ties.addresses():
            if address not in self.person_of:
                yield address

    def intermediary(self, node: str) -> bool:
        view = self.network.by_person.get(node)
        return view is not None and view.history.last_two_way is not None

    def hops(self, far: str) -> Mapping[str, _Evidence]:
        """Everyone with evidence of knowing ``far``, with that evidence (near → far)."""
        found = self._hops.get(far)
        if found is not None:
            return found
        hops: dict[str, _Evidence] = {}
        ties = self.ties
        for f in self.addresses(far):
            for n in ties.neighbours(f):
                near = self.node(n)
                if near == far or self.excluded(near):
                    continue
                evidence = hops.setdefault(near, _Evidence())
                for code, kind, reverse in _TALLIES:
                    tally = ties.tally(kind, f, n) if reverse else ties.tally(kind, n, f)
                    if tally is not None:
                        evidence.add(code, tally.count, tally.last, tally.last_item)
        for pair, entries in self._intros.items():
            if far not in pair:
                continue
            (near,) = pair - {far}
            if self.excluded(near):
                continue
            evidence = hops.setdefault(near, _Evidence())
            for introducer, item in entries:
                if item.kind is ItemKind.INTRODUCTION_RECEIVED:
                    code = "near_introduced_you" if introducer == near else "far_introduced_you"
                    evidence.add(code, 1, item.at)
                else:
                    evidence.add("introduced_by_you", 1, item.at)
                    if item.outcome not in (None, Outcome.NONE):
                        evidence.add("introduction_took", 1, item.outcome_at or item.at)
        self._hops[far] = hops
        return hops


def _resolve(graph: _Graph, query: str) -> Target:
    """The people ``query`` names: an address; else an organisation (a card's organisation name,
    a domain and its subdomains, or a domain where someone of that organisation has an address);
    else a name (the whole name, else every word of it); else an organisation whose domain has
    the query, without spaces and punctuation, as a label (``Relecloud``: ``relecloud.example``)."""
    text = " ".join(query.split())
    if "@" in text:
        address = normalise(text) or text.casefold()
        node = graph.node(address)
        people = () if graph.excluded(node) else (node,)
        return Target(text, TargetKind.ADDRESS, people)
    nodes = [n for n in graph.nodes() if not graph.excluded(n)]
    wanted = text.casefold()
    domains = {
        a.rpartition("@")[2]
        for n in nodes
        if graph.organisation(n).casefold() == wanted
        for a in graph.addresses(n)
    } - FREEMAIL
    at_org = [
        n
        for n in nodes
        if belongs_to(graph.organisation(n), graph.addresses(n), text)
        or any(a.rpartition("@")[2] in domains for a in graph.addresses(n))
    ]
    if at_org or ("." in text and " " not in text):
        return Target(text, TargetKind.ORGANISATION, tuple(sorted(at_org)))
    key = name_key(text)
    named = [n for n in nodes if key and name_key(graph.name(n)) == key]
    if not named:
        words = set(key.split())
        named = [n for n in nodes if words and words <= set(name_key(graph.name(n)).split())]
    if named:
        return Target(text, TargetKind.NAME, tuple(sorted(named)))
    # Nobody by that name: an organisation known only by its domain ("Relecloud" is at
    # relecloud.example), matched on any label of the domain but the last.
    squashed = "".join(ch for ch in wanted if ch.isalnum())
    by_domain = [
        n
        for n in nodes
        if squashed
        and any(squashed in a.rpartition("@")[2].split(".")[:-1] for a in graph.addresses(n))
    ]
    return Target(
        text, TargetKind.ORGANISATION if by_domain else TargetKind.NAME, tuple(sorted(by_domain))
    )


def find_paths(
    network: Network,
    introductions: Iterable[LedgerItem],
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
) -> Introductions:
    """The best ``limit`` paths to the people ``query`` names (see the module docstring).

    Parameters:
        network: the analysed network (contacts, identities, ties, settings, ``now``).
        introductions: the ledger's items (``Ledger.items``); only introductions are used.
        query: an address, a name, or an organisation.
        limit: at most this many paths (0: all).
    """
    graph = _Graph(network, introductions)
    target = _resolve(graph, query)
    targets = set(target.people)
    now = network.now
    known = tuple(t for t in target.people if graph.intermediary(t))

    def owner_side(node: str) -> tuple[float, str]:
        view = network.by_person[node]
        return view.strength.score, view.tier.tier

    paths: list[Path] = []
    for far in target.people:
        near_far = {
            near: evidence.hop(near, far, now)
            for near, evidence in graph.hops(far).items()
            if near not in targets and graph.intermediary(near)
        }
        for near, hop in near_far.items():
            score, tier = owner_side(near)
            paths.append(Path(far, (near,), (hop,), score * hop.strength, score, tier))
        if near_far:
            continue
        # No one-step path to this person: through someone the owner does not know, once.
        best: dict[str, Path] = {}
        for middle, evidence in graph.hops(far).items():
            if graph.intermediary(middle):
                continue
            second = evidence.hop(middle, far, now)
            for near, first_evidence in graph.hops(middle).items():
                if near in targets or near == far or not graph.intermediary(near):
                    continue
                first = first_evidence.hop(near, middle, now)
                score, tier = owner_side(near)
                path = Path(
                    far,
                    (near, middle),
                    (first, second),
                    score * first.strength * second.strength,
                    score,
                    tier,
                )
                if near not in best or _rank(path) < _rank(best[near]):
                    best[near] = path
        paths.extend(best.values())
    paths.sort(key=_rank)
    return Introductions(now, target, tuple(paths[:limit] if limit else paths), known)


def _rank(path: Path) -> tuple[int, float, float, tuple[str, ...], str]:
    return (path.steps, -path.score, -path.owner_score, path.via, path.target)


# --- JSON --------------------------------------------------------------------------------------


def _person_json(network: Network, node: str) -> dict[str, Any]:
    person = network.identities.persons.get(node)
    view = network.by_person.get(node)
    if person is not None:
        name, organisation = person.name, person.organisation
    else:
        name = network.ties.names.get(node, "")
        domain = node.rpartition("@")[2]
        organisation = "" if domain in FREEMAIL else domain
    return {
        "address": node,
        "name": name or None,
        "organisation": organisation or None,
        "tier": view.tier.tier if view is not None else None,
        "score": round(view.strength.score, 1) if view is not None else None,
    }


def _hop_json(hop: Hop) -> dict[str, Any]:
    return {
        "from": hop.near,
        "to": hop.far,
        "strength": round(hop.strength, 2),
        "weight": round(hop.weight, 1),
        "last_seen": iso(hop.last),
        "evidence": hop.evidence or None,
        "reasons": [{"code": r.code, "count": r.count} for r in hop.reasons],
    }


def path_json(network: Network, path: Path, rank: int = 1) -> dict[str, Any]:
    """One path: its rank and score, the people on it and each hop's evidence."""
    return {
        "rank": rank,
        "score": round(path.score, 1),
        "steps": path.steps,
        "weaker": path.steps > 1,
        "target": _person_json(network, path.target),
        "via": [_person_json(network, node) for node in path.via],
        "hops": [_hop_json(hop) for hop in path.hops],
    }


def intro_json(network: Network, result: Introductions) -> dict[str, Any]:
    """``intro TARGET --json``."""
    return {
        **envelope("intro", result.now),
        "query": result.target.query,
        "kind": result.target.kind.value,
        "targets": [_person_json(network, node) for node in result.target.people],
        "known": [_person_json(network, node) for node in result.known],
        "paths": [path_json(network, p, i) for i, p in enumerate(result.paths, 1)],
    }


def stranger_json(network: Network, address: str, path: Path) -> dict[str, Any]:
    """The card of someone who is no contact yet: whom the owner may know them through."""
    return {
        "address": address,
        "name": network.ties.names.get(address) or None,
        "is_owner": False,
        "known": False,
        "intro": path_json(network, path),
    }


# --- what intro proposed -----------------------------------------------------------------------


def remember_proposals(previous: Mapping[str, Any] | None, result: Introductions) -> dict[str, Any]:
    """The proposals document with ``result``'s paths added: ask ``via[0]`` for each person
    further along. A pair keeps the time it was first proposed."""
    first: dict[tuple[str, str], str] = {}
    for entry in asked_from(previous):
        first[(entry.via, entry.target)] = iso(entry.at) or ""
    stamp = iso(result.now) or ""
    for path in result.paths:
        for target in (*path.via[1:], path.target):
            first.setdefault((path.via[0], target), stamp)
    kept = sorted(first.items(), key=lambda kv: (kv[1], kv[0]))[-MAX_PROPOSALS:]
    return {
        "version": 1,
        "proposals": [{"via": via, "target": target, "at": at} for (via, target), at in kept],
    }


def asked_from(doc: Mapping[str, Any] | None) -> tuple[Asked, ...]:
    """The proposals a stored document holds (entries that do not parse are skipped)."""
    if not isinstance(doc, Mapping):
        return ()
    found: list[Asked] = []
    for entry in doc.get("proposals") or ():
        try:
            at = datetime.fromisoformat(str(entry["at"]).replace("Z", "+00:00"))
            found.append(Asked(str(entry["via"]), str(entry["target"]), at))
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(found)
