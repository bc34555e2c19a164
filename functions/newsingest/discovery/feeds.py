"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed through json.

Before feedparser sees the bytes, defusedxml parses them with entity declarations and external
references forbidden: that is the guard against XML bombs and XXE. A plain DOCTYPE stays
allowed because RSS 0.91 feeds carry one. XML that defusedxml cannot parse (truncated,
mis-encoded) still goes to feedparser, whose lenient parser keeps what it can; the problem
is recorded.

feedparser raises on a character reference outside Unicode (`&#x110000;`, a surrogate), so
those are replaced by U+FFFD first; anything else it raises on costs this document with the
reason recorded, never the source's other documents. Each entry is taken on its own: one
entry with an unusable link is skipped with its reason, the rest go on.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from urllib.parse import urljoin
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

from newsingest.discovery.model import Candidate, DocumentParse
from newsingest.discovery.sniff import looks_like_html, looks_like_json
from newsingest.discovery.urls import canonicalize
from newsingest.models import EntryHints

JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")
_CHAR_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,24}));")


def parse_feed(body: bytes, url: str) -> DocumentParse:
    """Candidates from a feed document; never raises on bad input."""
    if looks_like_json(body):
        return _parse_json_feed(body, url)
    if looks_like_html(body):
        return DocumentParse("unknown", [], ["not a feed: the body is an HTML page"])
    unsafe, malformed = xml_check(body)
    if unsafe:
        return DocumentParse("feed", [], [unsafe])
    problems = [malformed] if malformed else []
    try:
        parsed = feedparser.parse(
            without_bad_references(body),
            response_headers={"content-location": url},
            resolve_relative_uris=False,
            sanitize_html=False,
        )  # entry bodies are not used here: the article page is fetched and extracted later
    except Exception as err:
        return DocumentParse("unknown", [], [*problems, f"feed parser failed: {type(err).__name__}: {err}"])
    if not parsed.get("version") and not parsed.entries:
        return DocumentParse("unknown", [], [*problems, "not a feed: no RSS, Atom or JSON Feed root"])
    candidates = _Collector(url, problems)
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link") or _url_like(entry.get("id"))
        hints = EntryHints(
            title=_text(entry.get("title")),
            published_at=_from_struct(entry.get("published_parsed")),
            modified_at=_from_struct(dict.get(entry, "updated_parsed")),
        )
        candidates.add(index, link, entry.get("id"), hints, dict.get(entry, "updated"))
    return DocumentParse("feed", candidates.found, problems)


def without_bad_references(body: bytes) -> bytes:
    """Numeric character references that name no character (beyond U+10FFFF, surrogates, NUL) -> U+FFFD."""

    def replace(match: re.Match) -> bytes:
        hex_digits, digits = match.groups()
        code = int(hex_digits, 16) if hex_digits else int(digits)
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return b"&#xFFFD;"
        return match.group(0)

    return _CHAR_REFERENCE.sub(replace, body)


def xml_check(body: bytes) -> tuple[str | None, str | None]:
    """(why the XML is unsafe, why it is malformed): one strict, defused parse answers both."""
    try:
        SafeET.fromstring(body, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        return f"rejected: the XML declares entities or external references ({type(err).__name__})", None
    except (ParseError, ValueError, LookupError) as err:
        return None, f"malformed XML ({err}); kept the entries a lenient parse could read"
    return None, None


class _Collector:
    """Entries in order, one per URL and per GUID: feeds repeat both."""

    def __init__(self, base: str, problems: list[str]):
        self.base = base
        self.problems = problems
        self.found: list[Candidate] = []
        self._seen: set[str] = set()

    def add(self, index: int, link, guid, hints: EntryHints, revision: str | None) -> None:
        if not isinstance(link, str) or not link.strip():
            self.problems.append(f"entry {index}: no link")
            return
        try:
            absolute = urljoin(self.base, link.strip())
            absolute.encode("utf-8")  # a lone surrogate (JSON "\ud800") can be neither canonicalised nor sent
        except (ValueError, UnicodeError) as err:
            self.problems.append(f"entry {index}: unusable link ({type(err).__name__}); skipped")
            return
        keys = {canonicalize(absolute) or absolute}
        if isinstance(guid, str) and guid:
            keys.add(f"guid:{guid}")
        if keys & self._seen:
            self.problems.append(f"entry {index}: duplicate of an earlier entry ({absolute})")
            return
        self._seen |= keys
        self.found.append(Candidate(absolute, "feed", hints, revision))


def _parse_json_feed(body: bytes, url: str) -> DocumentParse:
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        return DocumentParse("unknown", [], [f"not a JSON Feed: invalid JSON ({err})"])
    if not isinstance(doc, dict) or doc.get("version") not in JSON_FEED_VERSIONS:
        return DocumentParse("unknown", [], ["not a JSON Feed: missing or unknown 'version'"])
    items = doc.get("items")
    if not isinstance(items, list):
        return DocumentParse("feed", [], ["JSON Feed without an 'items' list"])
    problems: list[str] = []
    candidates = _Collector(url, problems)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            problems.append(f"entry {index}: not an object")
            continue
        hints = EntryHints(
            title=_text(item.get("title")),
            published_at=_from_iso(item.get("date_published")),
            modified_at=_from_iso(item.get("date_modified")),
        )
        link = item.get("url") or _url_like(item.get("id"))
        candidates.add(index, link, item.get("id"), hints, _text(item.get("date_modified")))
    return DocumentParse("feed", candidates.found, problems)


def _url_like(value) -> str | None:
    """A GUID may be the permalink (RSS isPermaLink, JSON Feed ids); only then is it a link."""
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def _text(value) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser normalises parsed dates to UTC struct_time."""
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _from_iso(value) -> datetime | None:
    """RFC 3339 as JSON Feed requires; a date without a zone is taken as UTC."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
