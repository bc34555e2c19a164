"""The offline process step: page bytes -> Article records, one batch at a time.

Per page: parse once, read every signal, extract the body with trafilatura, clean it,
check for walls, fingerprint it. Then one tagger call for the whole batch, so spaCy's
nlp.pipe (or Comprehend's batch API) sees every text at once. Versions and duplicates
are decided later by storage, which knows what was stored before.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml.etree import LxmlError

from newsingest import PIPELINE_VERSION
from newsingest.discovery.urls import prefer_page_canonical
from newsingest.entities.knowledge import CorpusMemory
from newsingest.entities.tagger import Tagger, TagRequest, TagResult
from newsingest.extraction.article_text import body_text, raw_text, trafilatura_document, trafilatura_version
from newsingest.extraction.body import MIN_COVERAGE, looks_cut, with_lead
from newsingest.extraction.fields import Fields, hint_signals, reconcile
from newsingest.extraction.fingerprints import content_hash, simhash
from newsingest.extraction.hydration import SIGNAL as HYDRATION
from newsingest.extraction.hydration import hydrated_body
from newsingest.extraction.liveblog import live_posts, live_text
from newsingest.extraction.page import ExtractionError, Page, parse_page, time_budget
from newsingest.extraction.signals import (
    byline_signals,
    dateline_signals,
    headline_signals,
    jsonld_signals,
    labelled_byline_signals,
    meta_signals,
    opengraph_signals,
    time_signals,
    trafilatura_signals,
)
from newsingest.extraction.text import clean_text, word_count
from newsingest.extraction.walls import SHORT_WORDS, declared_access, detect_wall, is_complete
from newsingest.models.messages import EntryHints
from newsingest.models.outcomes import SkipReason
from newsingest.models.records import Access, Article, Flag, LivePost, article_id_for

MIN_ARTICLE_WORDS = 10  # fewer, with no wall to explain it: a navigation or error page, not an article
TRAFILATURA = "trafilatura"  # the provenance of a body read from the markup
MIN_PRECISE_WORDS = 50  # fewer words from favor_precision: retry in trafilatura's balanced mode
# Seconds of extraction per page. The process Lambda has 120 s for a batch of at most 10 pages,
# fetched concurrently within a 30 s deadline: 10 pages x 8 s leaves room for the tagger and the
# writes, so one pathological page is skipped instead of timing the whole batch out.
PAGE_TIME_BUDGET = 8.0

__all__ = ["ExtractionError", "PageInput", "Skip", "process_page", "process_pages"]


@dataclass
class PageInput:
    html: bytes
    url: str  # the URL fetched, after redirects
    source_id: str
    fetched_at: datetime
    raw_s3_key: str | None = None
    raw_offset: int | None = None
    raw_length: int | None = None
    hints: EntryHints | None = None
    requested_url: str | None = None


@dataclass
class Skip:
    reason: SkipReason
    detail: str


@dataclass
class _Extracted:
    """One page after the per-page steps, waiting for the batch's tagger call."""

    page: Page
    source: PageInput
    fields: Fields
    text: str
    flags: list[Flag]
    access: Access = Access.UNKNOWN
    complete: bool = True
    posts: list[LivePost] | None = None  # None: not a live blog


def process_pages(
    inputs: Sequence[PageInput],
    *,
    tagger: Tagger | None,
    boilerplate: Mapping[str, Collection[str]] | None = None,
    memory: CorpusMemory | None = None,
    page_budget: float | None = PAGE_TIME_BUDGET,
) -> list[Article | Skip]:
    """One result per input, in order; a bad page becomes a Skip, never a failed batch.

    `boilerplate` maps source_id to the lines that source repeats (cleaning.repeated_lines);
    `memory` is what the stored corpus taught about names (storage.entity_knowledge).
    a page still in extraction after `page_budget` seconds is skipped as TOO_SLOW.
    """
    results: list[Article | Skip | _Extracted] = []
    for item in inputs:
        try:
            with time_budget(page_budget):
                results.append(_extract(item, (boilerplate or {}).get(item.source_id, ())))
        except ExtractionError as err:
            results.append(Skip(err.reason, err.detail))
        except (RecursionError, LxmlError) as err:  # markup that breaks the parser or the extractor
            results.append(Skip(SkipReason.NOT_HTML, f"unprocessable markup: {err!r}"))
    pending = [r for r in results if isinstance(r, _Extracted)]
    tags = iter(_tag(pending, tagger, memory))
    return [_article(r, next(tags), tagger) if isinstance(r, _Extracted) else r for r in results]


def process_page(
    html: bytes | str,
    url: str,
    *,
    source_id: str = "adhoc",
    fetched_at: datetime | None = None,
    tagger: Tagger | None = None,
) -> Article:
    """One saved page -> its Article; raises ExtractionError with the reason when there is none."""
    item = PageInput(
        html=html.encode("utf-8") if isinstance(html, str) else html,
        url=url,
        source_id=source_id,
        fetched_at=fetched_at or datetime.now(UTC),
    )
    result = process_pages([item], tagger=tagger)[0]
    if isinstance(result, Skip):
        raise ExtractionError(result.reason, result.detail)
    return result


def _extract(item: PageInput, repeated: Collection[str]) -> _Extracted:
    page = parse_page(item.html, item.url)
    document = trafilatura_document(page, with_metadata=True, favor_precision=True)
    signals = [
        jsonld := jsonld_signals(page.tree),
        byline_signals(page.tree),
        opengraph_signals(page.tree),
        meta_signals(page.tree),
        labelled_byline_signals(page.tree),
        headline_signals(page.tree),
        time_signals(page.tree),
        dateline_signals(page.tree),
        trafilatura_signals(document),
    ]
    titles = {s.title for s in signals}
    text = body_text(raw_text(document), repeated, titles)
    if word_count(text) < MIN_PRECISE_WORDS or looks_cut(text, page.tree):
        # Precision mode sometimes keeps only a stray block; balanced mode finds the article.
        fallback = body_text(raw_text(trafilatura_document(page, with_metadata=False)), repeated, titles)
        text = max(text, fallback, key=len)
    text_source = TRAFILATURA
    # A page that renders its article client-side carries it only in its hydration state.
    state = hydrated_body(page.tree, titles)
    hydrated = body_text(state.text, repeated, titles) if state.text else ""
    if hydrated and len(text) < MIN_COVERAGE * len(hydrated):
        text, text_source = hydrated, HYDRATION
    text = with_lead(text, next((clean_text(s.description) for s in signals if s.description), None), page.tree)
    live, posts = live_posts(page.tree)
    if posts:
        text = live_text(text, posts)
    if not text:
        wall = detect_wall(page.tree, raw_text(document), jsonld.accessible_for_free)
        detail = f"{wall.kind}: {wall.reason}" if wall else f"no article body ({state.outcome})"
        raise ExtractionError(SkipReason.NO_TEXT, detail)
    wall = detect_wall(page.tree, text, jsonld.accessible_for_free)
    words = word_count(text)
    if words < MIN_ARTICLE_WORDS and wall is None:
        raise ExtractionError(SkipReason.NOT_AN_ARTICLE, f"only {words} words of text and no wall")
    fields = reconcile(
        [*signals, hint_signals(item.hints)],
        text=text,
        url=item.url,
        fetched_at=item.fetched_at,
        declared_language=page.lang,
    )
    fields.provenance["text"] = text_source
    flags = list(fields.flags)
    complete, evidence = is_complete(text, wall, jsonld.word_count)
    if wall:
        flags.append(wall)
    elif not complete:
        flags.append(Flag(kind="teaser", reason=evidence or "cut short"))
    elif words < SHORT_WORDS / 3:
        flags.append(Flag(kind="short_text", reason=f"{words} words"))
    return _Extracted(
        page=page,
        source=item,
        fields=fields,
        text=text,
        flags=flags,
        access=declared_access(page.tree, jsonld.accessible_for_free),
        complete=complete,
        posts=posts if live else None,
    )


def _tag(pending: list[_Extracted], tagger: Tagger | None, memory: CorpusMemory | None) -> list[TagResult]:
    if tagger is None:
        return [TagResult(flag=Flag(kind="not_tagged", reason="no tagger configured")) for _ in pending]
    requests = [TagRequest(text=p.text, title=p.fields.title, language=p.fields.language) for p in pending]
    return tagger.tag(requests, memory) if requests else []


def _article(extracted: _Extracted, tags: TagResult, tagger: Tagger | None) -> Article:
    item, fields, text = extracted.source, extracted.fields, extracted.text
    canonical = prefer_page_canonical(item.url, extracted.page.canonical)
    versions = {"trafilatura": trafilatura_version()}
    if tagger is not None:
        versions["tagger"] = tagger.name
    return Article(
        article_id=article_id_for(canonical),
        url=item.url,
        canonical_url=canonical,
        source_id=item.source_id,
        domain=(urlsplit(canonical).hostname or "").removeprefix("www."),
        title=fields.title,
        description=fields.description,
        authors=fields.authors,
        credits=fields.credits,
        published_at=fields.published_at,
        modified_at=fields.modified_at,
        fetched_at=item.fetched_at,
        language=fields.language,
        section=fields.section,
        categories=fields.categories,
        tags=fields.tags,
        image=fields.image,
        text=text,
        word_count=word_count(text),
        access=extracted.access,
        text_complete=extracted.complete,
        live_blog=extracted.posts is not None,
        posts=extracted.posts or [],
        content_hash=content_hash(text),
        simhash=simhash(text),
        entities=tags.entities,
        flags=extracted.flags + ([tags.flag] if tags.flag else []),
        provenance=fields.provenance,
        raw_s3_key=item.raw_s3_key,
        raw_offset=item.raw_offset,
        raw_length=item.raw_length,
        pipeline_version=PIPELINE_VERSION,
        extractor_versions=versions,
    )


_WARM_UP_PAGE = (
    "<html lang='en'><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour board in Southampton approved the terminal, Jane Smith said.</p>"
        for n in range(6)
    )
    + "</article></body></html>"
).encode()


def warm_up(tagger: Tagger | None) -> None:
    """Run one offline page through the core: every lazy load (the tagger's model, the language
    model, trafilatura's tables) happens now, not on the first real batch."""
    process_pages([PageInput(_WARM_UP_PAGE, "https://warm-up.invalid/", "warm-up", datetime.now(UTC))], tagger=tagger)
