"""Refuse requests to addresses that are not on the public internet (SSRF guard).

URLs come from feeds and pages written by strangers, and a Lambda can reach the
instance metadata service, the VPC and localhost. Every address a host name
resolves to is checked, because an attacker controls which one a client picks.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = ("http", "https")

_CGNAT = ipaddress.ip_network("100.64.0.0/10")

# Most specific first, so the message names the class an operator recognises.
# Python 3.12.1's `is_global` still calls multicast, site-local and 6to4 global,
# hence the explicit tests before the catch-all.
_CLASSES: tuple[tuple[str, Callable[[IPAddress], bool]], ...] = (
    ("unspecified", lambda a: a.is_unspecified),
    ("loopback", lambda a: a.is_loopback),
    ("link-local", lambda a: a.is_link_local),
    ("multicast", lambda a: a.is_multicast),
    ("shared (CGNAT)", lambda a: a in _CGNAT),
    ("site-local", lambda a: isinstance(a, ipaddress.IPv6Address) and a.is_site_local),
    ("reserved", lambda a: a.is_reserved),
    ("private", lambda a: a.is_private),
    ("non-global", lambda a: not a.is_global),
)


class BlockedAddress(Exception):
    """The URL would reach an address we must not talk to."""


def check_ip(ip: str, allow: Sequence[str] = (), port: int | None = None) -> None:
    """Raise BlockedAddress unless `ip` is public or inside an `allow` entry.

    Allow entries are IPs, CIDRs or host names (a name allows the addresses it
    resolves to), each optionally with `:port` (`[v6]:port` for IPv6) to allow that port
    only; they exist for the local runtime and tests, never for production. The local
    runtime lists its sites' ports, so 127.0.0.1's other services (the embedded AWS
    endpoint) stay out of a hostile page's reach.
    """
    address = ipaddress.ip_address(ip)
    label = _blocked_class(address)
    if label is None or _allowed(address, allow, port):
        return
    where = f"{ip}:{port}" if port is not None else ip
    raise BlockedAddress(f"{where} is a {label} address, not a public one")


def check_url(url: str, allow: Sequence[str] = ()) -> list[str]:
    """Check the scheme and every address the host resolves to; return those addresses.

    The caller must connect to one of the returned addresses, not resolve again:
    a second lookup could answer differently (DNS rebinding).
    Raises ValueError for a URL we do not fetch, BlockedAddress for a forbidden
    address, and socket.gaierror when the name does not resolve.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ValueError(f"unsupported scheme {scheme or '(none)'!r}: only http and https are fetched")
    try:
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # a port that is not a number or out of range
        raise ValueError(f"bad URL {url!r}: {exc}") from exc
    if not host:
        raise ValueError(f"bad URL {url!r}: no host")
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve(host, port)
    for address in addresses:
        check_ip(address, allow, port)
    return addresses


def resolve(host: str, port: int) -> list[str]:
    """All addresses of `host`, in the resolver's order of preference, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _blocked_class(address: IPAddress) -> str | None:
    if isinstance(address, ipaddress.IPv6Address):
        # Addresses that carry an IPv4 address are judged by it: ::ffff:10.0.0.1 is 10.0.0.1.
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            label = _blocked_class(embedded)
            return f"{label} (embedded in IPv6)" if label else None
    return next((label for label, is_in in _CLASSES if is_in(address)), None)


def split_port(entry: str) -> tuple[str, int | None]:
    """'127.0.0.1:8001' -> ('127.0.0.1', 8001); '[::1]:8001' -> ('::1', 8001); '::1' -> ('::1', None)."""
    entry = entry.strip()
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = rest.removeprefix(":")
        return host, int(port) if port.isdigit() else None
    host, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and ":" not in host:
        return host, int(port)
    return entry, None


def _allowed(address: IPAddress, allow: Sequence[str], port: int | None = None) -> bool:
    candidates = {address}
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        candidates.add(address.ipv4_mapped)
    for item in allow:
        entry, only_port = split_port(item)
        if only_port is not None and only_port != port:
            continue
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            if any(str(a) in _addresses_of(entry) for a in candidates):
                return True
            continue
        if any(a.version == network.version and a in network for a in candidates):
            return True
    return False


def _addresses_of(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(a)) for a in resolve(host, 0)]
    except OSError:
        return []
