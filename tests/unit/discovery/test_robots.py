import pytest

from newsingest.discovery.robots import UNREACHABLE, Robots

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
