"""Paywalls, teasers and consent walls: a short body gets a flag with a reason, never silence.

Two questions are kept apart: what the publisher declares (`declared_access`: free, paid,
metered), and whether the text we hold is the whole article (`is_complete`: false only with
evidence — a teaser behind a wall, a truncation prompt at its end, or far fewer words than
the publisher's own declared word count). A paid article extracted in full is complete.
"""

from __future__ import annotations

import re
from functools import cache
from weakref import WeakKeyDictionary

from lxml.html import HtmlElement

from newsingest.extraction.text import word_count
from newsingest.models.records import Access, Flag

SHORT_WORDS = 150  # below this a body may be a teaser; above it a wall phrase is just prose
_PAYWALL_MARKERS = ("paywall", "subscriber-only", "subscribers-only", "premium-content", "meteredcontent",
                    "regwall", "piano-offer", "tp-modal", "article-locked", "locked-content")  # fmt: skip
_METERED_MARKERS = ("metered", "meter-", "regwall")
MIN_DECLARED_SHARE = 0.5  # fewer words than half the declared wordCount: a cut text
MIN_DECLARED_WORDS = 150  # below this a declared count is too small to judge by
_CHARACTER_COUNT = (0.7, 1.3)  # a "wordCount" this close to our character count counts characters
_TAIL_CHARS = 300  # a truncation prompt sits at the end of what we got
_CONSENT_MARKERS = ("cookie-wall", "cookiewall", "consent-wall", "consentwall", "gdpr-consent", "cmp-container",
                    "qc-cmp", "sp_message_container", "onetrust-consent", "didomi-popup")  # fmt: skip
_TEASER = re.compile(
    r"\b(subscribe (now )?to (continue|keep) reading|to continue reading|subscribers? only|already a subscriber"
    r"|sign in to (continue|read)|log in to (continue|read)|become a (member|subscriber)|unlock (this|full) "
    r"(article|story)|this (article|content) is (for|available to) (subscribers|members))\b",
    re.IGNORECASE,
)
_CONSENT = re.compile(
    r"\b(we use cookies|accept (all )?cookies|cookie (policy|settings)|consent to|manage (your )?"
    r"(privacy |cookie )?(preferences|choices)|we and our partners)\b",
    re.IGNORECASE,
)


def detect_wall(tree: HtmlElement, text: str, accessible_for_free: bool | None) -> Flag | None:
    """The strongest wall signal on the page, or None.

    A short body behind a wall is a `teaser` (the record is incomplete); a full-length body
    on a page that declares a paywall is a `paywall` (complete here, maybe not for readers).
    """
    words = word_count(text)
    short = words < SHORT_WORDS
    if short and (consent := _consent(tree, text)):
        return Flag(kind="consent_wall", reason=f"{words} words, consent {consent}")
    paywall = _paywall(tree, accessible_for_free)
    if short and (paywall or (paywall := _teaser(text))):
        return Flag(kind="teaser", reason=f"{words} words, {paywall}")
    if paywall:
        return Flag(kind="paywall", reason=f"{paywall} ({words} words)")
    return None


def _paywall(tree: HtmlElement, accessible_for_free: bool | None) -> str | None:
    if accessible_for_free is False:
        return "JSON-LD isAccessibleForFree=false"
    if marker := _marker(tree, _PAYWALL_MARKERS):
        return f"paywall marker {marker!r}"
    return None


def _teaser(text: str) -> str | None:
    found = _TEASER.search(text)
    return f"text {found.group(0)!r}" if found else None


def _consent(tree: HtmlElement, text: str) -> str | None:
    if found := _CONSENT.search(text):
        return f"text {found.group(0)!r}"
    if marker := _marker(tree, _CONSENT_MARKERS):
        return f"overlay {marker!r}"
    return None


def _marker(tree: HtmlElement, markers: tuple[str, ...]) -> str | None:
    """The first marker named by a class or id on the page (one regex pass over all of them)."""
    found = _pattern(markers).search(_names(tree))
    return found.group(0) if found else None


_NAMES: WeakKeyDictionary[HtmlElement, str] = WeakKeyDictionary()


def _names(tree: HtmlElement) -> str:
    """Every class and id in the page's body, lower-cased, one per line: read once per page."""
    if (names := _NAMES.get(tree)) is None:
        names = _NAMES[tree] = "\n".join(tree.xpath("//body//@*[name()='class' or name()='id']")).lower()
    return names


@cache
def _pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, markers)))


def declared_access(tree: HtmlElement, accessible_for_free: bool | None) -> Access:
    """The publisher's word: JSON-LD isAccessibleForFree first, then paywall markup."""
    metered = _marker(tree, _METERED_MARKERS) is not None
    if accessible_for_free is True:
        return Access.FREE
    if accessible_for_free is False:
        return Access.METERED if metered else Access.PAID
    if metered:
        return Access.METERED
    return Access.PAID if _marker(tree, _PAYWALL_MARKERS) else Access.UNKNOWN


def is_complete(text: str, wall: Flag | None, declared_words: int | None) -> tuple[bool, str | None]:
    """(complete?, the evidence when not): a teaser or consent wall, a prompt to subscribe at the
    text's end, or under half the words the publisher declares."""
    if wall is not None and wall.kind in ("teaser", "consent_wall"):
        return False, f"{wall.kind}: {wall.reason}"
    if found := _TEASER.search(text[-_TAIL_CHARS:]):
        return False, f"truncation prompt {found.group(0)!r} at the end"
    words = word_count(text)
    counts_characters = _CHARACTER_COUNT[0] * len(text) <= (declared_words or 0) <= _CHARACTER_COUNT[1] * len(text)
    if (
        declared_words
        and declared_words >= MIN_DECLARED_WORDS
        and words < MIN_DECLARED_SHARE * declared_words
        and not counts_characters
    ):
        return False, f"{words} words of {declared_words} declared"
    return True, None
