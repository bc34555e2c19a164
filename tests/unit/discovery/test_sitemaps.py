import gzip
from datetime import UTC, datetime

import pytest

from newsingest.discovery.sitemaps import MAX_INFLATED_BYTES, parse_sitemap

SITEMAP_URL = "https://news.example.com/sitemap.xml"


def _sitemap(count: int) -> bytes:
    entries = "".join(
        f"<url><loc>https://news.example.com/2026/11/{i % 28 + 1:02d}/story-{i}</loc>"
        f"<lastmod>2026-11-{i % 28 + 1:02d}</lastmod></url>"
        for i in range(count)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def test_google_news_sitemap_hints(fixture_bytes):
    parsed = parse_sitemap(fixture_bytes("news-sitemap.xml"), SITEMAP_URL)
    assert parsed.kind == "sitemap"
    assert [c.url for c in parsed.candidates] == [
        "https://news.example.com/2026/11/24/council-approves-bridge",
        "https://news.example.com/2024/01/02/old-story",
        "https://news.example.com/undated-story",
    ]
    news = parsed.candidates[0]
    assert news.via == "sitemap"
    assert news.hints.title == "Council approves the new bridge"  # not the image's title
    assert news.hints.published_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert news.hints.modified_at == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert news.hints.language == "en"
    assert news.revision == "2026-11-24T11:00:00+00:00"
    assert parsed.problems == ["<url> without <loc> skipped"]


def test_since_drops_older_entries_and_keeps_undated(fixture_bytes):
    parsed = parse_sitemap(fixture_bytes("news-sitemap.xml"), SITEMAP_URL, since=datetime(2026, 1, 1))
    assert [c.url.rsplit("/", 1)[-1] for c in parsed.candidates] == ["council-approves-bridge", "undated-story"]


def test_sitemap_index_lists_children(fixture_bytes):
    parsed = parse_sitemap(fixture_bytes("sitemap-index.xml"), SITEMAP_URL)
    assert parsed.kind == "sitemapindex"
    assert parsed.candidates == []
    assert parsed.sitemaps == [
        "https://news.example.com/sitemaps/2026-11.xml",
        "https://news.example.com/sitemaps/2026-10.xml.gz",
        "https://news.example.com/sitemaps/news.xml",
    ]


def test_gzip_body(fixture_bytes):
    plain = parse_sitemap(fixture_bytes("news-sitemap.xml"), SITEMAP_URL)
    zipped = parse_sitemap(gzip.compress(fixture_bytes("news-sitemap.xml")), SITEMAP_URL + ".gz")
    assert zipped == plain


def test_huge_sitemap_is_bounded_by_the_limit():
    body = _sitemap(60_000)
    parsed = parse_sitemap(body, SITEMAP_URL)
    assert len(parsed.candidates) == 50_000
    assert parsed.truncated
    assert parsed.candidates[-1].url.endswith("/story-49999")
    small = parse_sitemap(body, SITEMAP_URL, limit=10)
    assert [c.url.rsplit("-", 1)[-1] for c in small.candidates] == [str(i) for i in range(10)]
    assert small.truncated


def test_exactly_the_limit_is_not_truncated():
    parsed = parse_sitemap(_sitemap(10), SITEMAP_URL, limit=10)
    assert len(parsed.candidates) == 10
    assert not parsed.truncated


def test_truncated_sitemap_keeps_entries_before_the_break():
    body = _sitemap(5)[:-40]
    parsed = parse_sitemap(body, SITEMAP_URL)
    assert parsed.kind == "sitemap"
    assert len(parsed.candidates) == 4
    assert parsed.problems[0].startswith("malformed sitemap")


def test_gzip_bomb_stops_at_the_cap():
    chunk = b" " * (8 * 1024 * 1024) + b"<x/>"  # each text node under libxml2's own 10 MB limit
    bomb = gzip.compress(b"<urlset>" + chunk * (MAX_INFLATED_BYTES // len(chunk) + 1), compresslevel=1)
    parsed = parse_sitemap(bomb, SITEMAP_URL)
    assert parsed.candidates == []
    assert any("inflates beyond" in p for p in parsed.problems)


def test_corrupt_gzip():
    parsed = parse_sitemap(b"\x1f\x8b" + b"\x00" * 40, SITEMAP_URL)
    assert parsed.candidates == []
    assert parsed.problems


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe.xml"])
def test_entity_declarations_are_rejected(fixture_bytes, name):
    body = fixture_bytes(name).replace(b"<rss", b"<urlset").replace(b"</rss>", b"</urlset>")
    parsed = parse_sitemap(body, SITEMAP_URL)
    assert parsed.candidates == []
    assert parsed.problems == ["rejected: the XML declares entities"]


@pytest.mark.parametrize("body", [b"", b"<html><body>hi</body></html>", b"not xml at all"])
def test_not_a_sitemap(body):
    parsed = parse_sitemap(body, SITEMAP_URL)
    assert parsed.kind == "unknown"
    assert parsed.problems[-1] == "not a sitemap: no <urlset> or <sitemapindex> root"


def test_entities_hidden_past_the_sniffed_prolog_still_do_not_expand(fixture_bytes):
    body = fixture_bytes("billion-laughs.xml").replace(b"<?xml version=\"1.0\"?>", b"<!--" + b"x" * 5000 + b"-->")
    body = body.replace(b"<rss", b"<urlset").replace(b"</rss>", b"</urlset>")
    body = body.replace(b"<link>https://bomb.example.com/boom</link>", b"<loc>https://bomb.example.com/&lol9;</loc>")
    parsed = parse_sitemap(body, SITEMAP_URL)
    assert parsed.candidates == []
    assert parsed.problems[0].startswith("malformed sitemap")


def test_one_bad_entry_is_skipped_and_the_rest_kept():
    body = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>/relative/[bad</loc></url>"
        b"<url><loc>https://news.example.com/good</loc></url></urlset>"
    )
    parsed = parse_sitemap(body, "http://[::1")  # a base that urljoin cannot use for the relative entry
    assert [c.url for c in parsed.candidates] == ["https://news.example.com/good"]
    assert any("entry 0" in p for p in parsed.problems)
