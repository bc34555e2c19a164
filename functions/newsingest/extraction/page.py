"""Parse a page once: every later step (signals, trafilatura, walls) reads this one lxml tree.

trafilatura.bare_extraction accepts the tree and copies it before pruning (it does not
re-parse), so our tree stays intact for the steps that run after it.

This is also the guard at the core's entry, because a page is a stranger's bytes: the cap
holds for what is parsed, not only for what crossed the wire (a 55 KB body that is itself
gzip inflates to 19 MB of markup), markup beyond what any article needs (hundreds of
thousands of elements, a link farm) is refused before the extractors walk it, and
`time_budget` stops whatever still runs too long.
"""

from __future__ import annotations

import signal
import threading
import zlib
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement
from trafilatura.utils import decode_file, load_html

from newsingest.models.outcomes import SkipReason

MAX_PAGE_BYTES = 10_000_000  # twice the fetcher's cap: larger input was never a fetched page
MAX_ELEMENTS = 200_000  # a long article page has a few thousand
MAX_LINKS = 20_000  # a busy home page has a few thousand; more is a link farm
_GZIP = b"\x1f\x8b"
_COMPRESSED = (_GZIP, b"\x28\xb5\x2f\xfd")  # gzip, zstd: trafilatura would inflate these, without our cap
_MAX_LAYERS = 2  # gzip inside gzip happens (a server compressing a .gz); deeper is an attack
_CONTROL_SHARE = 0.05  # more control characters than this: binary, not HTML


class ExtractionError(Exception):
    """A page that cannot give an article, with the reason it is skipped."""

    def __init__(self, reason: SkipReason, detail: str):
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Page:
    url: str
    tree: HtmlElement
    lang: str | None  # the <html lang> attribute: a hint, the text decides
    canonical: str | None  # <link rel=canonical href>


def parse_page(html: bytes | str, url: str) -> Page:
    """Decode (BOM, meta charset, detection) and parse into the one tree every step reuses."""
    if len(html) > MAX_PAGE_BYTES:
        raise ExtractionError(SkipReason.TOO_LARGE, f"{len(html)} bytes/characters > {MAX_PAGE_BYTES}")
    if isinstance(html, bytes):
        html = _inflated(html)
    text = decode_file(html, max_size=MAX_PAGE_BYTES).removeprefix("\ufeff")  # it tries deflate/brotli too
    if len(text) > MAX_PAGE_BYTES:
        raise ExtractionError(SkipReason.TOO_LARGE, f"decodes to {len(text)} characters > {MAX_PAGE_BYTES}")
    if not text.strip():
        raise ExtractionError(SkipReason.NO_TEXT, "empty page")
    if _looks_binary(text):
        raise ExtractionError(SkipReason.NOT_HTML, "binary content")
    if text.count("<") > 2 * MAX_ELEMENTS:  # counted before parsing: parsing it is already the cost
        raise ExtractionError(SkipReason.TOO_LARGE, f"more than {2 * MAX_ELEMENTS} tags")
    tree = load_html(text)
    if tree is None or tree.find("body") is None:
        raise ExtractionError(SkipReason.NOT_HTML, "not parseable as an HTML document")
    _check_markup(tree)
    _drop_next_articles(tree)
    return Page(url=url, tree=tree, lang=_lang(tree), canonical=_canonical(tree))


MIN_ARTICLE_PROSE = 500  # characters of <p> text in an <article> that is a whole story, not a teaser


def _drop_next_articles(tree: HtmlElement) -> None:
    """An infinite-scroll page appends the next stories below the one asked for, each a whole
    <article> with its own <h1>: only the first is this page's, the others are removed (from the
    body, the byline and the dates alike)."""
    stories = [
        article
        for article in tree.xpath("//body//article[not(ancestor::article)][.//h1]")
        if prose_chars_in(article) >= MIN_ARTICLE_PROSE
    ]
    for article in stories[1:]:
        article.drop_tree()


def prose_chars_in(element: HtmlElement) -> int:
    """Characters of <p> text in `element`: a whole story has MIN_ARTICLE_PROSE, a teaser card less."""
    return sum(len(" ".join(p.text_content().split())) for p in element.iter("p"))


def _inflated(data: bytes) -> bytes:
    """A body that is itself gzip (double-encoded on the wire) inflated here, capped at MAX_PAGE_BYTES."""
    for _ in range(_MAX_LAYERS):
        if not data.startswith(_GZIP):
            break
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            inflated = inflater.decompress(data, MAX_PAGE_BYTES + 1)
        except zlib.error as err:
            raise ExtractionError(SkipReason.NOT_HTML, f"corrupt gzip content: {err}") from err
        if len(inflated) > MAX_PAGE_BYTES:
            raise ExtractionError(SkipReason.TOO_LARGE, f"gzip content inflates past {MAX_PAGE_BYTES} bytes")
        data = inflated
    if data.startswith(_COMPRESSED):
        raise ExtractionError(SkipReason.NOT_HTML, "compressed content nested too deep or not gzip")
    return data


def _check_markup(tree: HtmlElement) -> None:
    """Refuse markup no article needs before the extractors walk it (their cost grows faster than its size)."""
    links = 0
    for elements, element in enumerate(tree.iter(), 1):
        links += element.tag == "a"
        if elements > MAX_ELEMENTS:
            raise ExtractionError(SkipReason.TOO_LARGE, f"more than {MAX_ELEMENTS} elements")
    if links > MAX_LINKS:
        raise ExtractionError(SkipReason.TOO_LARGE, f"{links} links > {MAX_LINKS}: a link farm, not an article")


BUDGET_RETRY_SECONDS = 0.05  # the timer's repeat once a budget has run out (see time_budget)


class _OutOfTime(BaseException):
    """Raised inside the page's work by the timer; a BaseException so no `except Exception` swallows it."""


class time_budget:  # lower case: used as `with time_budget(seconds):`, like a function
    """Raise ExtractionError(TOO_SLOW) in the block once `seconds` have passed.

    A SIGALRM timer, because lxml and trafilatura cannot be asked to stop: the exception lands
    at the next Python instruction. If that instruction is one that drops exceptions (a `__del__`,
    a weakref callback, a library's bare `except:`), the timer fires again every
    BUDGET_RETRY_SECONDS until the block ends. A firing that lands in the budget's own enter or
    exit is let pass (raised there, it would escape the `with` and leave the timer running into
    whatever runs next); the next one lands in the block. Lambda runs handlers on the main thread;
    elsewhere (a thread) signals are unavailable and only the markup caps bound the work.
    """

    def __init__(self, seconds: float | None, what: str = "page"):
        self.seconds = seconds
        self.what = what
        self.active = bool(seconds) and threading.current_thread() is threading.main_thread()
        self.armed = False
        self.previous: Any = None

    def __enter__(self) -> time_budget:
        if self.active:
            self.armed = True
            self.previous = signal.signal(signal.SIGALRM, self._expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds, BUDGET_RETRY_SECONDS)
        return self

    def __exit__(self, kind, value, traceback) -> bool:
        if self.armed:
            self.armed = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        if kind is _OutOfTime:
            raise ExtractionError(
                SkipReason.TOO_SLOW, f"{self.what} not processed within its {self.seconds:g} s budget"
            ) from None
        return False

    def _expire(self, _signum, frame) -> None:
        if self.armed and frame is not None and frame.f_code not in _BUDGET_OWN_CODE:
            raise _OutOfTime


_BUDGET_OWN_CODE = frozenset({time_budget.__enter__.__code__, time_budget.__exit__.__code__})


def _looks_binary(text: str) -> bool:
    head = text[:4096]
    controls = sum(1 for c in head if c < " " and c not in "\t\n\r\f")
    return controls > len(head) * _CONTROL_SHARE or "\ufffd" * 8 in head


def _lang(tree: HtmlElement) -> str | None:
    value = (tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or "").strip()
    return value or None


def _canonical(tree: HtmlElement) -> str | None:
    for href in tree.xpath('//head/link[@rel="canonical"]/@href'):
        if href.strip():
            return href.strip()
    return None
