"""Metadata quality on the Fundus parser test pages: title, authors, publication date, body.

Per page, for our process step and for trafilatura's bare_extraction in the same run:
- title: exact, after decoding HTML entities, Unicode NFC, dropping invisible format characters
  (zero-width spaces, soft hyphens: the ground truth keeps some, readers see none) and collapsing
  whitespace;
- authors: set F1 of case-folded names (our people and organisation credits together, since
  the ground truth lists agencies as authors; pages whose parser has no author field are left out);
- date: published_at equal to the ground truth to the minute in UTC, and to the day (the same
  calendar day in UTC or in the ground truth's own offset). A ground truth without an offset is
  a local time: it matches when it equals ours read as UTC (as our parser reads a zoneless time)
  or as the local time of the publisher's country (the dataset's folder);
- body: the article-extraction benchmark's metric (word 4-gram shingles, macro P/R over pages)
  against the ground truth's summary, subheadings and paragraphs.
A skipped page scores zero on every field. Rows are per language (identified from the ground
truth text), then overall. Per-page predictions go to out/metadata-<system>.jsonl.
"""

from __future__ import annotations

import html
import json
import statistics
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import trafilatura
from _dataset import OUT, score, tp_fp_fn  # bench/ is on sys.path: run as a script
from _fundus import FundusPage, load_pages
from rich.console import Console
from rich.table import Table

from newsingest.pipeline.process import PageInput, Skip, process_pages

BATCH = 10
# The dataset's country folders -> the zone of each country's capital, for zoneless ground truth.
COUNTRY_ZONES = {
    "at": "Europe/Vienna", "au": "Australia/Sydney", "be": "Europe/Brussels", "ca": "America/Toronto",
    "ch": "Europe/Zurich", "cn": "Asia/Shanghai", "cz": "Europe/Prague", "de": "Europe/Berlin",
    "dk": "Europe/Copenhagen", "es": "Europe/Madrid", "fr": "Europe/Paris", "gl": "America/Nuuk",
    "id": "Asia/Jakarta", "il": "Asia/Jerusalem", "ind": "Asia/Kolkata", "isl": "Atlantic/Reykjavik",
    "it": "Europe/Rome", "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "lb": "Asia/Beirut", "li": "Europe/Vaduz",
    "ls": "Africa/Maseru", "lt": "Europe/Vilnius", "lu": "Europe/Luxembourg", "mx": "America/Mexico_City",
    "my": "Asia/Kuala_Lumpur", "na": "Africa/Windhoek", "no": "Europe/Oslo", "pl": "Europe/Warsaw",
    "pt": "Europe/Lisbon", "py": "America/Asuncion", "ru": "Europe/Moscow", "se": "Europe/Stockholm",
    "tr": "Europe/Istanbul", "tw": "Asia/Taipei", "tz": "Africa/Dar_es_Salaam", "ua": "Europe/Kyiv",
    "vn": "Asia/Ho_Chi_Minh", "za": "Africa/Johannesburg",
}  # fmt: skip
TARGETS = {"title": 0.90, "authors": 0.93, "minute": 0.97, "body": 0.95}


@dataclass
class Prediction:
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    body: str = ""
    skipped: str | None = None
    text_complete: bool | None = None
    access: str | None = None
    live_blog: bool | None = None


@dataclass
class PageScore:
    title: float
    authors: float | None
    minute: float
    day: float


def ours(pages: Sequence[FundusPage]) -> dict[str, Prediction]:
    predicted: dict[str, Prediction] = {}
    for start in range(0, len(pages), BATCH):
        batch = pages[start : start + BATCH]
        inputs = [
            PageInput(html=p.html, url=p.url, source_id="bench", fetched_at=p.crawled_at.replace(tzinfo=UTC))
            for p in batch
        ]
        for page, result in zip(batch, process_pages(inputs, tagger=None), strict=True):
            if isinstance(result, Skip):
                predicted[page.id] = Prediction(skipped=f"{result.reason.value}: {result.detail}")
                continue
            predicted[page.id] = Prediction(
                title=result.title,
                authors=[*result.authors, *result.credits],
                published=result.published_at,
                body=result.text,
                text_complete=getattr(result, "text_complete", None),
                access=getattr(result, "access", None),
                live_blog=getattr(result, "live_blog", None),
            )
    return predicted


def bare(pages: Sequence[FundusPage]) -> dict[str, Prediction]:
    predicted: dict[str, Prediction] = {}
    for page in pages:
        document = trafilatura.bare_extraction(page.html, url=page.url, with_metadata=True)
        if document is None:
            predicted[page.id] = Prediction(skipped="no document")
            continue
        predicted[page.id] = Prediction(
            title=document.title,
            authors=[a.strip() for a in (document.author or "").split(";") if a.strip()],
            published=_parsed(document.date),
            body=document.text or "",
        )
    return predicted


def score_page(page: FundusPage, prediction: Prediction) -> PageScore:
    truth = page.truth
    return PageScore(
        title=float(bool(prediction.title) and _normal(prediction.title) == _normal(truth.title)),
        authors=None if truth.authors is None else _set_f1(truth.authors, prediction.authors),
        minute=float(any(_same_minute(t, prediction.published) for t in _readings(truth.published, page.country))),
        day=float(any(_same_day(t, prediction.published) for t in _readings(truth.published, page.country))),
    )


def summarise(pages: Sequence[FundusPage], predicted: dict[str, Prediction]) -> dict[str, float]:
    scores = [score_page(p, predicted[p.id]) for p in pages]
    authors = [s.authors for s in scores if s.authors is not None]
    body = score({p.id: p.body for p in pages}, {p.id: predicted[p.id].body for p in pages})
    return {
        "title": statistics.mean(s.title for s in scores),
        "authors": statistics.mean(authors) if authors else float("nan"),
        "minute": statistics.mean(s.minute for s in scores),
        "day": statistics.mean(s.day for s in scores),
        "body": body["f1"],
    }


def report(
    pages: Sequence[FundusPage], systems: dict[str, dict[str, Prediction]], console: Console, title: str = ""
) -> None:
    languages: dict[str, list[FundusPage]] = {}
    for page in pages:
        languages.setdefault(page.language, []).append(page)
    rows = [*sorted(languages.items(), key=lambda kv: (-len(kv[1]), kv[0])), ("all", list(pages))]
    names = list(systems)
    title = title or f"Metadata, {len(pages)} pages (fundus-parser-tests): ours / {' / '.join(names[1:])}"
    table = Table(title=title)
    table.add_column("language")
    table.add_column("pages", justify="right")
    for column in ("title", "authors F1", "date minute", "date day", "body F1"):
        table.add_column(column, justify="right")
    for language, subset in rows:
        results = [summarise(subset, systems[name]) for name in names]
        cells = [" / ".join(f"{r[k]:.3f}" for r in results) for k in ("title", "authors", "minute", "day", "body")]
        table.add_row(language, str(len(subset)), *cells, end_section=language == rows[-2][0])
    console.print(table)
    overall = summarise(pages, systems[names[0]])
    verdicts = ", ".join(f"{k} {overall[k]:.3f} (>= {t:.2f})" for k, t in TARGETS.items())
    console.print(f"targets: {verdicts}")
    ours_predicted = systems[names[0]]
    skipped = [p.id for p in pages if ours_predicted[p.id].skipped]
    incomplete = [p.id for p in pages if ours_predicted[p.id].text_complete is False]
    live = [p.id for p in pages if ours_predicted[p.id].live_blog]
    console.print(
        f"{names[0]}: {len(skipped)} skipped {skipped}; text_complete false on {len(incomplete)}/{len(pages)} "
        f"({len(incomplete) / len(pages):.1%}) {incomplete}; live_blog on {len(live)} {live}"
    )


def write_details(name: str, pages: Sequence[FundusPage], predicted: dict[str, Prediction]) -> None:
    OUT.mkdir(exist_ok=True)
    with (OUT / f"metadata-{name.replace(' ', '-')}.jsonl").open("w", encoding="utf-8") as out:
        for page in pages:
            prediction = predicted[page.id]
            row = {
                "id": page.id,
                "language": page.language,
                "url": page.url,
                "score": asdict(score_page(page, prediction)),
                "title": [page.truth.title, prediction.title],
                "authors": [page.truth.authors, prediction.authors],
                "published": [_iso(page.truth.published), _iso(prediction.published)],
                "body_tp_fp_fn": [round(x, 3) for x in tp_fp_fn(page.body, prediction.body)],
                "skipped": prediction.skipped,
                "text_complete": prediction.text_complete,
                "access": prediction.access,
                "live_blog": prediction.live_blog,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(console: Console) -> None:
    pages = list(load_pages())
    systems: dict[str, Callable[[Sequence[FundusPage]], dict[str, Prediction]]] = {
        "newsingest": ours,
        "trafilatura": bare,
    }
    predicted = {name: system(pages) for name, system in systems.items()}
    for name, values in predicted.items():
        write_details(name, pages, values)
    report(pages, predicted, console)
    console.print(f"per-page details in {OUT}/metadata-*.jsonl")


def _normal(text: str) -> str:
    visible = "".join(c for c in html.unescape(text) if unicodedata.category(c) != "Cf")
    return " ".join(unicodedata.normalize("NFC", visible).split())


def _name(text: str) -> str:
    return _normal(text).casefold()


def _set_f1(expected: Sequence[str], predicted: Sequence[str]) -> float:
    truth, ours_ = {_name(a) for a in expected}, {_name(a) for a in predicted}
    if not truth and not ours_:
        return 1.0
    hits = len(truth & ours_)
    if not hits:
        return 0.0
    precision, recall = hits / len(ours_), hits / len(truth)
    return 2 * precision * recall / (precision + recall)


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _readings(truth: datetime | None, country: str) -> list[datetime | None]:
    """The ground truth as given, or both readings of a zoneless one (UTC, the country's zone)."""
    if truth is None or truth.tzinfo is not None:
        return [truth]
    readings = [truth.replace(tzinfo=UTC)]
    if country in COUNTRY_ZONES:
        readings.append(truth.replace(tzinfo=ZoneInfo(COUNTRY_ZONES[country])))
    return readings


def _same_minute(truth: datetime | None, ours_: datetime | None) -> bool:
    if truth is None or ours_ is None:
        return truth is ours_
    return _utc(truth).replace(second=0, microsecond=0) == _utc(ours_).replace(second=0, microsecond=0)


def _same_day(truth: datetime | None, ours_: datetime | None) -> bool:
    if truth is None or ours_ is None:
        return truth is ours_
    local = ours_.astimezone(truth.tzinfo) if truth.tzinfo else _utc(ours_)
    return _utc(truth).date() == _utc(ours_).date() or truth.date() == local.date()


def _parsed(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when else None


if __name__ == "__main__":
    run(Console(width=160))
