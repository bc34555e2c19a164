"""Paywalls, teasers and consent walls: a short body gets a flag with a reason, never silence."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from newsingest.extraction.text import word_count
from newsingest.models.records import Flag

SHORT_WORDS = 150  # below this a body may be a teaser; above it a wall phrase is just prose
_PAYWALL_MARKERS = ("paywall", "subscriber-only", "subscribers-only", "premium-content", "meteredcontent",
                    "regwall", "piano-offer", "tp-modal", "article-locked", "locked-content")  # fmt: skip
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
    """The first class/id on the page that names one of the markers."""
    for value in tree.xpath("//body//@class | //body//@id"):
        lowered = value.lower()
        for marker in markers:
            if marker in lowered:
                return marker
    return None
