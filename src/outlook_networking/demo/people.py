"""The demo persona: Alex Example, a Berlin consultant, and the ~150 people around them.

Everything here is decided by one `random.Random` seeded from the demo seed, so the same seed
gives the same cast. The cast is split by *role*; each role carries the planted pattern the
rest of the product must find (a mentor, close colleagues, a fading contact, someone who never
answers, ...). The traffic module turns roles into mail, the meetings and cards modules into
calendar entries and vCards.

Exports: ``OWNER``, ``REACH_ORG``, ``Cast``, ``Org``, ``Person``, ``build_cast``,
``wire_address``.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

__all__ = ["OWNER", "REACH_ORG", "Cast", "Org", "Person", "build_cast", "wire_address"]


@dataclass(frozen=True)
class Org:
    """An organisation by mail domain; `lang` picks German or English subjects and prefixes."""

    name: str
    domain: str
    lang: str = "de"
    local_style: str = "first.last"  # or "f.last"


@dataclass(frozen=True)
class Person:
    """One person of the cast, with the parameters that drive their generic mail traffic.

    `rate` is 1:1 threads per working day at scale 1 (0 means: only scripted traffic).
    `owner_starts` is the share of those threads the owner starts. `latency_min` is the
    person's median reply latency in minutes, `latency_cap_h` the longest they ever take.
    Generic traffic only happens in [`active_from`, `active_until`], given in days before `now`.
    `alt_address` is used for a share `alt_share` of threads (a private or alias address).
    """

    name: str
    address: str
    org: Org | None
    role: str
    rate: float = 0.0
    owner_starts: float = 0.5
    latency_min: float = 240.0
    latency_cap_h: float = 96.0
    active_from: float = 548.0
    active_until: float = 0.0
    alt_address: str | None = None
    alt_share: float = 0.0
    written: str | None = None  # how their own mail spells the address (e.g. Mixed.Case)

    @property
    def lang(self) -> str:
        return self.org.lang if self.org else "de"

    @property
    def addresses(self) -> tuple[str, ...]:
        return (self.address, self.alt_address) if self.alt_address else (self.address,)


INTERNAL = Org("Example Consulting", "example.com")
FREEMAIL = Org("", "freemail.example")  # private addresses: no organisation behind them
IDN_ORG = Org("Bäckerei Müller KG", "bäckerei-müller.example")
# The organisation the owner wants to reach and knows nobody at; and where the someone works
# who stands between a partner and one of its people.
REACH_ORG = Org("Relecloud", "relecloud.example", "en")
MIDDLE_ORG = Org("Margie's Travel", "margiestravel.example", "en")
OWNER = Person("Alex Example", "alex@example.com", INTERNAL, "owner")

PARTNER_ORGS = (
    Org("Northwind Partners", "northwind.example", "en"),
    Org("Northwind Partners", "northwind.example", "en"),
    Org("Contoso Advisory", "contoso.example", "en"),
    Org("Fabrikam GmbH", "fabrikam.example"),
    Org("Tailspin Legal", "tailspin.example", "en", "f.last"),
    Org("Adatum Research", "adatum.example", "en"),
    Org("Litware AG", "litware.example"),
    Org("Woodgrove Bank", "woodgrove.example", "de", "f.last"),
)
CLIENT_ORGS = (
    Org("Trey Research", "treyresearch.example", "en"),
    Org("Coho Vineyard", "coho.example", "en"),
    Org("Alpine Ski House", "alpineskihouse.example"),
    Org("Blue Yonder Airlines", "blueyonder.example", "en"),
    Org("Fourth Coffee", "fourthcoffee.example", "en"),
    Org("Humongous Insurance", "humongous.example", "de", "f.last"),
    Org("Wide World Importers", "wideworld.example", "en"),
    Org("Lucerne Publishing", "lucerne.example"),
    Org("Wingtip Toys", "wingtiptoys.example", "en"),
    Org("Stadtwerke Musterstadt", "stadtwerke-musterstadt.example", "de", "f.last"),
    Org("Bundesamt für Beispiele", "bfb.example", "de", "f.last"),
    Org("Universität Beispielstadt", "uni-beispielstadt.example"),
)

FIRST = (
    "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Lena", "Paul", "Laura", "Tim", "Julia",
    "Niklas", "Sarah", "David", "Lea", "Jan", "Hannah", "Moritz", "Katharina", "Simon", "Clara",
    "Tobias", "Johanna", "Florian", "Miriam", "Sebastian", "Nora", "Matthias", "Elena", "Philipp",
    "Ines", "Daniel", "Carla", "Stefan", "Vera", "Martin", "Eva", "Thomas", "Petra", "Andreas",
    "Sabine", "Michael", "Claudia", "Markus", "Birgit", "Frank", "Ulrike", "Oliver", "Priya",
    "Rahul", "Mei", "Wei", "Kenji", "Aiko", "Olivia", "James", "Emma", "Liam", "Noah", "Chloé",
    "François", "Amélie", "José", "Lucía", "Łukasz", "Zofia", "Jürgen", "Jörg", "Björn", "Søren",
    "Åsa", "Zoë", "Mehmet", "Ayşe", "Özlem", "Dóra", "Ignacio", "Małgorzata", "Gülşen", "Renée",
    "Käthe",
)
LAST = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Krause", "Meier", "Lehmann", "Köhler", "Böhm", "Weiß", "Günther", "Vogel", "Jäger",
    "Groß", "Roth", "Beck", "Lorenz", "Baumann", "Franke", "Albrecht", "Ludwig", "Winter",
    "Kraus", "Schumacher", "Krämer", "Vogt", "Stein", "Otto", "Sommer", "Haas", "Graf",
    "Heinrich", "Brandt", "Schulte", "Dietrich", "Kühn", "Engel", "Pohl", "Horn", "Busch",
    "Bergmann", "Voigt", "Sauer", "Arnold", "Wolff", "Pfeiffer", "Dubois", "García", "Núñez",
    "Kowalski", "Wójcik", "Nowak", "Rossi", "Bianchi", "Smith", "Johnson", "Brown", "Taylor",
    "Lindqvist", "Andersen", "Nakamura", "Tanaka", "Chen", "Wang", "Patel", "Sharma", "Yılmaz",
    "Öztürk", "Kaya", "O'Brien", "Murphy",
)

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "oe", "å": "aa",
                           "ł": "l", "ı": "i", "'": "", " ": ""})


def ascii_local(name: str) -> str:
    """Lower-case ASCII form of a name part, as mail administrators spell it in addresses."""
    text = name.lower().translate(_TRANSLIT)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in text if ch.isalnum() or ch == "-")


def wire_address(address: str) -> str:
    """The address as it travels in headers: an internationalised domain in IDNA (xn--) form."""
    local, _, domain = address.rpartition("@")
    if domain.isascii():
        return address
    return f"{local}@{domain.encode('idna').decode('ascii')}"


def address_for(first: str, last: str, org: Org) -> str:
    local = (f"{ascii_local(first)[0]}.{ascii_local(last)}" if org.local_style == "f.last"
             else f"{ascii_local(first)}.{ascii_local(last)}")
    return f"{local}@{org.domain}"


@dataclass(frozen=True)
class Cast:
    """The whole cast by role. Tuples keep the order in which people were drawn."""

    mentor: Person
    close: tuple[Person, ...]
    internal: tuple[Person, ...]
    partners: tuple[Person, ...]
    fading: Person
    non_answerer: Person
    owed: tuple[Person, ...]
    awaiting: Person
    giver: Person
    intro_took: tuple[Person, Person]
    intro_failed: tuple[Person, Person]
    introducer: Person
    introduced: Person
    two_address: Person
    alias: Person
    namesakes: tuple[Person, Person]
    long_tail: tuple[Person, ...]
    list_posters: tuple[Person, ...] = field(default=())
    idn: Person | None = None
    reach_targets: tuple[Person, ...] = ()  # three people at REACH_ORG, none of them a contact
    reach_middle: Person | None = None  # knows a partner and the third of them; no contact

    @property
    def people(self) -> tuple[Person, ...]:
        """Every real person the owner deals with directly (not list posters)."""
        singles = (self.mentor, self.fading, self.non_answerer, self.awaiting, self.giver,
                   *self.intro_took, *self.intro_failed, self.introduced, self.two_address,
                   self.alias, *self.namesakes, *((self.idn,) if self.idn else ()))
        out: list[Person] = []
        seen: set[str] = set()
        groups = (self.close, self.internal, self.partners, self.owed, singles, self.long_tail)
        for group in groups:
            for person in group:
                if person.address not in seen:
                    seen.add(person.address)
                    out.append(person)
        return tuple(out)


class _Namer:
    """Draws distinct full names and addresses."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = {OWNER.name}
        self.addresses: set[str] = {OWNER.address}

    def name(self, *, non_ascii: bool | None = None) -> tuple[str, str]:
        for _ in range(10_000):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            full = f"{first} {last}"
            if full in self.names:
                continue
            if non_ascii is not None and (not full.isascii()) != non_ascii:
                continue
            self.names.add(full)
            return first, last
        raise RuntimeError("name pool exhausted")  # pragma: no cover - pool is large

    def person(self, org: Org, role: str, *, non_ascii: bool | None = None,
               **params: float) -> Person:
        while True:
            first, last = self.name(non_ascii=non_ascii)
            address = address_for(first, last, org)
            if address not in self.addresses:
                self.addresses.add(address)
                return Person(f"{first} {last}", address, org, role, **params)  # type: ignore[arg-type]


def build_cast(rng: random.Random, *, long_tail: int = 100) -> Cast:
    """Draw the cast. `long_tail` sets the number of occasional contacts (~150 people in all)."""
    namer = _Namer(rng)
    p = namer.person
    # The mentor and the close team carry non-ASCII names on purpose: RFC 2047 in From/To.
    mentor = p(INTERNAL, "mentor", non_ascii=True, rate=0.3, owner_starts=0.5,
               latency_min=120, latency_cap_h=48)
    close = tuple(
        p(INTERNAL, "close", non_ascii=(i < 2), rate=0.3, owner_starts=0.5,
          latency_min=30, latency_cap_h=30)
        for i in range(5)
    )
    internal = tuple(
        p(INTERNAL, "internal", rate=0.012, owner_starts=0.5, latency_min=180, latency_cap_h=72)
        for _ in range(12)
    )
    partners = tuple(
        p(org, "partner", rate=0.05, owner_starts=0.5, latency_min=240, latency_cap_h=96)
        for org in PARTNER_ORGS
    )
    clients = list(CLIENT_ORGS)
    fading = p(clients[0], "fading", rate=0.3, owner_starts=0.5, latency_min=90,
               latency_cap_h=48, active_until=210)
    non_answerer = p(clients[5], "non_answerer")
    owed = (
        p(clients[1], "owed", rate=0.04, latency_min=180, latency_cap_h=48, active_until=20),
        p(clients[3], "owed", non_ascii=True, rate=0.04, latency_min=180, latency_cap_h=48,
          active_until=20),
        p(INTERNAL, "owed", rate=0.04, latency_min=120, latency_cap_h=48, active_until=20),
    )
    awaiting = p(clients[2], "awaiting", rate=0.05, latency_min=45, latency_cap_h=8,
                 active_until=16)
    giver = p(PARTNER_ORGS[5], "giver")
    intro_took = (p(clients[6], "intro", rate=0.02, latency_min=300, latency_cap_h=72),
                  p(clients[7], "intro", rate=0.02, latency_min=300, latency_cap_h=72))
    intro_failed = (p(clients[8], "intro", rate=0.02, latency_min=300, latency_cap_h=72),
                    p(clients[9], "intro", rate=0.02, latency_min=300, latency_cap_h=72))
    introduced = p(clients[10], "introduced", rate=0.06, latency_min=200, latency_cap_h=72,
                   active_from=140)
    two_address, alias, namesakes, idn = _identity_puzzles(namer, clients)
    # One partner's mail system writes their address in mixed case; the address book does not.
    local, _, domain = partners[2].address.partition("@")
    partners = (*partners[:2],
                replace(partners[2], written=".".join(w.capitalize() for w in local.split("."))
                        + "@" + domain.capitalize()),
                *partners[3:])
    tail = _long_tail(rng, p, long_tail)
    posters = tuple(p(rng.choice(CLIENT_ORGS + PARTNER_ORGS), "list_poster") for _ in range(14))
    # Drawn last, so that everyone above stays who they were.
    reach = tuple(p(REACH_ORG, "reach_target") for _ in range(3))
    middle = p(MIDDLE_ORG, "reach_middle")
    return Cast(mentor, close, internal, partners, fading, non_answerer, owed, awaiting, giver,
                intro_took, intro_failed, partners[3], introduced, two_address, alias, namesakes,
                tuple(tail), posters, idn, reach, middle)


def _identity_puzzles(
    namer: _Namer, clients: list[Org]
) -> tuple[Person, Person, tuple[Person, Person], Person]:
    """The people who test identity resolution: two addresses, an alias, namesakes, an IDN."""
    # One person writes from work and from home under the same full name; their vCard lists both.
    first, last = namer.name(non_ascii=True)
    two_address = Person(f"{first} {last}", address_for(first, last, PARTNER_ORGS[3]),
                         PARTNER_ORGS[3], "two_address", rate=0.04, latency_min=300,
                         latency_cap_h=72, alt_address=address_for(first, last, FREEMAIL),
                         alt_share=0.35)
    # Same name, same organisation, two spellings of the address (an alias), no vCard.
    first, last = namer.name(non_ascii=False)
    long_form = address_for(first, last, PARTNER_ORGS[6])
    short_form = f"{ascii_local(first)[0]}{ascii_local(last)}@{PARTNER_ORGS[6].domain}"
    alias = Person(f"{first} {last}", long_form, PARTNER_ORGS[6], "alias", rate=0.03,
                   latency_min=300, latency_cap_h=72, alt_address=short_form, alt_share=0.4)
    # Two different people who share a full name at different organisations: never merge them.
    first, last = namer.name(non_ascii=True)
    namesakes = (
        Person(f"{first} {last}", address_for(first, last, clients[4]), clients[4], "namesake",
               rate=0.015, latency_min=300, latency_cap_h=72),
        Person(f"{first} {last}", address_for(first, last, clients[11]), clients[11],
               "namesake", rate=0.015, latency_min=300, latency_cap_h=72),
    )
    # A firm with an internationalised domain: headers carry xn--, people read Unicode.
    first, last = namer.name(non_ascii=True)
    idn = Person(f"{first} {last}", address_for(first, last, IDN_ORG), IDN_ORG, "idn",
                 rate=0.03, latency_min=240, latency_cap_h=72)
    for person in (two_address, alias, *namesakes, idn):
        namer.addresses.update(person.addresses)
    return two_address, alias, namesakes, idn


def _long_tail(rng: random.Random, p: Callable[..., Person], count: int) -> list[Person]:
    """Occasional contacts, each active for a while somewhere in the 18 months."""
    tail: list[Person] = []
    for _ in range(count):
        org = rng.choice(CLIENT_ORGS + PARTNER_ORGS[2:] + (INTERNAL,))
        span = rng.uniform(60, 548)
        begin = rng.uniform(span, 548)
        threads = rng.choice((1, 1, 2, 2, 3, 4, 6))
        tail.append(p(org, "long_tail", rate=threads / (span * 5 / 7), owner_starts=0.45,
                      latency_min=rng.choice((60, 240, 600, 1440)), latency_cap_h=96,
                      active_from=begin, active_until=begin - span))
    return tail
