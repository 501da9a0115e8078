"""One Message-ID, one form: Graph's ``internetMessageId`` carries angle brackets, the files'
and EWS's readers drop them, and so must everything read over Graph (the source and the sink's
``read_messages``), or one message read by two backends would be two, and a decline or a moved
message found by its Message-ID would be missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from outlook_networking.app.pipeline import sync_source
from outlook_networking.connectors.graph import GraphClient, GraphSink, GraphSource
from outlook_networking.core.threads import pair_replies
from outlook_networking.sources.filesource import FileSource
from outlook_networking.store import Store
from servers.graph import GraphServer

ME, ANN = "me@example.com", "ann@partner.example"
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
PARENT = "budget-2027@example.com"


def _eml(folder: Path) -> Path:
    """The owner's question to Ann, as an exported .eml (a file's Message-ID has brackets)."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = ME, ANN, "Budget 2027"
    message["Date"] = format_datetime(T0)
    message["Message-ID"] = f"<{PARENT}>"
    message.set_content("The numbers?")
    folder.mkdir()
    path = folder / "question.eml"
    path.write_bytes(bytes(message))
    return folder


def test_a_reply_read_over_graph_pairs_with_its_parent_read_from_a_file(
    server: GraphServer, client: GraphClient, tmp_path: Path
) -> None:
    server.add_message(
        "inbox", subject="Re: Budget 2027", sender=ANN, to=[ME],
        sent=T0 + timedelta(hours=2), received=T0 + timedelta(hours=2),
        internet_message_id="<answer@partner.example>", in_reply_to=f"<{PARENT}>",
    )  # fmt: skip
    copy = server.add_message(  # the question's copy in Sent Items, as Outlook keeps it
        "sentitems", subject="Budget 2027", sender=ME, to=[ANN], sent=T0, received=T0,
        internet_message_id=f"<{PARENT}>",
    )  # fmt: skip
    with Store.open(tmp_path / "network.sqlite3") as store:
        sync_source(store, FileSource([_eml(tmp_path / "export")]))
        sync_source(store, GraphSource(client, name="graph:work", folders=("inbox",)))
        stored = {i.subject: i for i in store.interactions()}
        assert stored["Budget 2027"].message_id == PARENT  # the file's, without brackets
        assert stored["Re: Budget 2027"].message_id == "answer@partner.example"
        assert stored["Re: Budget 2027"].in_reply_to == PARENT
        (reply,) = pair_replies(store.interactions())
        assert (reply.parent.subject, reply.child.subject, reply.method) == (
            "Budget 2027", "Re: Budget 2027", "in_reply_to",
        )  # fmt: skip
    # The sink reads the Sent Items copy's Message-ID in the same form the file gave it.
    read = GraphSink(client, name="graph:work").read_messages([(copy, PARENT)])
    assert read[copy].message_id == PARENT
