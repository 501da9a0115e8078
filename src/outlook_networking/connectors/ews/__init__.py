"""The Exchange (EWS) connector, through exchangelib: the only package that imports it.

- :class:`EwsSource` reads every mail folder (Inbox, Sent Items, Archive, the user's folders;
  not Junk, Drafts, Outbox, Deleted Items, ...), Calendar (expanded within a window) and
  Contacts incrementally with SyncFolderItems, one batch per page, the SyncState as cursor.
- :class:`EwsSink` writes the master category list, categories on contacts (and messages), the
  product's follow-up tasks and contacts.
- :func:`connect` gives both for a configured account. :func:`open_account` builds the
  exchangelib ``Account`` (OAuth token provider via :class:`TokenCredentials`, NTLM/basic
  password); :class:`Edge` retries what exchangelib leaves to the caller and maps its errors
  into :mod:`outlook_networking.errors`.

Exports: ``EwsSource``, ``EwsSink``, ``connect``, ``source_name``, ``open_account``,
``TokenCredentials``, ``Edge``, ``map_error``, ``FOLDERS``,
``PRODUCT_PROPERTY_SET``.
"""

from __future__ import annotations

from .account import TokenCredentials, open_account
from .connect import connect, source_name
from .edge import Edge, map_error
from .properties import PRODUCT_PROPERTY_SET
from .sink import EwsSink
from .source import FOLDERS, EwsSource

__all__ = [
    "FOLDERS",
    "PRODUCT_PROPERTY_SET",
    "Edge",
    "EwsSink",
    "EwsSource",
    "TokenCredentials",
    "connect",
    "map_error",
    "open_account",
    "source_name",
]
