from pathlib import Path

import pytest
from lxml.html import document_fromstring

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "pages"


@pytest.fixture
def page_bytes():
    def read(name: str) -> bytes:
        return (PAGES / name).read_bytes()

    return read


@pytest.fixture
def seed_paragraphs() -> list[str]:
    """The seed article's paragraphs as written in its fixture page, without the promo."""
    tree = document_fromstring((PAGES / "seed-article.html").read_bytes())
    return [p.text_content() for p in tree.xpath("//article//p[not(@class='read-more')]")]
