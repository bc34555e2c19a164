"""One entry point for any discovery URL: the body decides what it is, not the config slot.

Operators paste a homepage where a feed belongs and a feed where a homepage belongs, and
servers send feeds as text/html or sitemaps as application/octet-stream. So the first
element of the body is sniffed; the Content-Type only breaks ties.
"""

from __future__ import annotations

from datetime import datetime

from newsingest.discovery.feeds import parse_feed
from newsingest.discovery.links import section_links
from newsingest.discovery.model import DocumentParse
from newsingest.discovery.sitemaps import inflated_head, parse_sitemap, parse_text_sitemap
from newsingest.discovery.sniff import looks_like_html, looks_like_json, looks_like_url_list, root_element

SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})


def parse_document(
    body: bytes, url: str, content_type: str | None, *, limit: int = 50_000, since: datetime | None = None
) -> DocumentParse:
    """Feed, sitemap (XML or text, plain or gzip) or HTML page, whichever the body is; never raises.

    Each parser skips bad entries with a reason; what a parser still raises on costs this one
    document, recorded as a problem, never the source's other documents.
    """
    try:
        return _parse(body, url, content_type, limit, since)
    except Exception as err:  # a stranger's bytes must not fail the whole discovery run
        return DocumentParse("unknown", [], [f"unparseable document ({type(err).__name__}: {err})"])


def _parse(body: bytes, url: str, content_type: str | None, limit: int, since: datetime | None) -> DocumentParse:
    if not body.strip():
        return DocumentParse("unknown", [], ["empty body"])
    if looks_like_url_list(inflated_head(body)):
        return parse_text_sitemap(body, url, limit=limit)
    if body[:2] == b"\x1f\x8b":
        return parse_sitemap(body, url, limit=limit, since=since)
    if looks_like_json(body):
        return parse_feed(body, url)
    root = root_element(body)
    if root in SITEMAP_ROOTS:
        return parse_sitemap(body, url, limit=limit, since=since)
    if root in FEED_ROOTS:
        return parse_feed(body, url)
    if looks_like_html(body) or _is_html_type(content_type):
        return section_links(body, url)
    parsed = parse_feed(body, url)
    parsed.problems.insert(0, f"unrecognised document (first element {root!r}); tried it as a feed")
    return parsed


def _is_html_type(content_type: str | None) -> bool:
    return (content_type or "").split(";")[0].strip().lower() in {"text/html", "application/xhtml+xml"}
