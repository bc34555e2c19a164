"""What a body is, from its first bytes: servers' Content-Type headers are too often wrong."""

from __future__ import annotations

import re

_FIRST_ELEMENT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_SKIPPED = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>", re.S)
_WHITESPACE_AND_BOM = b"\xef\xbb\xbf \t\r\n"
SNIFF_BYTES = 8192


def looks_like_url_list(body: bytes) -> bool:
    """A text sitemap: the sitemap protocol's other format, one absolute URL per line."""
    return body.lstrip(_WHITESPACE_AND_BOM)[:8].lower().startswith((b"http://", b"https://"))


def looks_like_json(body: bytes) -> bool:
    return body.lstrip(_WHITESPACE_AND_BOM)[:1] in (b"{", b"[")


def looks_like_html(body: bytes) -> bool:
    """An HTML page where a feed or sitemap was expected (a homepage given as a feed URL)."""
    head = body.lstrip(_WHITESPACE_AND_BOM)[:16].lower()
    return head.startswith(b"<!doctype html") or root_element(body) == "html"


def root_element(body: bytes) -> str | None:
    """Local name of the first element, lower case, past the XML declaration, DOCTYPE and comments."""
    match = _FIRST_ELEMENT.search(_SKIPPED.sub(b"", body[:SNIFF_BYTES]))
    if not match:
        return None
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower()
