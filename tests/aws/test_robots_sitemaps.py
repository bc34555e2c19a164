"""robots.txt `Sitemap:` lines in discovery: a backfill of a feed-only source reaches its older
articles through them; a scheduled run reads them only when the source sets `robots_sitemaps`."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from news_site import serve

from newsingest.fetching.fetcher import Fetcher, FetchPolicy
from newsingest.models.source import Source
from newsingest.pipeline.discover import Discovery
from newsingest.pipeline.politeness import Politeness
from newsingest.storage.queues import QueueSender

TICK = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
OLDER = ["2026-11-02", "2026-11-09", "2026-11-16"]


class Site:
    """A feed-only site on 127.0.0.1 whose robots.txt lists a sitemap of older articles."""

    def __init__(self):
        self.fetched: list[str] = []
        self.server, self.base = serve(self.answer, self.fetched)

    def answer(self, path: str) -> tuple[bytes, str]:
        return self.documents().get(path, b""), "application/xml" if path.endswith(".xml") else "text/plain"

    def documents(self) -> dict[str, bytes]:
        urls = "".join(
            f"<url><loc>{self.base}/news/{day}/story</loc><lastmod>{day}T08:00:00Z</lastmod></url>" for day in OLDER
        )
        return {
            "/robots.txt": b"User-agent: *\nAllow: /\nSitemap: /sitemaps/archive.xml\n",
            "/feed.xml": (
                f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item><title>Today</title>"
                f"<link>{self.base}/news/2026-11-23/today</link><pubDate>Mon, 23 Nov 2026 07:00:00 GMT</pubDate>"
                "</item></channel></rss>"
            ).encode(),
            "/sitemaps/archive.xml": (
                f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
            ).encode(),
        }

    def source(self, **fields) -> Source:
        return Source(
            id="feedonly", name="Feed only", homepage=f"{self.base}/", feeds=[f"{self.base}/feed.xml"], **fields
        )


@pytest.fixture
def site():
    site = Site()
    yield site
    site.server.shutdown()


def discover(aws, source: Source, since: date | None = None):
    fetcher = Fetcher(FetchPolicy("newsingest-test", 2.0, 5.0, 5_000_000, 5, allow_hosts=("127.0.0.1",)))
    return Discovery(
        source,
        TICK,
        fetcher=fetcher,
        repos=aws.repos,
        queue=QueueSender(aws.clients["sqs"], aws.resources.queues["ArticleQueue"].url),
        politeness=Politeness(aws.repos.hosts, fetcher, "newsingest-test", 0.0),
        max_urls=5000,
        since=since,
    ).run()


def test_a_backfill_of_a_feed_only_source_reads_the_sitemaps_robots_txt_lists(aws, site):
    report = discover(aws, site.source(), since=date(2026, 11, 5))
    assert "/sitemaps/archive.xml" in site.fetched
    known = aws.repos.urls.known([f"{site.base}/news/{day}/story" for day in OLDER])
    assert sorted(known) == [f"{site.base}/news/{day}/story" for day in OLDER[1:]]  # since the 5th
    assert report.new == 3  # the two older ones and today's from the feed


def test_a_scheduled_run_reads_them_only_when_the_source_asks(aws, site):
    discover(aws, site.source())
    assert "/sitemaps/archive.xml" not in site.fetched
    report = discover(aws, site.source(robots_sitemaps=True))
    assert "/sitemaps/archive.xml" in site.fetched
    assert report.new == 3  # the sitemap's three older stories; today's is known from the first run
