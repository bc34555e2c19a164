"""Per-field reconciliation: the best candidate across signals, and which signal it came from.

Signals arrive in order of trust (JSON-LD, OpenGraph, plain meta, trafilatura, the feed's
hints); for each field the first usable candidate wins. Bylines are split into people
(`authors`) and organisation/agency/staff credits (`credits`); dates are UTC and never
later than the fetch beyond a small clock skew.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from dateutil import parser as dateparser

from newsingest.extraction.language import detect_language
from newsingest.extraction.signals import Signals
from newsingest.models.messages import EntryHints
from newsingest.models.records import Flag

CLOCK_SKEW = timedelta(minutes=10)
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)  # before the web had news sites: a parsing accident
_MAX_NAME_WORDS = 6
_HOUR = 3600
_ZONES = {"GMT": 0, "UTC": 0, "BST": _HOUR, "CET": _HOUR, "CEST": 2 * _HOUR, "EST": -5 * _HOUR, "EDT": -4 * _HOUR,
          "CST": -6 * _HOUR, "CDT": -5 * _HOUR, "MST": -7 * _HOUR, "MDT": -6 * _HOUR, "PST": -8 * _HOUR,
          "PDT": -7 * _HOUR, "IST": 5 * _HOUR + 1800}  # fmt: skip
_AGENCIES = frozenset(
    {
        "ap", "associated press", "the associated press", "reuters", "thomson reuters", "afp",
        "agence france-presse", "agence france presse", "pa", "pa media", "press association", "bloomberg",
        "dpa", "efe", "ansa", "upi", "xinhua", "kyodo", "tass", "aap", "the canadian press", "canadian press",
        "ani", "pti", "ians", "yonhap", "anadolu", "cnn wire",
    }
)  # fmt: skip
_CREDIT_WORDS = re.compile(
    r"\b(staff|newsroom|desk|editors|editorial|team|wires?|agency|agencies|news service|contributors"
    r"|correspondents|reporters|media|press|news)\b",
    re.IGNORECASE,
)
_ROLE = re.compile(r"\b(correspondent|editor|reporter|writer|columnist|contributor|producer|analyst)\b", re.I)
_BY = re.compile(r"^\s*((written|analysis|opinion|commentary|story|words|text|reporting|report)\s+)?by\b\s*:?\s*", re.I)
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|updated|published"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# "Jeff Foust Monday", "Carrie Arnold November": the byline ran into the dateline ("Theresa May" stays).
_DATELINE = re.compile(rf"^(?:({_WEEKDAYS}|{_MONTHS})|(.+?)(\s+({_WEEKDAYS}))+|(\S+\s+.+?)\s+({_MONTHS}))$", re.I)
_CREDENTIALS = frozenset({"phd", "md", "ms", "ma", "mba", "rd", "rdn", "msc", "bsc", "jr", "sr"})
_GENERIC_LABELS = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "news"})
_AND = re.compile(r"\band\b|&", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:,|;|&|\||\band\b|\bwith\b)\s*", re.IGNORECASE)


@dataclass
class Fields:
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    modified_at: datetime | None = None
    language: str | None = None
    section: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)
    flags: list[Flag] = field(default_factory=list)


def hint_signals(hints: EntryHints | None) -> Signals:
    """The feed's or sitemap's word on an entry: the last resort for every field."""
    if hints is None:
        return Signals("feed")
    return Signals(
        "feed",
        title=hints.title,
        published=hints.published_at.isoformat() if hints.published_at else None,
        modified=hints.modified_at.isoformat() if hints.modified_at else None,
        language=hints.language,
    )


def reconcile(
    signals: Sequence[Signals], *, text: str, url: str, fetched_at: datetime, declared_language: str | None
) -> Fields:
    """Pick each field from the most trusted signal that has it; `declared_language` is <html lang>."""
    out = Fields()
    for name in ("title", "description", "section"):
        source, value = _first(signals, lambda s, n=name: getattr(s, n))
        _set(out, name, value, source)
    source, image = _first(signals, lambda s: _absolute(s.image, url))
    _set(out, "image", image, source)
    for name in ("categories", "tags"):
        source, values = _first(signals, lambda s, n=name: _unique(getattr(s, n)))
        _set(out, name, values or [], source)
    _bylines(out, signals, site_label(url))
    _dates(out, signals, fetched_at)
    declared_source, declared = ("html_lang", declared_language) if declared_language else ("", None)
    if not declared:
        declared_source, declared = _first(signals, lambda s: s.language)
    out.language, how = detect_language(text, declared)
    if out.language:
        out.provenance["language"] = "text" if how == "text" else declared_source
    return out


def split_byline(byline: str, site: str | None = None) -> tuple[list[str], list[str]]:
    """'By Jane Doe, John Roe and AP Staff' -> (['Jane Doe', 'John Roe'], ['AP Staff']).

    `site` is the publisher's main domain label ("telegraph"): a byline naming it is a credit.
    """
    people: list[str] = []
    credits: list[str] = []
    byline, affiliation = _affiliation(_BY.sub("", byline))
    if affiliation:
        credits.append(affiliation)
    for part in _SEPARATORS.split(byline):
        name = _without_dateline(_BY.sub("", part).strip(" .:-–|"))
        if not name or "@" in name or "://" in name or any(c.isdigit() for c in name):
            continue
        person, agency = _agency_suffix(name)
        if agency:
            credits.append(agency)
        if not person or person.casefold() in _CREDENTIALS:
            continue
        if _is_credit(person, site):
            credits.append(person)
        elif not _ROLE.search(person) and len(person.split()) <= _MAX_NAME_WORDS:
            people.append(person)
    return people, credits


def _affiliation(byline: str) -> tuple[str, str | None]:
    """'A and B, Harbour Times' -> ('A and B', 'Harbour Times'): after names joined by "and", a last
    comma introduces their organisation ('A, B and C' has no such comma)."""
    head, comma, tail = byline.rpartition(",")
    tail = tail.strip(" .")
    if comma and _AND.search(head) and tail and not _AND.search(tail) and not any(c.isdigit() for c in tail):
        return head, tail
    return byline, None


def site_label(url: str) -> str | None:
    """'https://www.telegraph.co.uk/x' -> 'telegraph': how a publisher names itself in bylines."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1]
    while labels and labels[-1] in _GENERIC_LABELS:
        labels.pop()
    return labels[-1] if labels else None


def parse_datetime(value: str | None) -> datetime | None:
    """Any ISO 8601 or RFC 822-ish date string -> aware UTC datetime; naive values are taken as UTC."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            with warnings.catch_warnings():  # an unknown zone name: taken as UTC below
                warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
                when = dateparser.parse(value, tzinfos=_ZONES)
        except (ValueError, OverflowError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return when if when >= _EARLIEST else None


def _is_credit(name: str, site: str | None) -> bool:
    lowered = name.casefold()
    domain_like = "." in name and " " not in name  # "Express.co.uk"
    acronym = name.isupper() and " " not in name and len(name) <= 5  # "CNN", "HNN"
    names_site = site is not None and (site in lowered.split() or lowered.replace(" ", "") == site)
    return lowered in _AGENCIES or domain_like or acronym or names_site or bool(_CREDIT_WORDS.search(name))


def _without_dateline(name: str) -> str:
    match = _DATELINE.match(name)
    if not match:
        return name
    return match.group(2) or match.group(5) or ""


def _agency_suffix(name: str) -> tuple[str, str | None]:
    """'JILL LAWLESS Associated Press' -> ('JILL LAWLESS', 'Associated Press')."""
    words = name.split()
    for size in (3, 2, 1):
        if len(words) > size and " ".join(words[-size:]).casefold() in _AGENCIES:
            return " ".join(words[:-size]), " ".join(words[-size:])
    return name, None


def _bylines(out: Fields, signals: Sequence[Signals], site: str | None) -> None:
    """People and credits come from one signal: mixing two signals' bylines duplicates names."""
    for signal in signals:
        people: list[str] = []
        credits = list(signal.credits)
        for byline in signal.authors:
            found_people, found_credits = split_byline(byline, site)
            people += found_people
            credits += found_credits
        if people or credits:
            out.authors, out.credits = _unique(people), _unique(credits)
            out.provenance["authors"] = signal.source
            return


def _dates(out: Fields, signals: Sequence[Signals], fetched_at: datetime) -> None:
    latest = fetched_at.astimezone(UTC) + CLOCK_SKEW
    for name, attribute in (("published_at", "published"), ("modified_at", "modified")):
        source, when = _first(signals, lambda s, a=attribute: parse_datetime(getattr(s, a)))
        if when is not None and when > latest:
            out.flags.append(
                Flag(kind="future_date_clamped", reason=f"{name} {when.isoformat()} from {source} after fetch")
            )
            when = fetched_at.astimezone(UTC)
        _set(out, name, when, source)
    if out.published_at and out.modified_at and out.modified_at < out.published_at:
        out.modified_at = None
        out.provenance.pop("modified_at")


def _first(signals, pick):
    for signal in signals:
        value = pick(signal)
        if value:
            return signal.source, value
    return "", None


def _set(out: Fields, name: str, value, source: str) -> None:
    if value:
        setattr(out, name, value)
        out.provenance[name] = source


def _unique(values: Sequence[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        text = " ".join(value.split())
        if text:
            seen.setdefault(text.casefold(), text)
    return list(seen.values())


def _absolute(link: str | None, base: str) -> str | None:
    if not link:
        return None
    absolute = urljoin(base, link.strip())
    return absolute if absolute.startswith(("http://", "https://")) else None
