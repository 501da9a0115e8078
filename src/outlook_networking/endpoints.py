"""Where credentials may go: the one check for every URL the product sends a password or token to.

A URL is only as safe as the parser that reads it. ``urllib.parse`` reads
``http://192.0.2.2:8099\\@127.0.0.1/`` as a loopback URL, while urllib3 (and so requests and
exchangelib) connects to 192.0.2.2 and sends the ``Authorization`` header there. So a URL is
accepted only if the parsers the product's HTTP clients really use agree on where it leads:

- urllib3's ``parse_url``: requests (and so exchangelib, for EWS) prepares every URL with it;
- httpx's ``URL``: the Graph client;
- ``urllib.parse``: requests picks its connection pool with it, and the rest of the product
  (token scopes, logs) reads hosts with it.

Beyond agreement, a URL must be plain: http or https; no user name or password; no backslash,
space, control or non-ASCII character; no percent-encoding, zone id or trailing dot in the host;
an IP address only in its canonical form (``127.0.0.1``, never ``127.1``, ``0x7f.1`` or
``2130706433``, which resolvers read as loopback and other parsers do not); no fragment. Plain
``http://`` is allowed only on a loopback host: ``localhost`` or a loopback IP address (a test
server); everything else must be https.

This module sits below :mod:`outlook_networking.config` (which checks ``endpoint`` and
``graph_url`` while reading the file) and the connectors (which check again what they are given,
and the links a server sends back). It imports urllib3 and httpx only for their parsers: the
point is to read a URL exactly as the clients will.

Exports: ``Endpoint``, ``check_url``, ``DEFAULT_GRAPH_URL``.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ConfigError, Problem, problem

__all__ = ["DEFAULT_GRAPH_URL", "Endpoint", "check_url"]

DEFAULT_GRAPH_URL = "https://graph.microsoft.com/v1.0"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
# WHATWG's rule: a host whose last label is a number is an IPv4 address in some notation.
_NUMERIC_HOST = re.compile(r"(?:^|.*\.)(?:[0-9]+|0x[0-9a-f]*)$")


@dataclass(frozen=True)
class Endpoint:
    """A checked URL and where it leads, as every parser agrees.

    ``host`` is lower case, an IP address without brackets; ``port`` is explicit or the scheme's
    default; ``loopback`` is true only for ``localhost`` and loopback IP addresses.
    """

    url: str
    scheme: str
    host: str
    port: int
    loopback: bool

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` without a default port: one string for all spellings."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if self.port == _DEFAULT_PORTS[self.scheme] else f":{self.port}"
        return f"{self.scheme}://{host}{port}"


def check_url(url: str, key: str) -> Endpoint:
    """The endpoint ``url`` leads to, if credentials may be sent there.

    Parameters:
        url: the URL as the HTTP client will be given it.
        key: the configuration key it came from, named in the error.

    Raises:
        ConfigError: ``key`` and what is wrong with the URL.
    """
    wrong, endpoint = _read(url)
    if endpoint is None:
        assert wrong is not None
        raise ConfigError(key, wrong)
    if endpoint.scheme == "http" and not endpoint.loopback:
        raise ConfigError(key, problem("url_plain_http"))
    return endpoint


def _read(url: str) -> tuple[Problem | None, Endpoint | None]:
    if not url.isascii():
        return problem("url_non_ascii"), None
    if any(c <= " " or c == "\x7f" for c in url):
        return problem("url_control"), None
    if "\\" in url:
        return problem("url_backslash"), None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return problem("url_port"), None
    scheme = parts.scheme
    if scheme not in _DEFAULT_PORTS or not parts.netloc:
        return problem("url_scheme"), None
    if "@" in parts.netloc:
        return problem("url_userinfo"), None
    if "%" in parts.netloc:
        return problem("url_percent"), None
    if "#" in url:
        return problem("url_fragment"), None
    host = (parts.hostname or "").lower()
    host_problem = _host_problem(host, bracketed=parts.netloc.startswith("["))
    if host_problem is not None:
        return host_problem, None
    if port is None:
        port = _DEFAULT_PORTS[scheme]
    elif not 0 < port < 65536:
        return problem("url_port"), None
    # Imported here: only configurations with accounts have URLs, and httpx is slow to import.
    import httpx
    from urllib3.exceptions import LocationParseError
    from urllib3.util import parse_url

    seen = {"urllib.parse": (scheme, host, port)}
    try:
        other = parse_url(url)
        if other.auth is not None:
            return problem("url_userinfo"), None
        seen["urllib3"] = (
            other.scheme or "",
            (other.host or "").strip("[]").lower(),
            other.port or _DEFAULT_PORTS.get(other.scheme or "", 0),
        )
        parsed = httpx.URL(url)
        if parsed.userinfo:
            return problem("url_userinfo"), None
        seen["httpx"] = (
            parsed.scheme,
            parsed.raw_host.decode("ascii").lower(),
            parsed.port or _DEFAULT_PORTS[scheme],
        )
    except (LocationParseError, httpx.InvalidURL):
        return problem("url_ambiguous"), None
    if len(set(seen.values())) > 1:
        readings = "; ".join(f"{name}: {s}://{h}:{p}" for name, (s, h, p) in seen.items())
        return problem("url_read_differently", readings=readings), None
    return None, Endpoint(url, scheme, host, port, loopback=_is_loopback(host))


def _host_problem(host: str, *, bracketed: bool) -> Problem | None:
    if not host:
        return problem("host_missing")
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return problem("host_not_ipv6", value=host)
        return None
    if host.endswith("."):
        return problem("host_trailing_dot")
    if _NUMERIC_HOST.fullmatch(host):
        try:
            canonical = str(ipaddress.IPv4Address(host)) == host
        except ValueError:
            canonical = False
        if not canonical:
            return problem("host_ipv4_form", value=host)
        return None
    if not all(_LABEL.fullmatch(label) for label in host.split(".")):
        return problem("host_name", value=host)
    return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
