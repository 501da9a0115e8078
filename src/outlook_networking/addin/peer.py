"""Who is on the other end of a loopback TCP connection: the one check no header can forge.

The card server listens on 127.0.0.1, which every local process can reach, whoever runs it. On
Linux the kernel's socket table (``/proc/net/tcp``) names the user owning each socket, so the
server can refuse connections from processes of other users before it reads a byte. Other
platforms have no such table within reach of the standard library; there the check answers
"unknown" and the server relies on what docs/security.md describes.

Exports: ``peer_uid``, ``SUPPORTED``.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

__all__ = ["SUPPORTED", "peer_uid"]

SUPPORTED = sys.platform == "linux"
_TABLE = Path("/proc/net/tcp")
_TIME_WAIT = "06"  # a closed socket of an earlier connection: no owner any more


def _hex(address: tuple[str, int]) -> str:
    # The kernel prints the IPv4 address as the native-endian number of its network-order bytes.
    number = int.from_bytes(socket.inet_aton(address[0]), sys.byteorder)
    return f"{number:08X}:{address[1]:04X}"


def peer_uid(client: tuple[str, int], server: tuple[str, int]) -> int | None:
    """The user id owning the client's end of the connection ``client`` → ``server``.

    Parameters:
        client: the peer's IPv4 address and port, as ``accept()`` returned them.
        server: the listening socket's address and port.

    Returns:
        The uid, or None if the platform has no socket table or the connection is not in it.
    """
    if not SUPPORTED:
        return None
    local, remote = _hex(client), _hex(server)
    try:
        with _TABLE.open(encoding="ascii") as table:
            next(table, None)  # the column headings
            for line in table:
                fields = line.split()
                if (
                    len(fields) > 7
                    and fields[1] == local
                    and fields[2] == remote
                    and fields[3] != _TIME_WAIT
                ):
                    return int(fields[7])
    except (OSError, ValueError):
        return None
    return None
