"""Sites without feeds: article links on section and home pages, and feed autodiscovery.

An article URL, as news sites spell them, sits on the same site, below the root, and carries
a date (/2026/11/24/, 2026-11-24) or a slug of several words or a long numeric id; it is not a
tag, category, author, account or static asset page. The page itself decides later
(extraction flags NOT_AN_ARTICLE), so the heuristic may err towards keeping.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from newsingest.discovery.model import Candidate, DocumentParse
from newsingest.discovery.urls import canonicalize, same_site
from newsingest.models import EntryHints

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json",
     "application/json"}
)  # fmt: skip
NOT_ARTICLE_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "author", "authors", "about", "login", "signin", "sign-in",
     "logout", "register", "signup", "subscribe", "account", "search", "contact", "privacy", "terms",
     "cookies", "newsletter", "newsletters", "feed", "feeds", "rss", "topic", "topics", "page", "static",
     "assets", "wp-admin", "wp-content", "wp-json", "cdn-cgi", "help", "careers", "jobs", "advertise"}
)  # fmt: skip
ASSET_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".ico", ".css", ".js", ".json", ".xml", ".rss",
    ".pdf", ".zip", ".mp3", ".mp4", ".webm", ".woff", ".woff2", ".txt",
)  # fmt: skip
# The last path segments of a feed address under the page it belongs to (/2026/11/24/slug/feed/).
FEED_SEGMENTS = frozenset(
    {"feed", "feeds", "rss", "rss2", "atom", "feed.xml", "rss.xml", "atom.xml", "index.xml", "feed.json"}
)
_COMMENTS = re.compile(r"comment|comentari|kommentar|reactie", re.IGNORECASE)
_DATE = re.compile(r"(?:^|/)(?:19|20)\d{2}(?:/|-)(?:0?[1-9]|1[0-2])(?:/|-|$)")
_LONG_ID = re.compile(r"\d{5,}")
_SLUG_WORDS = re.compile(r"[a-z0-9\u00c0-\uffff]+", re.IGNORECASE)
MIN_SLUG_WORDS = 3
MAX_LINKS_READ = 5_000  # a busy home page has a few hundred; a 5 MB link farm has 90,000 (minutes of work)


def _parse_html(html: bytes, url: str):
    try:
        return lxml.html.document_fromstring(html, base_url=url)
    except (etree.ParserError, ValueError):
        return None


def _base(doc, url: str) -> str:
    """A <base href> changes what relative links mean."""
    base = doc.find(".//base[@href]")
    return urljoin(url, base.get("href").strip()) if base is not None else url


def find_feeds(html: bytes, url: str) -> list[str]:
    """Site and section feeds a page announces with <link rel="alternate" type="...">, in page order."""
    doc = _parse_html(html, url)
    return _find_feeds(doc, url) if doc is not None else []


def _find_feeds(doc, url: str) -> list[str]:
    base = _base(doc, url)
    feeds: list[str] = []
    for link in doc.iterfind(".//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in FEED_TYPES:
            feed = urljoin(base, link.get("href").strip())
            if feed.startswith(("http://", "https://")) and feed not in feeds and _lists_articles(feed, link):
                feeds.append(feed)
    return feeds


def _lists_articles(feed: str, link) -> bool:
    """Comment feeds and one article's own feed (blog engines announce both on every post) list no new
    articles: a feed titled or addressed as comments, or one whose address is an article's plus /feed."""
    parts = urlsplit(feed)
    if _COMMENTS.search(link.get("title") or "") or _COMMENTS.search(f"{parts.path}?{parts.query}"):
        return False
    segments = [s for s in parts.path.split("/") if s]
    while segments and segments[-1].lower() in FEED_SEGMENTS:
        segments.pop()
    return not (segments and is_article_url(f"{parts.scheme}://{parts.netloc}/{'/'.join(segments)}/"))


def section_links(html: bytes, url: str) -> DocumentParse:
    """Links that look like articles, in page order, one per canonical URL."""
    doc = _parse_html(html, url)
    if doc is None:
        return DocumentParse("html", [], ["not HTML: the page could not be parsed"])
    return _section_links(doc, url)


def _section_links(doc, url: str) -> DocumentParse:
    base = _base(doc, url)
    page = canonicalize(url)
    seen: set[str] = set()
    candidates: list[Candidate] = []
    problems: list[str] = []
    for index, anchor in enumerate(doc.iterfind(".//a[@href]")):
        if index >= MAX_LINKS_READ:
            problems.append(f"more than {MAX_LINKS_READ} links: the rest of the page is not read")
            break
        link = canonicalize(anchor.get("href"), base=base)
        if not link or link == page or link in seen or not same_site(link, url) or not is_article_url(link):
            continue
        seen.add(link)
        title = " ".join(anchor.text_content().split()) or None
        candidates.append(Candidate(link, "section", EntryHints(title=title)))
    if not candidates:
        problems.append("no article-like links on the page")
    return DocumentParse("html", candidates, problems, feeds=_find_feeds(doc, url))


def is_article_url(url: str) -> bool:
    path = urlsplit(url).path
    segments = [s for s in path.lower().split("/") if s]
    if not segments or path.lower().endswith(ASSET_SUFFIXES):
        return False
    if any(segment in NOT_ARTICLE_SEGMENTS for segment in segments):
        return False
    if _DATE.search(path):
        return True
    last = segments[-1].rsplit(".", 1)[0] if segments[-1].endswith((".html", ".htm")) else segments[-1]
    if len(_SLUG_WORDS.findall(last)) >= MIN_SLUG_WORDS and ("-" in last or "_" in last):
        return True
    return len(segments) >= 2 and bool(_LONG_ID.search(segments[-1]))
