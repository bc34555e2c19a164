"""Every parser of hostile input returns or skips, never raises, never hangs, on seeded mutations.

CI runs FUZZ_DOCUMENTS (300) mutated documents; `make fuzz` runs many more. A failure prints
the seed and index that reproduce it: FUZZ_SEED=<seed> FUZZ_ONLY=<index> pytest tests/fuzz.
"""

from __future__ import annotations

import os
import random
import signal
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime

from fuzz_mutations import fixtures, mutate

from newsingest.discovery.documents import parse_document
from newsingest.discovery.feeds import parse_feed
from newsingest.discovery.filters import filter_candidates
from newsingest.discovery.links import find_feeds, section_links
from newsingest.discovery.model import DocumentParse
from newsingest.discovery.robots import Robots
from newsingest.discovery.sitemaps import parse_sitemap
from newsingest.discovery.urls import canonicalize, prefer_page_canonical
from newsingest.models import Source
from newsingest.models.records import Article
from newsingest.pipeline.process import PageInput, Skip, process_pages
from newsingest.sources import load_sources

DOCUMENTS = int(os.environ.get("FUZZ_DOCUMENTS", "300"))
SEED = int(os.environ.get("FUZZ_SEED", "20261202"))
ONLY = os.environ.get("FUZZ_ONLY")
HANG_SECONDS = float(os.environ.get("FUZZ_HANG_SECONDS", "10"))  # far above any one parse of these sizes
URL = "https://harbourtimes.example/news/2026/11/24/story"
UA = "newsingest/0.1 (+https://github.com/newsingest/newsingest)"
CONTENT_TYPES = (None, "text/html", "application/rss+xml", "application/xml", "application/octet-stream", "text/plain")
SOURCE = Source(id="fuzz", name="Fuzz", homepage="https://harbourtimes.example/", exclude=["/live/"])


class Hang(BaseException):
    """Raised by the watchdog; a BaseException so no parser's `except Exception` can swallow it."""


@contextmanager
def watchdog(seconds: float):
    def expire(_signum, _frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_document(body: bytes, rng: random.Random) -> None:
    content_type = rng.choice(CONTENT_TYPES)
    parsed = parse_document(body, URL, content_type)
    assert isinstance(parsed, DocumentParse)
    for parser in (parse_feed, parse_sitemap, section_links):
        assert isinstance(parser(body, URL), DocumentParse)
    assert isinstance(find_feeds(body, URL), list)
    filter_candidates(SOURCE, parsed.candidates)
    for candidate in parsed.candidates:
        canonicalize(candidate.url)
        prefer_page_canonical(URL, candidate.url)


def check_page(body: bytes, rng: random.Random) -> None:
    page = PageInput(html=body, url=URL, source_id="fuzz", fetched_at=datetime(2026, 11, 24, tzinfo=UTC))
    (result,) = process_pages([page], tagger=None)
    assert isinstance(result, Article | Skip)
    assert isinstance(section_links(body, URL), DocumentParse)


def check_robots(body: bytes, rng: random.Random) -> None:
    robots = Robots.parse(body, 200, UA)
    for path in ("/", "/private/x", "/news/2026/11/24/story", "/%E2%82%AC", "/\ud800"):
        robots.allowed(f"https://harbourtimes.example{path}")
    assert Robots.from_text(robots.to_text()) == robots
    _ = robots.crawl_delay, robots.sitemaps


def check_sources(body: bytes, rng: random.Random) -> None:
    text = body.decode("utf-8", errors=rng.choice(["replace", "surrogateescape", "ignore"]))
    sources, problems = load_sources(text, env={"SITE_HARBOUR_TIMES": "https://h.example"}, allowed=["SITE_*"])
    assert isinstance(sources, list) and isinstance(problems, list)


CHECKS = {"document": check_document, "page": check_page, "robots": check_robots, "sources": check_sources}
WEIGHTS = {"document": 4, "page": 1, "robots": 2, "sources": 1}  # every kind well represented in a short run


def test_no_parser_raises_or_hangs_on_mutated_fixtures():
    corpus = fixtures()
    assert {kind for kind, _ in corpus} == set(CHECKS)
    failures: list[str] = []
    kinds: Counter = Counter()
    spent: Counter = Counter()
    by_kind = {kind: [body for k, body in corpus if k == kind] for kind in CHECKS}
    started = time.monotonic()
    indexes = [int(ONLY)] if ONLY else range(DOCUMENTS)
    for index in indexes:
        rng = random.Random(f"{SEED}:{index}")
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        body, names = mutate(rng.choice(by_kind[kind]), rng)
        kinds[kind] += 1
        begun = time.monotonic()
        try:
            with watchdog(HANG_SECONDS):
                CHECKS[kind](body, rng)
        except (Exception, Hang) as err:
            where = traceback.extract_tb(err.__traceback__)[-1]
            failures.append(
                f"seed {SEED} index {index} ({kind}, {'+'.join(names)}): {type(err).__name__}: {err} "
                f"at {where.filename}:{where.lineno}"
            )
        spent[kind] += time.monotonic() - begun
    seconds = time.monotonic() - started
    print(
        f"\nfuzz: {len(indexes)} documents in {seconds:.1f} s, seed {SEED}, {len(failures)} raised or hung; "
        + ", ".join(f"{kind} {kinds[kind]} ({spent[kind]:.1f} s)" for kind in CHECKS)
    )
    assert not failures, "\n".join(failures[:20])
