"""The Outlook add-in: a relationship card for the sender of the open message.

Outlook shows a task pane (``static/taskpane.html``) that the local card server (``server``)
serves over HTTPS on 127.0.0.1 with a local certificate (``cert``); the manifest (``manifest``)
tells Outlook where to find it. The CLI wires ``serve`` to the store.

Exports ``serve``, ``AddinServer``, ``CardFor``, ``create_certificate``, ``ca_path``,
``trust_instructions``, ``render_manifest``, ``write_manifest`` and ``DEFAULT_PORT``.
"""

from __future__ import annotations

from outlook_networking.addin.cert import ca_path, create_certificate, trust_instructions
from outlook_networking.addin.manifest import DEFAULT_PORT, render_manifest, write_manifest
from outlook_networking.addin.server import AddinServer, CardFor, serve

__all__ = [
    "DEFAULT_PORT",
    "AddinServer",
    "CardFor",
    "ca_path",
    "create_certificate",
    "render_manifest",
    "serve",
    "trust_instructions",
    "write_manifest",
]
