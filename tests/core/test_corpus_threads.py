"""On the SpamAssassin corpus, every message whose In-Reply-To names another message of the
corpus is paired to that parent; the expected pairs are computed here independently with the
standard library's mailbox module."""

from __future__ import annotations

import gzip
import mailbox
import re
import shutil
from pathlib import Path

import pytest

from outlook_networking.core.threads import analyse_threads, normalise_message_id
from outlook_networking.sources import FileSource

CORPUS = "spamassassin-easy-ham-1-and-spam-2.mbox.gz"
_ID = re.compile(r"<([^<>]+)>")


def _first_id(value: object) -> str | None:
    # Folded headers leave whitespace inside an id ("...mithral.c om"); it is no part of it.
    match = _ID.search(str(value or ""))
    return "".join(match.group(1).split()) if match else None


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> Path:
    path = shared_dir / "corpora" / CORPUS
    if not path.exists():
        pytest.fail(f"{path} is missing")
    return path


def expected_pairs(path: Path, tmp: Path) -> set[tuple[str, str]]:
    plain = tmp / "corpus.mbox"
    with gzip.open(path, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    ids: set[str] = set()
    links: list[tuple[str, str]] = []
    box = mailbox.mbox(plain, create=False)
    try:
        for message in box:
            own = _first_id(message.get("Message-ID"))
            parent = _first_id(message.get("In-Reply-To"))
            if own:
                ids.add(own)
                if parent and parent != own:
                    links.append((own, parent))
    finally:
        box.close()
    return {(child, parent) for child, parent in links if parent in ids}


def test_every_in_reply_to_within_the_corpus_is_paired(corpus: Path, tmp_path: Path) -> None:
    expected = expected_pairs(corpus, tmp_path)
    assert len(expected) == 692

    items = [i for batch in FileSource([corpus]).read({}) for i in batch.interactions]
    threads = analyse_threads(items)
    paired = {
        (normalise_message_id(r.child.message_id), normalise_message_id(r.parent.message_id))
        for r in threads.replies
        if r.method == "in_reply_to"
    }
    assert paired == expected
    # Nothing paired by In-Reply-To to a message other than the one it names.
    for reply in threads.replies:
        if reply.method == "in_reply_to":
            assert normalise_message_id(reply.child.in_reply_to) == normalise_message_id(
                reply.parent.message_id
            )
