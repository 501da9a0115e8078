"""Opt-in: the connectors against a real mailbox. Skipped (and not counted) unless configured.

Set ``OUTLOOK_NETWORKING_LIVE_CONFIG`` to a config file whose first account is a real mailbox the
tester may read (``auth = "token"`` with ``OUTLOOK_NETWORKING_ACCESS_TOKEN``, or a signed-in
``oauth`` account). The test reads only: a full sync into a throwaway store, then a second sync
that must find nothing new, and a dry-run plan. Set ``OUTLOOK_NETWORKING_LIVE_WRITE=1`` as well to
apply the plan and undo it again, which must leave the mailbox as it was.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from outlook_networking.app.analysis import analyse_store
from outlook_networking.app.connect import connect
from outlook_networking.app.pipeline import apply_plan, plan_account, sync_source, undo
from outlook_networking.config import load_config
from outlook_networking.i18n import category_scheme, wording_for
from outlook_networking.store import Store

CONFIG = os.environ.get("OUTLOOK_NETWORKING_LIVE_CONFIG")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not CONFIG, reason="no OUTLOOK_NETWORKING_LIVE_CONFIG: live test not run"),
]


def test_live_sync_is_incremental_and_plans(store: Store) -> None:
    config = load_config(Path(str(CONFIG)))
    account = config.accounts[0]
    connection = connect(account, todo_list=config.writeback.todo_list)
    try:
        first = sync_source(store, connection.source)
        assert first.items > 0, "the live mailbox should hold some mail"
        again = sync_source(store, connection.source)
        assert again.written == 0
        store.set_owner([account.address.lower()], "given")
        network = analyse_store(store, config, datetime.now(UTC)).network
        actions = plan_account(store, network, config, account, connection.sink)
        if os.environ.get("OUTLOOK_NETWORKING_LIVE_WRITE") == "1":
            report = apply_plan(store, connection.sink, actions, run_id="live")
            assert report.complete, report.error
            assert not plan_account(store, network, config, account, connection.sink)
            scheme = category_scheme(config, wording_for(config))
            assert undo(store, connection.sink, scheme).complete
    finally:
        connection.close()
