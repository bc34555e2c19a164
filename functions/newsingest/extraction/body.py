"""Checks on the extracted body against the page it came from.

trafilatura's precision mode sometimes keeps a fraction of a long article (one container of
several) and drops a lead paragraph that the meta description repeats. Both are visible on
the page itself: the article's paragraphs, and the description written as a paragraph.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from newsingest.extraction.signals import element_text, in_article

MIN_PARAGRAPH_CHARS = 80  # shorter <p> are captions, teasers and labels, not article prose
MIN_COVERAGE = 0.6  # a body with less than this share of the page's prose may be cut short
MIN_LEAD_CHARS = 40  # a shorter description is a tagline, not a lead paragraph
_LEAD_TAGS = "//body//p | //body//div[not(*)] | //body//h2 | //body//strong"


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
    """The body with its lead paragraph first, when the page shows the description as a
    paragraph of its own that the extractor dropped (it took it for a duplicate of the meta)."""
    if not description or len(description) < MIN_LEAD_CHARS:
        return text
    lead = " ".join(description.split())
    if _folded(lead) in _folded(text):
        return text
    for element in tree.xpath(_LEAD_TAGS):
        if _folded(element_text(element)) == _folded(lead) and in_article(element):
            return f"{lead}\n{text}" if text else lead
    return text


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()
