import pytest
import trafilatura
from lxml import etree

from newsingest.extraction.page import MAX_PAGE_BYTES, ExtractionError, parse_page
from newsingest.models.outcomes import SkipReason

URL = "https://news.example.org/a"


def _doc(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html lang='en-GB'><head>{head}</head><body>{body}</body></html>"


def test_reads_lang_and_canonical(page_bytes):
    page = parse_page(page_bytes("seed-article.html"), URL)
    assert page.lang == "en-GB"
    assert page.canonical == "https://www.express.co.uk/news/world/1181234/putin-cuba-trump-venezuela-maduro"


def test_utf8_bom_is_dropped_and_text_decoded():
    page = parse_page(b"\xef\xbb\xbf" + _doc("<p>café crème</p>").encode(), URL)
    assert page.tree.xpath("string(//p)") == "café crème"


def test_meta_charset_is_honoured_for_non_utf8_bytes():
    html = _doc("<p>Déjà vu à Zürich, naïve façade</p>", head='<meta charset="windows-1252">')
    page = parse_page(html.encode("cp1252"), URL)
    assert page.tree.xpath("string(//p)") == "Déjà vu à Zürich, naïve façade"


def test_trafilatura_reads_our_tree_without_changing_it(page_bytes):
    page = parse_page(page_bytes("seed-article.html"), URL)
    before = etree.tostring(page.tree)
    document = trafilatura.bare_extraction(page.tree, url=URL, with_metadata=True)
    assert "Sukhoi 30 jets" in document.text
    assert etree.tostring(page.tree) == before  # nav, footer and scripts still there for the other steps


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (b"", SkipReason.NO_TEXT),
        (b"   \n ", SkipReason.NO_TEXT),
        (bytes(range(256)) * 64, SkipReason.NOT_HTML),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\xff" * 2000, SkipReason.NOT_HTML),
        (b"just a line of plain text, no markup at all", SkipReason.NOT_HTML),
        (b"<html><body><p>" + b"x" * (MAX_PAGE_BYTES + 1) + b"</p></body></html>", SkipReason.TOO_LARGE),
    ],
    ids=["empty", "blank", "binary", "png", "plain-text", "huge"],
)
def test_hostile_input_raises_a_clear_error(html, reason):
    with pytest.raises(ExtractionError) as caught:
        parse_page(html, URL)
    assert caught.value.reason is reason
    assert caught.value.detail


def test_deeply_nested_markup_parses_without_crashing():
    html = _doc("<div>" * 20_000 + "<p>deep</p>" + "</div>" * 20_000)
    page = parse_page(html, URL)
    assert page.tree.find("body") is not None


def test_an_infinite_scroll_page_keeps_only_its_own_story():
    from newsingest.extraction.page import parse_page

    prose = "<p>" + "The harbour board approved the new ferry terminal after a long debate. " * 4 + "</p>"
    html = (
        f"<html><body><article><h1>First story</h1>{prose * 3}</article>"
        f"<article class='teaser'><h2>A teaser</h2><p>Short.</p></article>"
        f"<article><h1>Next story</h1>{prose * 3}</article></body></html>"
    )
    tree = parse_page(html, "https://news.example.org/first").tree
    assert [h.text for h in tree.iter("h1")] == ["First story"]
    assert len(tree.xpath("//article")) == 2  # the teaser is not a whole story: it stays
