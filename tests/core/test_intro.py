"""Warm introduction paths on small hand-built mailboxes with a fixed ``now``: each kind of
evidence, the ranking, two-step paths, targets, and what must never count."""

from __future__ import annotations

from dataclasses import replace

import pytest

from outlook_networking.core.intro import Introductions, Path, find_paths, intro_json
from outlook_networking.core.ledger import build_ledger
from outlook_networking.core.network import Network
from outlook_networking.core.settings import Settings
from outlook_networking.errors import ConfigError
from outlook_networking.model import Attendee, Flag, Interaction, Mailbox, Response

from .analysis import run
from .builders import ME, OWNER, ago, mail, meeting, reply_to

ANN = "ann@acme.example"  # a close contact of the owner
BOB = "bob@initech.example"  # a weaker one
TESS = "tess@globex.example"  # the target: the owner never wrote to her
CARL = "carl@hooli.example"  # nobody the owner knows


def knows(person: str, exchanges: int, days: float = 10) -> list[Interaction]:
    """Two-way mail between the owner and ``person``: ``exchanges`` questions, each answered."""
    out: list[Interaction] = []
    for n in range(exchanges):
        ask = mail(ME, person, ago(days=days + n, hours=2), subject=f"Question {person} {n}")
        out += [ask, reply_to(ask, ago(days=days + n))]
    return out


def paths(
    items: list[Interaction], query: str = TESS, settings: Settings | None = None
) -> tuple[Network, Introductions]:
    network = run(items, settings=settings)
    ledger = build_ledger(
        items, network.owner, now=network.now, people=network.identities.person_of
    )
    return network, find_paths(network, ledger.items, query, limit=0)


def reasons(path: Path, hop: int = 0) -> dict[str, int]:
    return {r.code: r.count for r in path.hops[hop].reasons}


def only(result: Introductions) -> Path:
    assert len(result.paths) == 1, result.paths
    return result.paths[0]


def copied(sender: str, other: str, days: float) -> Interaction:
    """``sender`` writes to the owner with ``other`` in Cc, in a running thread (a first message
    to the owner naming someone new would read as an introduction: the ledger's rule)."""
    return mail(sender, ME, ago(days=days), cc=[other], subject="Re: Budget")


BASE = [*knows(ANN, 4), *knows(BOB, 1, days=200)]


# --- each kind of evidence ------------------------------------------------------------------


def test_named_together_on_a_message_the_owner_received() -> None:
    network, result = paths([*BASE, copied(ANN, TESS, 5)])
    path = only(result)
    assert path.via == (ANN,) and path.target == TESS and path.steps == 1
    assert reasons(path) == {"together": 1, "near_wrote": 1, "days_since": 5}
    assert path.owner_tier == network.find(ANN).tier.tier  # type: ignore[union-attr]
    assert 0 < path.score < path.owner_score


def test_the_target_writing_to_and_answering_the_intermediary() -> None:
    fyi = mail(TESS, BOB, ago(days=9), cc=[ME, ANN], subject="FYI")
    question = mail(ANN, TESS, ago(days=8), cc=[ME], subject="Pilot")
    answer = replace(reply_to(question, ago(days=7)), cc=(Mailbox(ME),))
    _, result = paths([*BASE, fyi, question, answer])
    ann = next(p for p in result.paths if p.via == (ANN,))
    assert reasons(ann) == {
        "far_replied": 1,
        "far_wrote": 2,
        "together": 3,
        "near_wrote": 1,
        "days_since": 7,
    }
    assert ann.hops[0].evidence == f"{answer.source}:{answer.item_id}"  # the latest, traceable


def test_a_meeting_both_attended() -> None:
    network, result = paths([*BASE, meeting(ANN, [ME, TESS], ago(days=3))])
    path = only(result)
    assert reasons(path) == {"meetings": 1, "days_since": 3}
    # The owner met her too: she is a contact now, and the answer says so.
    assert result.known == (TESS,)
    assert intro_json(network, result)["known"][0]["address"] == TESS


def test_an_introduction_in_the_ledger() -> None:
    intro = mail(ANN, [ME, TESS], ago(days=20), subject="Intro: Tess, meet Alex")
    _, result = paths([*BASE, intro])
    path = only(result)
    assert reasons(path)["near_introduced_you"] == 1
    assert reasons(path)["together"] == 1


def test_more_often_and_more_recently_is_stronger() -> None:
    once_long_ago = copied(ANN, TESS, 300)
    often_lately = [copied(ANN, TESS, d) for d in (3, 5, 8)]
    _, old = paths([*BASE, once_long_ago])
    _, new = paths([*BASE, *often_lately])
    assert only(new).hops[0].strength > only(old).hops[0].strength
    assert reasons(only(old))["days_since"] == 300
    assert reasons(only(new))["together"] == 3


# --- what must not count --------------------------------------------------------------------


def test_a_forty_person_meeting_is_no_evidence() -> None:
    crowd = [f"x{i}@big.example" for i in range(37)]
    _, result = paths([*BASE, meeting(ME, [ANN, TESS, *crowd], ago(days=2))])
    assert result.paths == ()
    # Unless the configuration allows gatherings that big.
    bigger = Settings.from_mapping({"intro": {"max_participants": 50}})
    _, allowed = paths([*BASE, meeting(ME, [ANN, TESS, *crowd], ago(days=2))], settings=bigger)
    assert (ANN,) in [p.via for p in allowed.paths]


def test_a_big_distribution_mail_is_no_evidence() -> None:
    crowd = [f"x{i}@big.example" for i in range(30)]
    _, result = paths([*BASE, mail(ANN, [ME, TESS, *crowd], ago(days=2))])
    assert result.paths == ()


def test_a_list_thread_is_no_evidence_and_a_list_no_person() -> None:
    lst = "dev@lists.example.org"
    listed = frozenset({Flag.LIST})
    post = mail(TESS, lst, ago(days=6), flags=listed, list_id="Dev <dev.lists.example.org>")
    answer = replace(
        reply_to(post, ago(days=5), sender=ANN),
        to=(Mailbox(lst),),
        flags=listed,
        list_id="Dev <dev.lists.example.org>",
    )
    _network, result = paths([*BASE, post, answer])
    assert result.paths == ()  # both reached the owner only through the list
    _, through = paths([*BASE, post, answer], query=lst)
    assert through.paths == ()
    # A list message that names the owner is the owner's mail: its named people count, the list
    # address never does.
    named = replace(answer, to=(Mailbox(TESS), Mailbox(lst)), cc=(Mailbox(ME),))
    _, direct = paths([*BASE, post, named])
    assert only(direct).via == (ANN,)
    assert not any(lst in (*p.via, p.target) for p in direct.paths)


def test_a_list_known_by_its_host_alone_is_no_person() -> None:
    """A second list of the same server, in Cc of a list message that names the owner, is named
    by no List-Id: the host (``lists.``) alone says it is a list. It is never a side of a tie and
    never a target, while the people the message names still are."""
    lst, other = "dev@lists.example.org", "announce@lists.example.org"
    named = mail(
        ANN, [TESS, lst, ME], ago(days=5), cc=[other],
        flags=frozenset({Flag.LIST}), list_id="Dev <dev.lists.example.org>",
    )  # fmt: skip
    network, direct = paths([*BASE, named])
    assert only(direct).via == (ANN,)
    assert set(network.ties.addresses()) == {ANN, TESS}
    _, through = paths([*BASE, named], query=other)
    assert through.paths == () and through.target.people == ()


def test_bcc_names_nobody() -> None:
    hidden = replace(mail(ANN, ME, ago(days=4)), bcc=(Mailbox(TESS),))
    owners = replace(mail(ME, ANN, ago(days=3)), bcc=(Mailbox(TESS),))
    _, result = paths([*BASE, hidden, owners])
    assert result.paths == ()


def test_the_owners_own_mail_puts_nobody_together() -> None:
    _, result = paths([*BASE, mail(ME, [ANN, TESS], ago(days=4), subject="Hello you two")])
    assert result.paths == ()


def test_noise_cancelled_and_declined_are_no_evidence() -> None:
    bulk = replace(copied(ANN, TESS, 4), flags=frozenset({Flag.BULK}))
    cancelled = meeting(ANN, [ME, TESS], ago(days=3), cancelled=True)
    declined = meeting(ANN, [ME], ago(days=2))
    declined = replace(
        declined,
        attendees=(*declined.attendees, Attendee(Mailbox(TESS), Response.DECLINED)),
    )
    _, result = paths([*BASE, bulk, cancelled, declined])
    assert result.paths == ()


def test_mail_someone_else_got_is_not_the_owners() -> None:
    # In the mailbox, but the owner is on none of it (a forward's attachment, a shared folder).
    _, result = paths([*BASE, mail(ANN, TESS, ago(days=4))])
    assert result.paths == ()


def test_excluded_people_are_neither_targets_nor_intermediaries() -> None:
    items = [*BASE, copied(ANN, TESS, 5)]
    no_target = Settings.from_mapping({"exclude": {"domains": ["globex.example"]}})
    assert paths(items, settings=no_target)[1].target.people == ()
    no_ann = Settings.from_mapping({"exclude": {"addresses": [ANN]}})
    assert paths(items, settings=no_ann)[1].paths == ()


def test_one_way_contacts_are_no_intermediaries() -> None:
    # The owner wrote to Dora once and she never answered: no relationship to ask a favour of.
    dora = "dora@acme.example"
    _, result = paths([*BASE, mail(ME, dora, ago(days=30)), copied(dora, TESS, 100)])
    assert result.paths == ()


# --- ranking, two steps, targets ------------------------------------------------------------


def test_the_stronger_tie_of_the_owner_ranks_first_with_equal_evidence() -> None:
    items = [*BASE, copied(ANN, TESS, 5), copied(BOB, TESS, 5)]
    network, result = paths(items)
    assert [p.via for p in result.paths] == [(ANN,), (BOB,)]
    ann, bob = result.paths
    assert ann.hops[0].strength == pytest.approx(bob.hops[0].strength)
    assert ann.owner_score > bob.owner_score and ann.score > bob.score
    doc = intro_json(network, result)
    assert [p["rank"] for p in doc["paths"]] == [1, 2]
    assert doc["paths"][0]["via"][0]["tier"] == network.find(ANN).tier.tier  # type: ignore[union-attr]
    assert {"code": "together", "count": 1} in doc["paths"][0]["hops"][0]["reasons"]


def test_two_steps_only_when_no_one_step_path_exists() -> None:
    ann_carl = mail(CARL, ANN, ago(days=12), cc=[ME], subject="Conference")
    carl_tess = mail(TESS, CARL, ago(days=11), cc=[ME], subject="Speakers")
    network, result = paths([*BASE, ann_carl, carl_tess])
    path = only(result)
    assert path.via == (ANN, CARL) and path.steps == 2
    assert reasons(path, 0)["far_wrote"] == 1 and reasons(path, 1)["far_wrote"] == 1
    assert path.score == pytest.approx(
        path.owner_score * path.hops[0].strength * path.hops[1].strength
    )
    assert intro_json(network, result)["paths"][0]["weaker"] is True
    # Once Bob is seen with Tess, the one-step path is the answer and the two-step one goes.
    _, direct = paths([*BASE, ann_carl, carl_tess, copied(BOB, TESS, 300)])
    assert [p.via for p in direct.paths] == [(BOB,)]


def test_two_step_paths_rank_after_every_one_step_path() -> None:
    # An organisation: Tess is reached in two steps through Ann (strong), Gil in one through
    # Bob (weak); the one-step path still comes first.
    gil = "gil@globex.example"
    items = [
        *BASE,
        mail(CARL, ANN, ago(days=2), cc=[ME]),
        mail(TESS, CARL, ago(days=2), cc=[ME]),
        copied(BOB, gil, 250),
    ]
    _, result = paths(items, query="globex.example")
    assert [(p.via, p.target) for p in result.paths] == [((BOB,), gil), ((ANN, CARL), TESS)]
    assert result.paths[1].score > result.paths[0].score  # ranked by steps first


def test_targets_by_organisation_name_and_domain() -> None:
    items = [*BASE, copied(ANN, TESS, 5), copied(ANN, CARL, 6)]
    for query in ("globex.example", "Globex", "GLOBEX.example"):
        _, result = paths(items, query=query)
        assert result.target.kind == "organisation", query
        assert result.target.people == (TESS,)
    _, named = paths(items, query="Tess")  # the display name the builders give her
    assert named.target.kind == "name" and named.target.people == (TESS,)
    _, nobody = paths(items, query="Nobody Atall")
    assert nobody.target.people == () and nobody.paths == ()


def test_a_subdomain_belongs_to_the_organisation() -> None:
    sub = "una@research.globex.example"
    _, result = paths([*BASE, copied(ANN, sub, 5)], query="globex.example")
    assert only(result).target == sub


def test_the_config_key_is_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_mapping({"intro": {"max_participants": 1}})
    assert caught.value.key == "intro.max_participants"
    with pytest.raises(ConfigError):
        Settings.from_mapping({"intro": {"max_people": 5}})
    assert Settings().intro_max_participants == 20


def test_nothing_about_the_owner_themself() -> None:
    _, result = paths([*BASE, copied(ANN, TESS, 5)], query=ME)
    assert result.target.people == () and result.paths == ()
    assert ME in OWNER
