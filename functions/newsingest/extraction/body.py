"""Checks on the extracted body against the page it came from.

trafilatura's precision mode sometimes keeps a fraction of a long article (one container of
several) and drops a lead paragraph that the meta description repeats. Both are visible on
the page itself: the article's paragraphs, and the description written as a paragraph.
A lead is the body's first paragraph; a dek (standfirst, subline) sits in the article's
header block and is a field of its own (`description`), so only the former is put back.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newsingest.extraction.signals import element_text, in_article

MIN_PARAGRAPH_CHARS = 80  # shorter <p> are captions, teasers and labels, not article prose
MIN_COVERAGE = 0.6  # a body with less than this share of the page's prose may be cut short
MIN_LEAD_CHARS = 40  # a shorter description is a tagline, not a lead paragraph
_LEAD_TAGS = "//body//p | //body//div[not(*)] | //body//h2 | //body//strong"
_HEADER_CLASS = re.compile(r"head|hero|dek|standfirst|sub-?line|sub-?head|sub-?title|strap|title", re.IGNORECASE)
_BODY_CLASS = re.compile(r"(^|[\s_-])body([\s_-]|$)", re.IGNORECASE)
_HEADER_DEPTH = 4  # ancestors looked at: the header block wraps its dek closely


def prose_chars(tree: HtmlElement) -> int:
    """Characters in the page's article-like paragraphs (outside navigation, teasers, comments)."""
    total = 0
    for paragraph in tree.xpath("//body//p"):
        length = len(" ".join(paragraph.text_content().split()))
        if length >= MIN_PARAGRAPH_CHARS and in_article(paragraph):
            total += length
    return total


def looks_cut(text: str, tree: HtmlElement) -> bool:
    """True when the page has clearly more article prose than the body holds."""
    return len(text) < MIN_COVERAGE * prose_chars(tree)


def with_lead(text: str, description: str | None, tree: HtmlElement) -> str:
    """The body with its lead paragraph first and without a dek.

    When the page shows the description as a paragraph of the article body, that is the lead
    (extractors drop it as a duplicate of the meta): it is put back. When it shows it in the
    article's header block, it is a dek: a first line repeating it goes.
    """
    if not description:
        return text
    lead = _folded(description)
    shown = next(
        (e for e in tree.xpath(_LEAD_TAGS) if _folded(element_text(e)) == lead and in_article(e)),
        None,
    )
    if shown is None:
        return text
    first, _newline, rest = text.partition("\n")
    if _in_header(shown):
        return rest if _folded(first) == lead else text
    if len(lead) < MIN_LEAD_CHARS or lead in _folded(text):
        return text
    described = " ".join(description.split())
    return f"{described}\n{text}" if text else described


def _in_header(element: HtmlElement) -> bool:
    """In the article's header block, and not inside its body ("field-name-body", "article-body")."""
    window = [element, *list(element.iterancestors())[:_HEADER_DEPTH]]
    if any(_BODY_CLASS.search(node.get("class", "")) for node in window):
        return False
    return any(node.tag in ("header", "hgroup") or _HEADER_CLASS.search(node.get("class", "")) for node in window)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()
