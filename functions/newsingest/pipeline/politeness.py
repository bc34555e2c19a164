"""How we treat a host, for both stages: robots.txt, per-host fetch slots, and backing off when told to.

robots.txt is cached in the table for a day (every Lambda shares it); a 5xx or unreachable one
means "disallow everything, ask again in 10 minutes" (RFC 9309). Fetch slots are compare-and-set
reservations in the table, so a crawl delay holds across concurrent Lambdas. A 429 or 503 pushes
the host's next slot back by its Retry-After (or a default): no Lambda fetches from it before then.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from newsingest.discovery.robots import UNREACHABLE, Robots
from newsingest.fetching.fetcher import Fetcher, FetchError, FetchResult, retry_after_seconds
from newsingest.models.source import Source
from newsingest.storage.hosts import HostRepository

ROBOTS_TTL = timedelta(hours=24)
UNREACHABLE_ROBOTS_TTL = timedelta(minutes=10)
MAX_INLINE_WAIT = 20.0  # seconds a fetch may sleep for its slot; longer, and the work is retried later
DEFAULT_BACKOFF_SECONDS = 60.0  # a 429/503 without Retry-After
BACK_OFF_STATUSES = frozenset({429, 503})


class HostBusy(Exception):
    """The host's next fetch slot is further away than a Lambda should sleep: try again later."""

    def __init__(self, host: str, wait: float):
        super().__init__(f"{host} asked us to wait {wait:.0f} s")
        self.wait = wait


@dataclass
class Politeness:
    hosts: HostRepository
    fetcher: Fetcher
    user_agent: str
    default_delay: float
    sleep: Callable[[float], None] = time.sleep
    max_inline_wait: float = MAX_INLINE_WAIT

    # -- robots.txt --------------------------------------------------------------------------

    def robots(self, url: str, now: datetime) -> Robots:
        """robots.txt for the URL's host: from the table's cache, else fetched and cached."""
        parts = urlsplit(url)
        cached = self.hosts.get_robots(parts.netloc, now)
        if cached is not None:
            return Robots.from_text(cached)
        try:
            result = self.fetcher.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
            status, body = result.status, result.body
        except FetchError:
            status, body = UNREACHABLE, b""  # RFC 9309: assume complete disallow, for now
        robots = Robots.parse(body if 200 <= status < 300 else None, status, self.user_agent)
        ttl = ROBOTS_TTL if robots.mode != "disallow_all" else UNREACHABLE_ROBOTS_TTL
        self.hosts.put_robots(parts.netloc, robots.to_text(), now, ttl)
        return robots

    # -- fetch slots -------------------------------------------------------------------------

    def delay(self, source: Source, robots: Robots | None) -> float:
        """The source's override, else robots.txt's Crawl-delay, else our default."""
        if source.crawl_delay is not None:
            return source.crawl_delay
        if robots is not None and robots.crawl_delay is not None:
            return robots.crawl_delay
        return self.default_delay

    def wait_turn(self, url: str, source: Source, robots: Robots | None, max_wait: float | None = None) -> None:
        """Take the host's next fetch slot and sleep until it (HostBusy when it is too far away)."""
        wait = self.hosts.reserve_fetch_slot(urlsplit(url).netloc, self.delay(source, robots))
        self.wait_until(url, time.time() + wait, max_wait)

    def book(self, host: str, urls: list[str], delay: float) -> dict[str, float]:
        """Book the fetch slots of a batch's URLs of one host with one compare-and-set (two requests,
        not two per URL, and no contention between the batch's own fetch workers): URL -> due time."""
        start = time.time()
        waits = self.hosts.reserve_fetch_slots(host, delay, len(urls), now=start)
        return {url: start + wait for url, wait in zip(urls, waits, strict=True)}

    def wait_until(self, url: str, due: float, max_wait: float | None = None) -> None:
        """Sleep until a booked slot; HostBusy when it is further away than we may sleep
        (`max_inline_wait`, or `max_wait`: what the Lambda's remaining time allows)."""
        wait = due - time.time()
        if wait > self.max_inline_wait or (max_wait is not None and wait > max_wait):
            raise HostBusy(urlsplit(url).netloc, wait)
        if wait > 0:
            self.sleep(wait)

    # -- backing off -------------------------------------------------------------------------

    def back_off(self, url: str, result: FetchResult) -> float | None:
        """A 429/503 holds every Lambda off the host until its Retry-After (or a default): the wait,
        or None when the answer was not a request to back off."""
        if result.status not in BACK_OFF_STATUSES:
            return None
        seconds = retry_after_seconds(result.headers.get("retry-after"), result.fetched_at)
        wait = seconds if seconds is not None else DEFAULT_BACKOFF_SECONDS
        self.hosts.defer_host(urlsplit(url).netloc, time.time() + wait)
        return wait
