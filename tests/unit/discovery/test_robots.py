import pytest
from protego import Protego

from newsingest.discovery.robots import (
    MAX_ROBOTS_BYTES,
    MAX_ROBOTS_SITEMAPS,
    MAX_RULES,
    MAX_WILDCARD_RULES,
    UNREACHABLE,
    Robots,
    listed_sitemaps,
    sitemaps_to_read,
)
from newsingest.models.source import Source

UA = "newsingest/0.1 (+https://example.org/contact)"
BODY = b"""User-agent: *
Disallow: /private
Crawl-delay: 7

User-agent: newsingest
Disallow: /no-bots
Crawl-delay: 2.5

Sitemap: https://example.com/sitemap.xml
Sitemap: https://example.com/news-sitemap.xml
"""


def test_rules_for_our_user_agent_apply():
    robots = Robots.parse(BODY, 200, UA)
    assert not robots.allowed("https://example.com/no-bots/a")
    assert robots.allowed("https://example.com/private/a")  # our group replaces the * group
    assert robots.crawl_delay == 2.5
    assert robots.sitemaps == ["https://example.com/sitemap.xml", "https://example.com/news-sitemap.xml"]


def test_other_agents_fall_back_to_star_group():
    robots = Robots.parse(BODY, 200, "otherbot/1.0")
    assert not robots.allowed("https://example.com/private/a")
    assert robots.crawl_delay == 7


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_allow_everything(status):
    robots = Robots.parse(b"User-agent: *\nDisallow: /", status, UA)
    assert robots.allowed("https://example.com/anything")
    assert robots.crawl_delay is None


@pytest.mark.parametrize("status", [500, 503, 429, UNREACHABLE])
def test_server_errors_and_unreachable_disallow_everything(status):
    robots = Robots.parse(None, status, UA)
    assert not robots.allowed("https://example.com/")
    assert robots.sitemaps == []


def test_empty_or_garbled_robots_allows():
    assert Robots.parse(b"", 200, UA).allowed("https://example.com/a")
    assert Robots.parse(b"\xff\xfe garbage \x00", 200, UA).allowed("https://example.com/a")


@pytest.mark.parametrize(("body", "status"), [(BODY, 200), (None, 404), (None, 503)])
def test_cached_text_round_trips(body, status):
    robots = Robots.parse(body, status, UA)
    again = Robots.from_text(robots.to_text())
    assert again == robots
    for path in ("/no-bots/a", "/private/a", "/"):
        assert again.allowed("https://example.com" + path) == robots.allowed("https://example.com" + path)
    assert again.crawl_delay == robots.crawl_delay


# --- hostile and odd robots.txt ------------------------------------------------------------------

RULES = "User-agent: *\nDisallow: /private/\n"


@pytest.mark.parametrize(
    "body",
    [
        b"\xef\xbb\xbf" + RULES.encode(),  # UTF-8 with a BOM (Windows editors write one)
        RULES.encode("utf-16"),  # UTF-16 with its BOM
        b"\xfe\xff" + RULES.encode("utf-16-be"),
        RULES.replace("\n", "\r\n").encode(),
        RULES.replace("\n", "\r").encode(),  # old Mac line ends
        b"# caf\xe9 (Latin-1, not UTF-8)\n" + RULES.encode(),
    ],
    ids=["utf8-bom", "utf16", "utf16-be", "crlf", "cr", "latin1"],
)
def test_odd_encodings_and_line_ends_keep_the_rules(body):
    robots = Robots.parse(body, 200, UA)
    assert not robots.allowed("https://example.com/private/a")
    assert robots.allowed("https://example.com/public")


def _huge(rules: int, wildcard: bool = True) -> bytes:
    pattern = "Disallow: /p{i}/*/x$\n" if wildcard else "Disallow: /p{i}/\n"
    return ("User-agent: *\n" + "".join(pattern.format(i=i) for i in range(rules))).encode()


def test_a_huge_robots_is_bounded_to_what_can_be_checked_quickly_and_cached():
    body = _huge(20_000)  # ~450 KB, all wildcard rules: 7 s to parse whole, 130 ms a check
    robots = Robots.parse(body, 200, UA)

    kept = [line for line in robots.text.splitlines() if line.startswith("Disallow")]
    assert len(kept) == MAX_WILDCARD_RULES
    assert not robots.allowed("https://example.com/p0/a/x")  # the first rules still hold
    assert len(robots.to_text()) < 20_000  # far below DynamoDB's 400 KB item limit


def test_plain_rules_are_capped_too():
    robots = Robots.parse(_huge(5_000, wildcard=False), 200, UA)
    assert sum(line.startswith("Disallow") for line in robots.text.splitlines()) == MAX_RULES


def test_only_the_first_500_kib_are_read():
    body = b"User-agent: *\n" + b"# padding\n" * (MAX_ROBOTS_BYTES // 10) + b"Disallow: /late/\n"
    assert Robots.parse(body, 200, UA).allowed("https://example.com/late/a")


def test_groups_of_other_agents_are_dropped_without_changing_our_decisions():
    body = BODY + b"\nUser-agent: googlebot\nDisallow: /google-only/\n"
    robots = Robots.parse(body, 200, UA)
    assert "googlebot" not in robots.text
    full = Protego.parse(body.decode())
    for path in ("/no-bots/a", "/private/a", "/google-only/a", "/"):
        url = f"https://example.com{path}"
        assert robots.allowed(url) == full.can_fetch(url, UA)
    assert robots.crawl_delay == 2.5
    assert len(robots.sitemaps) == 2


def test_a_cached_text_is_parsed_once_per_process():
    text = Robots.parse(_huge(50), 200, UA).to_text()
    assert Robots.from_text(text)._rules is Robots.from_text(text)._rules


def test_a_url_that_cannot_be_encoded_is_not_allowed_and_does_not_raise():
    robots = Robots.parse(BODY, 200, UA)
    assert robots.allowed("https://example.com/\ud800") is False


# -- robots.txt sitemaps for discovery --------------------------------------------------------------

SITEMAPS_BODY = b"""User-agent: *
Disallow: /private
Sitemap: https://example.com/news-sitemap.xml
Sitemap: /sitemaps/archive.xml
Sitemap: https://www.example.com/news-sitemap.xml
Sitemap: https://elsewhere.example/sitemap.xml
Sitemap: ftp://example.com/sitemap.xml
Sitemap: https://example.com/news-sitemap.xml
"""


def source(**fields) -> Source:
    return Source(id="example", name="Example", homepage="https://example.com/", **fields)


def test_listed_sitemaps_are_absolute_on_the_site_and_once_each():
    robots = Robots.parse(SITEMAPS_BODY, 200, UA)
    assert listed_sitemaps(robots, "https://example.com/") == [
        "https://example.com/news-sitemap.xml",
        "https://example.com/sitemaps/archive.xml",  # relative: against robots.txt
        "https://www.example.com/news-sitemap.xml",  # www. is the same site
    ]


def test_listed_sitemaps_are_bounded():
    body = "".join(f"Sitemap: https://example.com/s{n}.xml\n" for n in range(MAX_ROBOTS_SITEMAPS + 30)).encode()
    assert len(listed_sitemaps(Robots.parse(body, 200, UA), "https://example.com/")) == MAX_ROBOTS_SITEMAPS


def test_a_backfill_reads_robots_sitemaps_a_scheduled_run_only_when_the_source_asks():
    robots = Robots.parse(SITEMAPS_BODY, 200, UA)
    feed_only = source(feeds=["https://example.com/feed.rss"])
    assert sitemaps_to_read(robots, feed_only, backfill=False) == []
    assert sitemaps_to_read(robots, feed_only, backfill=True)[:2] == [
        "https://example.com/news-sitemap.xml",
        "https://example.com/sitemaps/archive.xml",
    ]
    opted_in = source(robots_sitemaps=True, sitemaps=["https://example.com/news-sitemap.xml"])
    assert sitemaps_to_read(robots, opted_in, backfill=False) == [  # its own sitemap is not read twice
        "https://example.com/sitemaps/archive.xml",
        "https://www.example.com/news-sitemap.xml",
    ]


def test_no_robots_rules_no_sitemaps():
    for robots in (Robots.parse(None, 404, UA), Robots.parse(None, UNREACHABLE, UA)):
        assert sitemaps_to_read(robots, source(robots_sitemaps=True), backfill=True) == []


def test_robots_sitemaps_is_off_unless_a_source_sets_it():
    assert source().robots_sitemaps is False
