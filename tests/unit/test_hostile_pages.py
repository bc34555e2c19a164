"""The core's entry guard: caps hold for what is parsed, and a page has a time budget.

Pages here are built to the shapes the issue measured (a double-encoded gzip body, a link
farm, a million links, 100k-deep nesting); each must become a Skip with its reason, and the
batch around it must go on.
"""

import gzip
import signal
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsingest.extraction.page import (
    MAX_ELEMENTS,
    MAX_LINKS,
    MAX_PAGE_BYTES,
    ExtractionError,
    parse_page,
    time_budget,
)
from newsingest.models.outcomes import SkipReason
from newsingest.models.records import Article
from newsingest.pipeline.process import PageInput, Skip, process_pages

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
URL = "https://news.example.org/2026/11/24/story"
FETCHED = datetime(2026, 11, 24, 12, tzinfo=UTC)


def _input(html: bytes) -> PageInput:
    return PageInput(html=html, url=URL, source_id="gazette", fetched_at=FETCHED)


def _reason(html: bytes) -> SkipReason:
    with pytest.raises(ExtractionError) as caught:
        parse_page(html, URL)
    return caught.value.reason


def test_a_gzip_body_inflating_past_the_page_cap_is_too_large():
    inner = b"<html><body>" + b"<p>word " * (MAX_PAGE_BYTES // 8 + 1000) + b"</body></html>"
    body = gzip.compress(inner, compresslevel=1)
    assert len(body) < MAX_PAGE_BYTES // 50  # small on the wire: only the inflated size shows the bomb

    assert _reason(body) is SkipReason.TOO_LARGE


def test_a_gzip_body_within_the_cap_is_read_as_the_page_it_holds():
    article = (PAGES / "seed-article.html").read_bytes()

    page = parse_page(gzip.compress(gzip.compress(article)), URL)  # compressed twice, as a broken server does

    assert "Putin" in page.tree.findtext(".//title")


def test_gzip_nested_deeper_than_a_server_would_is_refused():
    body = gzip.compress(gzip.compress(gzip.compress(b"<html><body><p>x</p></body></html>")))
    assert _reason(body) is SkipReason.NOT_HTML


def test_a_link_farm_is_refused_before_extraction():
    links = b"".join(b'<a href="/news/%d-a-b-c">link %d</a> ' % (i, i) for i in range(MAX_LINKS + 1))
    assert _reason(b"<html><body>" + links + b"</body></html>") is SkipReason.TOO_LARGE


def test_a_million_links_are_refused_before_parsing():
    html = b"<html><body>" + b"<a>x</a>" * 1_000_000 + b"</body></html>"
    assert _reason(html) is SkipReason.TOO_LARGE  # refused on a count of the text, before any tree is built


def test_too_many_elements_are_refused():
    html = b"<html><body>" + b"<i></i>" * (MAX_ELEMENTS + 1) + b"</body></html>"
    assert _reason(html) is SkipReason.TOO_LARGE


DEEP = b"<html><body>" + b"<div>" * 100_000 + b"<p>deep text here</p>" + b"</div>" * 100_000 + b"</body></html>"


def test_the_budget_stops_work_that_would_never_end():
    """Deterministic: only the budget can end this block, however fast or loaded the machine is."""
    with pytest.raises(ExtractionError) as caught, time_budget(0.05):
        while True:
            pass
    assert caught.value.reason is SkipReason.TOO_SLOW and "0.05 s budget" in str(caught.value)


def test_the_budget_holds_when_the_block_swallows_its_first_expiry():
    """The timer's exception can land where Python drops it (a __del__, a bare except in a library):
    the timer fires again, so the block still ends at its budget."""
    swallowed = 0
    with pytest.raises(ExtractionError) as caught, time_budget(0.05):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                while time.monotonic() < deadline:
                    pass
            except BaseException:
                swallowed += 1
                if swallowed > 1:
                    raise
    assert swallowed == 2 and caught.value.reason is SkipReason.TOO_SLOW


def test_a_page_over_its_time_budget_is_skipped_and_the_batch_goes_on():
    """A budget far below what parsing a 1 MB page needs: the page is skipped, the next one gets its own budget."""
    article = (PAGES / "seed-article.html").read_bytes()
    process_pages([_input(article)], tagger=None, page_budget=None)  # warm: first use loads models

    (slow,) = process_pages([_input(DEEP)], tagger=None, page_budget=0.0001)
    (good,) = process_pages([_input(article)], tagger=None, page_budget=30)

    assert isinstance(slow, Skip) and slow.reason is SkipReason.TOO_SLOW, slow
    assert "budget" in slow.detail
    assert isinstance(good, Article)


def test_the_budget_leaves_no_timer_or_handler_behind():
    before = signal.getsignal(signal.SIGALRM)
    process_pages([_input((PAGES / "seed-article.html").read_bytes())], tagger=None, page_budget=5)

    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is before


def test_off_the_main_thread_the_caps_still_hold():
    """Signals only reach the main thread; a worker thread keeps the caps, without a timer."""
    html = b"<html><body>" + b"<a>x</a>" * (MAX_LINKS + 10) + b"</body></html>"
    results = []
    worker = threading.Thread(target=lambda: results.extend(process_pages([_input(html)], tagger=None)))
    worker.start()
    worker.join(30)

    assert isinstance(results[0], Skip) and results[0].reason is SkipReason.TOO_LARGE


def test_a_budget_that_runs_out_at_any_instruction_leaves_no_timer_behind():
    """The timer can fire on the way into the block or on the way out (a page budget of a tenth of a
    millisecond on a loaded machine): whatever it lands on, the block ends as done or TOO_SLOW, and
    no timer or handler outlives it to fire into whatever runs next."""
    handler = signal.getsignal(signal.SIGALRM)
    outcomes = set()
    for n in range(3000):
        try:
            with time_budget(1e-6 * (1 + n % 50)):
                sum(range(n % 200))
            outcomes.add("done")
        except ExtractionError as err:
            outcomes.add(err.reason)
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
        assert signal.getsignal(signal.SIGALRM) is handler
    assert SkipReason.TOO_SLOW in outcomes
