import pytest

from newsingest.discovery.links import find_feeds, is_article_url, section_links

HOME = "https://news.example.com/"


def test_section_links_keep_article_like_same_site_links(fixture_bytes):
    parsed = section_links(fixture_bytes("homepage.html"), HOME)
    assert parsed.kind == "html"
    assert [(c.url, c.hints.title) for c in parsed.candidates] == [
        ("https://news.example.com/2026/11/24/council-approves-bridge", "Council approves the bridge"),
        ("https://www.news.example.com/world/storm-hits-the-coast-overnight", "Storm"),
        ("https://news.example.com/business/markets-rally-after-rate-cut.html", "Markets"),
        ("https://news.example.com/sport/987654321", "Match"),
    ]
    assert {c.via for c in parsed.candidates} == {"section"}
    assert parsed.problems == []


def test_section_page_also_reports_its_feeds(fixture_bytes):
    parsed = section_links(fixture_bytes("homepage.html"), HOME)
    assert parsed.feeds == find_feeds(fixture_bytes("homepage.html"), HOME)


def test_find_feeds_resolves_and_keeps_page_order(fixture_bytes):
    assert find_feeds(fixture_bytes("homepage.html"), HOME) == [
        "https://news.example.com/feeds/all.rss",
        "https://news.example.com/feeds/all.atom",
        "https://news.example.com/feeds/all.json",
    ]


def test_base_href_changes_relative_links():
    html = b'<html><head><base href="https://news.example.com/edition/"></head><body>' \
           b'<a href="local-story-about-things">x</a><link rel="alternate" type="application/rss+xml" ' \
           b'href="rss"></body></html>'  # fmt: skip
    assert [c.url for c in section_links(html, HOME).candidates] == [
        "https://news.example.com/edition/local-story-about-things"
    ]
    assert find_feeds(html, HOME) == ["https://news.example.com/edition/rss"]


@pytest.mark.parametrize("body", [b"", b"   ", b"\x00\x01"])
def test_unparseable_page_is_a_problem(body):
    parsed = section_links(body, HOME)
    assert parsed.candidates == []
    assert parsed.problems
    assert find_feeds(body, HOME) == []


def test_page_without_article_links_says_so():
    parsed = section_links(b"<html><body><a href='/about'>About</a></body></html>", HOME)
    assert parsed.problems == ["no article-like links on the page"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://e.com/2026/11/24/anything", True),
        ("https://e.com/news/2026-11-24-short", True),
        ("https://e.com/politics/minister-resigns-over-scandal", True),
        ("https://e.com/minister_resigns_over_scandal.html", True),
        ("https://e.com/world/1234567", True),
        ("https://e.com/1234567", False),  # a bare id at the root is more often a page than a story
        ("https://e.com/", False),
        ("https://e.com/world", False),
        ("https://e.com/world/europe", False),
        ("https://e.com/tag/minister-resigns-over-scandal", False),
        ("https://e.com/author/jane-doe-smith", False),
        ("https://e.com/2026/11/24/photo.jpg", False),
        ("https://e.com/static/js/app-bundle-main.js", False),
    ],
)
def test_article_url_heuristic(url, expected):
    assert is_article_url(url) is expected


ARTICLE_PAGE_HEAD = b"""<html><head>
<link rel="alternate" type="application/rss+xml" title="The Daily Example &raquo; Feed" href="/feed/">
<link rel="alternate" type="application/rss+xml" title="The Daily Example &raquo; Comments Feed" href="/comments/feed/">
<link rel="alternate" type="application/rss+xml" title="Harbour closes &raquo; Comments"
      href="/2026/11/24/harbour-closes-for-repairs/feed/">
<link rel="alternate" type="application/atom+xml" title="Politics" href="/politics/feed/atom/">
<link rel="alternate" type="application/rss+xml" title="Kommentare zu: Hafen" href="/de/hafen/feed/">
<link rel="alternate" type="application/rss+xml" href="/?feed=comments-rss2">
<link rel="alternate" type="application/json" href="/news/harbour-closes-for-repairs-after-storm/feed.json">
<link rel="alternate" type="application/rss+xml" href="/world/rss.xml">
</head><body></body></html>"""


def test_autodiscovery_keeps_site_and_section_feeds_and_skips_comment_and_per_article_feeds():
    page = "https://daily.example/2026/11/24/harbour-closes-for-repairs/"
    assert find_feeds(ARTICLE_PAGE_HEAD, page) == [
        "https://daily.example/feed/",
        "https://daily.example/politics/feed/atom/",
        "https://daily.example/world/rss.xml",
    ]
    assert section_links(ARTICLE_PAGE_HEAD, page).feeds == find_feeds(ARTICLE_PAGE_HEAD, page)


def test_a_link_farm_is_read_only_up_to_the_cap():
    from newsingest.discovery.links import MAX_LINKS_READ

    link = b'<a href="/news/2026/11/%d-some-slug-here">link %d</a>'
    anchors = b"".join(link % (i, i) for i in range(MAX_LINKS_READ + 50))
    parsed = section_links(b"<html><body>" + anchors + b"</body></html>", "https://news.example.com/")
    assert len(parsed.candidates) == MAX_LINKS_READ
    assert any(f"more than {MAX_LINKS_READ} links" in p for p in parsed.problems)
