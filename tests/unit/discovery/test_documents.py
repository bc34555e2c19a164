import gzip

import pytest

from newsingest.discovery.documents import parse_document
from newsingest.discovery.sniff import looks_like_html, root_element


@pytest.mark.parametrize(
    ("name", "content_type", "kind"),
    [
        ("rss2.xml", "text/html", "feed"),  # a feed served with the wrong type
        ("rss091.xml", "application/rss+xml", "feed"),
        ("rss1.rdf", "application/rdf+xml", "feed"),
        ("atom.xml", None, "feed"),
        ("feed.json", "application/json", "feed"),
        ("news-sitemap.xml", "text/xml", "sitemap"),
        ("sitemap-index.xml", "application/octet-stream", "sitemapindex"),
        ("homepage.html", "application/rss+xml", "html"),  # a homepage given as a feed URL
    ],
)
def test_the_body_decides_the_kind(fixture_bytes, name, content_type, kind):
    parsed = parse_document(fixture_bytes(name), "https://news.example.com/x", content_type)
    assert parsed.kind == kind


def test_homepage_given_as_a_feed_yields_links_and_feeds(fixture_bytes):
    parsed = parse_document(fixture_bytes("homepage.html"), "https://news.example.com/", "application/rss+xml")
    assert len(parsed.candidates) == 4
    assert parsed.feeds[0] == "https://news.example.com/feeds/all.rss"


def test_gzip_sitemap_without_a_gzip_type(fixture_bytes):
    body = gzip.compress(fixture_bytes("news-sitemap.xml"))
    parsed = parse_document(body, "https://news.example.com/sitemap.xml.gz", "application/octet-stream")
    assert parsed.kind == "sitemap"
    assert len(parsed.candidates) == 3


def test_limit_and_since_reach_the_sitemap_parser(fixture_bytes):
    parsed = parse_document(fixture_bytes("news-sitemap.xml"), "https://news.example.com/s.xml", None, limit=1)
    assert len(parsed.candidates) == 1
    assert parsed.truncated


def test_html_fragment_with_html_type():
    body = b"<div><a href='/world/big-story-of-the-day'>x</a></div>"
    parsed = parse_document(body, "https://news.example.com/", "text/html; charset=utf-8")
    assert [c.url for c in parsed.candidates] == ["https://news.example.com/world/big-story-of-the-day"]


@pytest.mark.parametrize("body", [b"", b"  \n ", b"random words", b"<unknown-root/>"])
def test_unrecognised_bodies_give_problems(body):
    parsed = parse_document(body, "https://news.example.com/x", None)
    assert parsed.candidates == []
    assert parsed.problems


@pytest.mark.parametrize(
    ("head", "root"),
    [
        (b'<?xml version="1.0"?>\n<!-- <html> --><rss version="2.0">', "rss"),
        (b'<!DOCTYPE rss PUBLIC "x" "y"><rss>', "rss"),
        (b"<rdf:RDF xmlns:rdf='x'>", "rdf"),
        (b"\xef\xbb\xbf<urlset>", "urlset"),
        (b"no markup", None),
    ],
)
def test_root_element(head, root):
    assert root_element(head) == root


@pytest.mark.parametrize(
    ("body", "html"),
    [
        (b"<!DOCTYPE html><html>", True),
        (b"\n<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>", True),
        (b"<!-- <html> --><rss version='2.0'>", False),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;html&gt;</title>', False),
    ],
)
def test_looks_like_html(body, html):
    assert looks_like_html(body) is html


TEXT_SITEMAP = (
    "\ufeffhttps://news.example.com/2026/11/24/council-approves-bridge\r\n"
    "https://news.example.com/world/storm-hits-the-coast-overnight\n"
    "\n"
    "# a comment someone left\n"
    "/relative/path-is-not-allowed\n"
    "https://news.example.com/a url with spaces\n"
    "HTTPS://news.example.com/sport/987654321"
)
TEXT_URLS = [
    "https://news.example.com/2026/11/24/council-approves-bridge",
    "https://news.example.com/world/storm-hits-the-coast-overnight",
    "HTTPS://news.example.com/sport/987654321",
]


@pytest.mark.parametrize("compress", [False, True])
def test_a_text_sitemap_lists_one_url_per_line_plain_or_gzip(compress):
    body = TEXT_SITEMAP.encode("utf-8")
    body = gzip.compress(body) if compress else body
    parsed = parse_document(body, "https://news.example.com/sitemap.txt", "text/plain")
    assert parsed.kind == "sitemap"
    assert [c.url for c in parsed.candidates] == TEXT_URLS
    assert {c.via for c in parsed.candidates} == {"sitemap"}
    assert parsed.problems == ["3 lines that are not one absolute URL skipped"]


def test_a_text_sitemap_stops_at_the_limit():
    body = "".join(f"https://news.example.com/story-number-{n}-of-many\n" for n in range(100)).encode()
    parsed = parse_document(body, "https://news.example.com/sitemap.txt", None, limit=10)
    assert len(parsed.candidates) == 10 and parsed.truncated


def test_a_text_sitemap_gzip_bomb_is_stopped(monkeypatch):
    from newsingest.discovery import sitemaps

    monkeypatch.setattr(sitemaps, "MAX_INFLATED_BYTES", 100_000)
    body = gzip.compress(b"https://news.example.com/x-y-z\n" + b"a" * 1_000_000)
    parsed = parse_document(body, "https://news.example.com/sitemap.txt.gz", None)
    assert [c.url for c in parsed.candidates] == ["https://news.example.com/x-y-z"]
    assert any("inflates beyond 100000 bytes" in p for p in parsed.problems)
