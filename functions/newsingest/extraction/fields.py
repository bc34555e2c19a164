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
from newsingest.extraction.text import clean_text
from newsingest.models.messages import EntryHints
from newsingest.models.records import Flag

CLOCK_SKEW = timedelta(minutes=10)
NAIVE_SKEW = timedelta(hours=14)  # a time without a zone may be any local time on Earth
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
    r"|correspondents|reporters|media|press|news|nachrichten|noticias|nouvelles|notizie|nieuws|nyheter|haberler"
    r"|agentur|agence|agencia|agenzia|agência|agentschap|agencja|ajansı"
    r"|redaktion(en)?|rédaction|redacción|redazione|redação|redactie|redaksjon(en)?|redakcja|redakce|toimitus)\b",
    re.IGNORECASE,
)
_ROLE = re.compile(r"\b(correspondent|editor|reporter|writer|columnist|contributor|producer|analyst)\b", re.I)
# "Daniel Roe Redakteur": a job title after the name, in the languages bylines are written in.
_JOB_TITLES = (
    r"redakteur(in)?|reporter(in)?|korrespondent(in)?|journalist(in|e|a)?|rédact(eur|rice)|redactor(a)?"
    r"|giornalista|redaktør|reportér"
)
_ROLE_AFTER = re.compile(
    rf"\s+({_JOB_TITLES})$|\s*(기자|특파원|記者|记者|特派員|特派记者|編集委員|通讯员)$",  # CJK: often no space
    re.I,
)
_JOB_TITLE = re.compile(rf"([\w-]+-)?({_JOB_TITLES})", re.I)  # "Jane Doe, Online-Redakteurin": a part alone
# "Anna Roe, Sweidah 05.01.2025, 15:23": a byline row often ends with the date and time.
_DATE_AT_END = re.compile(r"(\s+\d{1,4}[./-]\d{1,2}[./-]\d{2,4})?(,?\s+\d{1,2}[:.]\d{2}(\s*uhr)?)?\s*$", re.I)
# Chinese, Japanese and Korean names are written without a space: one "word" is a full name.
_UNSPACED_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# "By", and its equivalents in other languages, before the names; labels such as "Author:".
_BY = re.compile(
    r"^\s*(((written|analysis|opinion|commentary|story|words|text|reporting|report)\s+)?by|von|par|por|door|av|af"
    r"|autor(in)?|author|auteur|autore|text|texte)\b\s*:?\s*",
    re.I,
)
_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|updated|published"
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# "Jeff Foust Monday", "Carrie Arnold November": the byline ran into the dateline ("Theresa May" stays).
_DATELINE = re.compile(rf"^(?:({_WEEKDAYS}|{_MONTHS})|(.+?)(\s+({_WEEKDAYS}))+|(\S+\s+.+?)\s+({_MONTHS}))$", re.I)
_CREDENTIALS = frozenset({"phd", "md", "ms", "ma", "mba", "rd", "rdn", "msc", "bsc", "jr", "sr"})
_GENERIC_LABELS = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "news"})
# "and" in the languages bylines are written in: en, de, fr, es, it/pt, nl, sv, da/no, pl, tr.
# "Capital Von Jemima Kelly": a label, then the by-word and a capitalised name.
_BY_INSIDE = re.compile(r"^(?:\S+\s+){1,3}(?-i:by|By|BY|von|Von|VON|par|Par|por|Por)\s+(?=(\w))")
_AND_WORDS = r"(?-i:\b(?:and|AND|und|et|y|e|en|och|og|i|ve)\b)|\bwith\b"
_AND = re.compile(rf"{_AND_WORDS}|&", re.IGNORECASE)
_SEPARATORS = re.compile(rf"\s*(?:,|;|&|\||、|，|{_AND_WORDS})\s*", re.IGNORECASE)
_INITIALS = re.compile(r"\s*\([\w.\s/-]{1,8}\)$")  # "Elena Oberholzer (obe)": the desk's short form
_DOMAIN_NOTE = re.compile(r"\s*\((https?://)?[\w-]+(\.[\w-]+)+/?\)")  # "Deutsche Welle (www.dw.com)"
# "Quelle: sid/dpa": a source line names agencies, not writers.
_SOURCE_LABEL = re.compile(r"^\s*(source|sources|quelle|quellen|fuente|fonte|kilde|källa|bron|źródło)\s*:\s*", re.I)


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
    for name in ("description", "section"):
        source, value = _first(signals, lambda s, n=name: clean_text(getattr(s, n)))
        _set(out, name, value, source)
    names = _site_names(signals, url, out.section)
    source, title = _title(signals, names)
    _set(out, "title", title, source)
    if out.description:
        out.description = _SHARE_PROMPT.sub("", out.description) or None
    source, image = _first(signals, lambda s: _absolute(s.image, url))
    _set(out, "image", image, source)
    for name in ("categories", "tags"):
        source, values = _first(signals, lambda s, n=name: _unique(getattr(s, n)))
        _set(out, name, values or [], source)
    _bylines(out, signals, site_label(url), names)
    _dates(out, signals, fetched_at)
    declared_source, declared = ("html_lang", declared_language) if declared_language else ("", None)
    if not declared:
        declared_source, declared = _first(signals, lambda s: s.language)
    out.language, how = detect_language(text, declared)
    if out.language:
        out.provenance["language"] = "text" if how == "text" else declared_source
    return out


def _title(signals: Sequence[Signals], names: Sequence[str]) -> tuple[str, str | None]:
    """The title readers see. Publishers write several (an SEO headline in JSON-LD, a share title
    in og:title, the headline on the page); when JSON-LD and og:title agree that is the title; when
    JSON-LD puts a kicker before og:title and the page shows og:title as a heading, og:title;
    otherwise the most trusted one the page shows as a heading, otherwise the most trusted one."""
    titles = [clean_text(s.title) for s in signals if s.title]
    stripped = ((s.source, strip_site_affixes(clean_text(s.title), names, titles)) for s in signals if s.title)
    candidates = [(source, title) for source, title in stripped if title]
    if not candidates:
        return "", None
    by_source = dict(reversed(candidates))
    jsonld, og = by_source.get("jsonld"), by_source.get("opengraph")
    if jsonld and og and _key(jsonld) == _key(og):
        return candidates[0]
    shown = {_key(h) for s in signals for h in s.headings} - {""}
    if jsonld and og and _key(og) in shown and _KICKER.match(jsonld) and jsonld[_KICKER.match(jsonld).end() :] == og:
        return "opengraph", og  # "Kicker: Headline" in JSON-LD, the headline alone shown and shared
    return next(((s, t) for s, t in candidates if s != "headline" and _key(t) in shown), candidates[0])


_KICKER = re.compile(r"[^:]{1,60}:\s+")


_AFFIX_SEPARATOR = re.compile(r"(\s+[|·•–—-]\s+|\s*[|｜ㅣ：]\s*|\s+::\s+)")
_DATE_LIKE = re.compile(r"[\d\s./-]+")
_SHARE_PROMPT = re.compile(
    r"^(share|teilen|partager|compartir|condividi|del)\b[^.:!?]{0,40}?\b(whatsapp|facebook|twitter|x|e-?mail"
    r"|linkedin|telegram)\b\s*[:.|-]?\s*",
    re.IGNORECASE,
)
_MIN_CONTAINED_NAME = 5  # shorter site names ("dw", "ntv") must match a whole word, not a substring


def strip_site_affixes(title: str, names: Sequence[str], others: Sequence[str] = ()) -> str:
    """'Headline | Site', 'Headline - Section - Site', 'Site: Headline' -> 'Headline'.

    A title that is another signal's title plus a separated tail is that title (the tail is
    branding). Otherwise whole segments that name the site or section, or are a date, go from
    either end. `names` are case-folded alphanumeric keys (see `_key`).
    """
    for other in others:
        if other and len(other) < len(title) and title.startswith(other) and _AFFIX_SEPARATOR.match(title, len(other)):
            return other
    parts = _AFFIX_SEPARATOR.split(title)  # [segment, separator, segment, ...]
    while len(parts) > 2 and _names_site(parts[-1], names):
        parts = parts[:-2]
    while len(parts) > 2 and _names_site(parts[0], names) and "：" not in parts[1]:
        parts = parts[2:]
    return "".join(parts).strip()


def _names_site(segment: str, names: Sequence[str]) -> bool:
    key = _key(segment)
    if not key or _DATE_LIKE.fullmatch(segment):
        return bool(segment.strip())
    words = {_key(w) for w in segment.split()}
    return any(key == n or n in words or (len(n) >= _MIN_CONTAINED_NAME and n in key) for n in names)


def _site_names(signals: Sequence[Signals], url: str, section: str | None) -> list[str]:
    declared = [name for s in signals for n in s.site_names for name in (n, _DOMAIN_NOTE.sub("", n))]
    found = [_key(n) for n in declared] + [_key(section or ""), site_label(url) or ""]
    return [n for n in dict.fromkeys(found) if n]


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def split_byline(byline: str, site: str | None = None) -> tuple[list[str], list[str]]:
    """'By Jane Doe, John Roe and AP Staff' -> (['Jane Doe', 'John Roe'], ['AP Staff']).

    `site` is the publisher's main domain label ("telegraph"): a byline naming it is a credit.
    """
    if source := _SOURCE_LABEL.match(byline):
        return [], [c for c in re.split(r"\s*[/,;&]\s*", byline[source.end() :].strip(" .")) if c]
    people: list[str] = []
    credits: list[str] = []
    if (note := _DOMAIN_NOTE.search(byline)) and site and _address_label(note.group(0)) == site:
        credits.append(byline[: note.start()].strip())  # "Deutsche Welle (www.dw.com)" on dw.com: the publisher
        byline = byline[note.end() :]
    byline = _DOMAIN_NOTE.sub("", byline)
    if (inside := _BY_INSIDE.match(byline)) and inside.group(1).isupper():
        byline = byline[inside.end() :]
    byline, affiliation = _affiliation(_BY.sub("", _DATE_AT_END.sub("", byline)))
    if affiliation:
        credits.append(affiliation)
    for part in _SEPARATORS.split(byline):
        name = _without_dateline(_INITIALS.sub("", _BY.sub("", part)).strip(" .:-–|()"))
        if not name or "@" in name or "://" in name:
            continue
        if any(c.isdigit() for c in name):  # a date or a count, unless a newsroom's name ("BR24 Redaktion")
            credits += [name] if _CREDIT_WORDS.search(name) else []
            continue
        person, agency = (None, name) if name.casefold() in _AGENCIES else _agency_suffix(name)
        if agency:
            credits.append(agency)
        if not person or person.casefold() in _CREDENTIALS or _JOB_TITLE.fullmatch(person):
            continue
        without_role = _ROLE_AFTER.sub("", person)
        if not without_role:
            continue  # a job title alone ("기자": reporter) names no one
        if len(without_role.split()) >= 2 or (without_role != person and _UNSPACED_NAME.search(without_role)):
            person = without_role
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


def _address_label(note: str) -> str | None:
    """' (https://www.dw.com/)' -> 'dw'."""
    return site_label("//" + note.strip(" ()/").split("//")[-1])


def site_label(url: str) -> str | None:
    """'https://www.telegraph.co.uk/x' -> 'telegraph': how a publisher names itself in bylines."""
    labels = (urlsplit(url).hostname or "").split(".")[:-1]
    while labels and labels[-1] in _GENERIC_LABELS:
        labels.pop()
    return labels[-1] if labels else None


def parse_datetime(value: str | None) -> datetime | None:
    """Any ISO 8601 or RFC 822-ish date string -> aware UTC datetime; naive values are taken as UTC."""
    when = _parse(value)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return when if when >= _EARLIEST else None


def _parse(value: str | None) -> datetime | None:
    """The date as written: aware when the string names a zone or offset, naive otherwise."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        pass
    try:
        with warnings.catch_warnings():  # an unknown zone name: taken as UTC below
            warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
            return dateparser.parse(value, tzinfos=_ZONES)
    except (ValueError, OverflowError):
        return None


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


def _bylines(out: Fields, signals: Sequence[Signals], site: str | None, names: Sequence[str]) -> None:
    """People and credits come from one signal: mixing two signals' bylines duplicates names.

    The first signal that names people wins; one that credits only organisations (often just
    the publisher itself) is the fallback, so a visible byline beats a JSON-LD "author" that is
    the site's own name.
    """
    fallback: tuple[str, list[str]] | None = None
    for signal in signals:
        people: list[str] = []
        credits = [c for c in (clean_text(c) for c in signal.credits) if c]
        for byline in signal.authors:
            found_people, found_credits = split_byline(clean_text(byline), site)
            for person in found_people:
                (credits if _key(person) in names else people).append(person)
            credits += found_credits
        if fallback is not None and people and all(len(p.split()) < 2 and not _UNSPACED_NAME.search(p) for p in people):
            continue  # below a signal that credited the site, lone words ("Red, Frankfurt") are no byline
        if people:
            out.authors, out.credits = _unique(_whole(people, signals, site, names)), _unique(credits)
            out.provenance["authors"] = signal.source
            return
        if credits and fallback is None:
            fallback = (signal.source, credits)
    if fallback:
        out.credits = _unique(fallback[1])
        out.provenance["authors"] = fallback[0]


def _whole(people: list[str], signals: Sequence[Signals], site: str | None, names: Sequence[str]) -> list[str]:
    """JSON-LD and meta tags often name only the first writer: a visible byline naming the same
    people and more is the whole list."""
    named = {person.casefold() for person in people}
    for signal in signals:
        if signal.source == "byline":
            shown = [p for b in signal.authors for p in split_byline(clean_text(b), site)[0] if _key(p) not in names]
            if named < {person.casefold() for person in shown}:
                return shown
    return people


@dataclass(frozen=True)
class _When:
    source: str
    value: datetime  # as written: naive when the signal gave no zone
    has_time: bool


def _dates(out: Fields, signals: Sequence[Signals], fetched_at: datetime) -> None:
    """The most trusted date, completed by the others: a time of day from a less trusted signal
    on the same day, a zone from a signal that writes the same wall-clock time (or, failing
    that, any zone the page's dates carry). A zoneless time is taken as UTC."""
    zones = [w.value.tzinfo for s in signals for raw in (s.published, s.modified) if (w := _when(s.source, raw))
             and w.value.tzinfo is not None]  # fmt: skip
    for name, attribute in (("published_at", "published"), ("modified_at", "modified")):
        found = [w for s in signals if (w := _when(s.source, getattr(s, attribute)))]
        if not found:
            continue
        best = found[0]
        if not best.has_time:
            best = next((w for w in found if w.has_time and w.value.date() == best.value.date()), best)
        when = best.value
        if when.tzinfo is None:
            same = (w.value for w in found if w.value.tzinfo is not None and _wall(w.value) == _wall(when))
            zone = next(same, None)
            when = when.replace(tzinfo=zone.tzinfo if zone else (zones[0] if zones and best.has_time else UTC))
        naive = best.value.tzinfo is None and when.tzinfo is UTC
        when = when.astimezone(UTC)
        if when < _EARLIEST:
            continue
        latest = fetched_at.astimezone(UTC) + (NAIVE_SKEW if naive else CLOCK_SKEW)
        if when > latest:
            out.flags.append(
                Flag(kind="future_date_clamped", reason=f"{name} {when.isoformat()} from {best.source} after fetch")
            )
            when = fetched_at.astimezone(UTC)
        _set(out, name, when, best.source)
    if out.published_at and out.modified_at and out.modified_at < out.published_at:
        out.modified_at = None
        out.provenance.pop("modified_at")


_TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def _when(source: str, raw: str | None) -> _When | None:
    """A date as written (naive if zoneless); a midnight with no other digits is a date only."""
    if not raw:
        return None
    value = _parse(raw)
    if value is None:
        return None
    has_time = bool(_TIME_OF_DAY.search(raw)) and (value.hour, value.minute, value.second) != (0, 0, 0)
    return _When(source, value, has_time)


def _wall(when: datetime) -> tuple:
    return (when.year, when.month, when.day, when.hour, when.minute)


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
