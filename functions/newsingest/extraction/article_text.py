"""The article's text from trafilatura, over our parsed tree, without its headline block.

trafilatura runs over the tree the page was parsed into once (it copies before pruning); its
text is then cleaned (boilerplate lines, promo lines) and the headline block it sometimes keeps
at the top (the title, and short kicker lines above it) is dropped: they are fields of their own.
"""

from __future__ import annotations

from collections.abc import Collection

import trafilatura

from newsingest.extraction.cleaning import clean_body
from newsingest.extraction.page import Page

HEADLINE_WINDOW = 3  # the headline, when extractors keep it, is among the body's first lines
KICKER_WORDS = 4  # lines above it as short as this are section labels, not text


def trafilatura_version() -> str:
    return trafilatura.__version__


def trafilatura_document(page: Page, **options: bool):
    """trafilatura over our tree (it copies the tree before pruning; it does not re-parse)."""
    return trafilatura.bare_extraction(page.tree, url=page.url, include_comments=False, include_images=False, **options)


def raw_text(document) -> str:
    return document.text if document is not None and document.text else ""


def body_text(raw: str, repeated: Collection[str], titles: Collection[str | None]) -> str:
    """Cleaned body text without the page's headline block: the title and the short kicker lines
    above it ("News", "Business") are fields of their own. A standfirst below it stays: it is
    the article's lead, which readers read as its first paragraph."""
    text, _removed = clean_body(raw, repeated)
    lines = text.split("\n")
    headlines = {folded(t) for t in titles if t}
    at = next((i for i, line in enumerate(lines[:HEADLINE_WINDOW]) if folded(line) in headlines), None)
    if at is None or any(len(line.split()) > KICKER_WORDS for line in lines[:at]):
        return text
    return "\n".join(lines[at + 1 :])


def folded(line: str) -> str:
    return " ".join(line.split()).casefold()
