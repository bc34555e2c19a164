"""URL canonicalisation: one article, one URL, however a feed, sitemap or page spelled it.

courlan does the scheme/host/port/path normalisation (lower case, default ports, punycode,
percent-encoding). Query parameters we filter ourselves: courlan's tracker regex also drops
ordinary parameters such as `game`, `gallery` or `source`, and merging two different
articles into one URL loses an article, which is worse than fetching a duplicate.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "mtm_", "_hs", "hsa_", "oly_", "vero_", "ga_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "igsh", "mkt_tok", "_ga", "_gl", "s_cid", "ncid", "cmpid", "ito", "spm",
    }
)  # fmt: skip
_AMP_PARAMS = {"amp": {"1", "true", ""}, "outputtype": {"amp"}}
_AMP_SUFFIX = re.compile(r"/amp(/?)$")  # WordPress: /slug/amp/ -> /slug/; others: /slug/amp -> /slug
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_HOST = re.compile(r"^[\w.-]+$")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize(url: str, base: str | None = None) -> str | None:
    """The canonical spelling of an http(s) URL, or None when it is not one."""
    try:
        joined = urljoin(base, url.strip()) if base else url.strip()
        joined.encode("utf-8")  # lone surrogates (from JSON or a mis-decoded page) make no URL
        parts = urlsplit(joined)
        port = parts.port
    except (ValueError, UnicodeError, TypeError, AttributeError):
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host or not _HOST.match(host):
        return None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _AMP_SUFFIX.sub(r"\1", _resolve_dots(parts.path)) or "/"
    query = _clean_query(parts.query)
    try:
        normal = normalize_url(urlunsplit((scheme, netloc, path, "", "")))
    except (ValueError, UnicodeError):
        return None
    normal = _PERCENT.sub(lambda m: m.group(0).upper(), normal)
    return f"{normal}?{query}" if query else normal


def _resolve_dots(path: str) -> str:
    """Apply '.' and '..' segments (RFC 3986 5.2.4); urljoin does it for a relative reference."""
    if "/." not in path:
        return path
    return urlsplit(urljoin("http://h/", path)).path


def _clean_query(query: str) -> str:
    """Parameters sorted, without trackers or AMP switches."""
    kept = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        lower = name.lower()
        if lower in _AMP_PARAMS and value.lower() in _AMP_PARAMS[lower]:
            continue
        if lower not in _TRACKING_NAMES and not lower.startswith(_TRACKING_PREFIXES):
            kept.append((name, value))
    return urlencode(sorted(kept))


def _site(url: str) -> tuple[str, int | None] | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, UnicodeError):
        return None
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    if not host:
        return None
    if port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return host, port


def same_site(url: str, other: str) -> bool:
    """Same host, ignoring a leading 'www.'; an explicit non-default port counts."""
    site = _site(url)
    return site is not None and site == _site(other)


def prefer_page_canonical(fetched_url: str, page_canonical: str | None) -> str:
    """The page's own rel=canonical wins when it is usable and on the same site.

    This is what merges www/non-www and http/https variants: both pages name one canonical.
    A canonical on another site is ignored (syndicated copies, or a hostile page claiming
    another site's URL), so the article stays attributed to where we found it.
    """
    fetched = canonicalize(fetched_url) or fetched_url
    if not page_canonical:
        return fetched
    candidate = canonicalize(page_canonical, base=fetched_url)
    if candidate and same_site(candidate, fetched):
        return candidate
    return fetched
