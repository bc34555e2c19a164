"""Sitemaps (XML or text), sitemap indexes and Google News sitemaps, streamed.

lxml's iterparse reads the document element by element and each <url> is cleared once read,
so a 50,000-URL sitemap costs its bytes plus one entry, not a tree. Nothing is fetched from
the network and entities are not resolved; a document declaring entities in its first 4 KiB
is rejected with that reason, and one that hides them deeper trips libxml2's amplification
guard and is reported as malformed. Gzip bodies are inflated as they are read, capped at 64 MiB: the sitemap
protocol allows 50 MB uncompressed, so more than that is a gzip bomb.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urljoin

from lxml import etree

from newsingest.discovery.model import Candidate, DocumentParse
from newsingest.models import EntryHints

MAX_INFLATED_BYTES = 64 * 1024 * 1024
READ_CHUNK = 64 * 1024


class _TooLarge(Exception):
    pass


class _CappedReader:
    """A file-like view that stops a decompression bomb instead of inflating it."""

    def __init__(self, stream: io.BufferedIOBase, cap: int):
        self.stream = stream
        self.left = cap

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size if size >= 0 else self.left + 1)
        self.left -= len(data)
        if self.left < 0:
            raise _TooLarge
        return data


def parse_sitemap(body: bytes, url: str, *, limit: int = 50_000, since: datetime | None = None) -> DocumentParse:
    """Candidates (urlset) or child sitemaps (sitemapindex); never raises on bad input."""
    if _declares_entities(body):
        return DocumentParse("sitemap", [], ["rejected: the XML declares entities"])
    since = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
    result = DocumentParse("unknown", [], [])
    context = etree.iterparse(
        _open(body), events=("end",), tag=("{*}url", "{*}sitemap"),
        resolve_entities=False, no_network=True, load_dtd=False,
    )  # fmt: skip
    try:
        for index, (_event, element) in enumerate(context):
            try:
                if not _take(result, url, element, limit, since):
                    break
            except (ValueError, TypeError, UnicodeError) as err:  # one bad entry, not a lost sitemap
                result.problems.append(f"entry {index}: skipped ({type(err).__name__}: {err})")
            _release(element)
    except _TooLarge:
        result.problems.append(f"gzip body inflates beyond {MAX_INFLATED_BYTES} bytes; stopped there")
    except (etree.XMLSyntaxError, OSError, EOFError, zlib.error) as err:
        result.problems.append(f"malformed sitemap ({err}); kept the {_count(result)} entries before it")
    if result.kind == "unknown" and context.root is not None:
        _set_kind(result, etree.QName(context.root).localname)
    if result.kind == "unknown":
        result.problems.append("not a sitemap: no <urlset> or <sitemapindex> root")
    return result


def parse_text_sitemap(body: bytes, url: str, *, limit: int = 50_000) -> DocumentParse:
    """A text sitemap (plain or gzip): one absolute URL per line; other lines are counted, not kept."""
    result = DocumentParse("sitemap", [], [])
    ignored = 0
    try:
        for raw in _lines(_open(body)):
            line = raw.decode("utf-8", "replace").strip().lstrip("\ufeff")
            if not line:
                continue
            if not line.lower().startswith(("http://", "https://")) or any(c.isspace() for c in line):
                ignored += 1
                continue
            if len(result.candidates) >= limit:
                result.truncated = True
                break
            result.candidates.append(Candidate(line, "sitemap"))
    except _TooLarge:
        result.problems.append(f"gzip body inflates beyond {MAX_INFLATED_BYTES} bytes; stopped there")
    except (OSError, EOFError, zlib.error) as err:
        result.problems.append(f"malformed gzip ({err}); kept the {_count(result)} URLs before it")
    if ignored:
        result.problems.append(f"{ignored} lines that are not one absolute URL skipped")
    return result


def _lines(stream) -> Iterator[bytes]:
    pending = b""
    while chunk := stream.read(READ_CHUNK):
        *lines, pending = (pending + chunk).split(b"\n")
        yield from lines
    if pending:
        yield pending


def inflated_head(body: bytes, size: int = 4096) -> bytes:
    """The first bytes of a body as read: inflated if it is gzip (nothing past `size` is inflated)."""
    if body[:2] != b"\x1f\x8b":
        return body[:size]
    try:
        return zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(body, size)
    except zlib.error:
        return b""


def _open(body: bytes):
    if body[:2] == b"\x1f\x8b":
        return _CappedReader(gzip.GzipFile(fileobj=io.BytesIO(body)), MAX_INFLATED_BYTES)
    return io.BytesIO(body)


def _declares_entities(body: bytes) -> bool:
    """Entity declarations can only sit in the prolog, before the root element."""
    return b"<!ENTITY" in inflated_head(body)


def _count(result: DocumentParse) -> int:
    return len(result.candidates) + len(result.sitemaps)


def _set_kind(result: DocumentParse, root: str) -> None:
    if root == "urlset":
        result.kind = "sitemap"
    elif root == "sitemapindex":
        result.kind = "sitemapindex"


def _take(result: DocumentParse, base: str, element, limit: int, since: datetime | None) -> bool:
    """Record one entry; False once the limit is reached (the rest is left unread)."""
    name = etree.QName(element).localname
    if result.kind == "unknown" and element.getparent() is not None:
        _set_kind(result, etree.QName(element.getparent()).localname)
    fields = _fields(element)
    loc = fields.get("loc")
    if loc and not loc.startswith(("http://", "https://")):
        loc = urljoin(base, loc)
    if not loc:
        result.problems.append(f"<{name}> without <loc> skipped")
        return True
    if _count(result) >= limit:
        result.truncated = True
        return False
    if name == "sitemap":
        result.sitemaps.append(loc)
        return True
    hints = EntryHints(
        title=fields.get("news.title"),
        published_at=_parse_date(fields.get("news.publication_date")),
        modified_at=_parse_date(fields.get("lastmod")),
        language=_language(fields.get("publication.language")),
    )
    when = hints.published_at or hints.modified_at
    if since and when and when < since:
        return True
    result.candidates.append(Candidate(loc, "sitemap", hints, fields.get("lastmod")))
    return True


def _fields(element) -> dict[str, str]:
    """Leaf texts keyed 'loc', 'lastmod', or 'parent.leaf' below (news.title is not image.title)."""
    found: dict[str, str] = {}
    for child in element.iterdescendants("*"):
        text = child.text
        if not text or not text.strip():
            continue
        key = _local(child.tag)
        parent = child.getparent()
        if parent is not element:
            key = f"{_local(parent.tag)}.{key}"
        found.setdefault(key, text.strip())
    return found


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _release(element) -> None:
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]


def _parse_date(value: str | None) -> datetime | None:
    """W3C datetime: a date, or a date-time with a zone; a date alone means midnight UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _language(value: str | None) -> str | None:
    code = (value or "").split("-")[0].lower()
    return code if len(code) == 2 and code.isalpha() else None
