"""Parse a page once: every later step (signals, trafilatura, walls) reads this one lxml tree.

trafilatura.bare_extraction accepts the tree and copies it before pruning (it does not
re-parse), so our tree stays intact for the steps that run after it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement
from trafilatura.utils import decode_file, load_html

from newsingest.models.outcomes import SkipReason

MAX_PAGE_BYTES = 10_000_000  # twice the fetcher's cap: larger input was never a fetched page
_CONTROL_SHARE = 0.05  # more control characters than this: binary, not HTML


class ExtractionError(Exception):
    """A page that cannot give an article, with the reason it is skipped."""

    def __init__(self, reason: SkipReason, detail: str):
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Page:
    url: str
    tree: HtmlElement
    lang: str | None  # the <html lang> attribute: a hint, the text decides
    canonical: str | None  # <link rel=canonical href>


def parse_page(html: bytes | str, url: str) -> Page:
    """Decode (BOM, meta charset, detection) and parse into the one tree every step reuses."""
    if len(html) > MAX_PAGE_BYTES:
        raise ExtractionError(SkipReason.TOO_LARGE, f"{len(html)} bytes/characters > {MAX_PAGE_BYTES}")
    text = decode_file(html).removeprefix("\ufeff")
    if not text.strip():
        raise ExtractionError(SkipReason.NO_TEXT, "empty page")
    if _looks_binary(text):
        raise ExtractionError(SkipReason.NOT_HTML, "binary content")
    tree = load_html(text)
    if tree is None or tree.find("body") is None:
        raise ExtractionError(SkipReason.NOT_HTML, "not parseable as an HTML document")
    return Page(url=url, tree=tree, lang=_lang(tree), canonical=_canonical(tree))


def _looks_binary(text: str) -> bool:
    head = text[:4096]
    controls = sum(1 for c in head if c < " " and c not in "\t\n\r\f")
    return controls > len(head) * _CONTROL_SHARE or "\ufffd" * 8 in head


def _lang(tree: HtmlElement) -> str | None:
    value = (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    return value or None


def _canonical(tree: HtmlElement) -> str | None:
    for href in tree.xpath('//head/link[@rel="canonical"]/@href'):
        if href.strip():
            return href.strip()
    return None
