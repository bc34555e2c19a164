"""The commit of one SQS batch: every prepared record made visible with a handful of batched writes,
crash-consistent (the protocol, and what a crash after each step leaves: docs/commit.md).

  R  read    one BatchGetItem: LATEST, hash claims and the SimHash buckets of the batch's texts
             (near-duplicate candidates); one more: the latest versions' outbox marks (their
             canonical URL items: complete once one carries the version)
  D  decide  per record: skip, unchanged, new version, duplicate, or finish an unfinished version
  P  keep    only in a batch with updates: the replaced versions' listings as V# items (LATEST holds
             the newest version alone), before C overwrites them
  C  claim   one conditional PutItem of LATEST per new version: the version's number is taken here
  S  S3      the records, concurrently
  M  merge   one BatchGetItem set: the shared items the batch adds to (SimHash buckets, the corpus
             memory of entity names), merged with every record's additions
             (set and map additions: a redelivery that finishes the version merges the same again)
  I  index   one BatchWriteItem set: entity and hash items, the URL items of skipped and unchanged
             records, and the merged shared items (one write per item per batch, none when nothing changed)
  E  events  one PutEvents per ten entries
  F  flush   one BatchWriteItem set: the new versions' URL items, carrying the version: the outbox
             mark that their events are out

One record's failure fails that record only; a record that comes back finds what is left and finishes it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from newsingest.entities.knowledge import EntityIndexPolicy
from newsingest.extraction.fingerprints import NEAR_DUPLICATE_BITS, hamming
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import Outcome, SkipReason, UrlStatus
from newsingest.models.records import Article, Flag
from newsingest.pipeline.process import Skip
from newsingest.storage.archive import record_key
from newsingest.storage.articles import (
    CommitView,
    StoredArticle,
    bucket_items,
    bucket_keys,
    hash_item,
    index_items,
    replaced_version_item,
)
from newsingest.storage.dynamo import batch_write_groups
from newsingest.storage.entity_knowledge import knowledge_keys, taught_items
from newsingest.storage.stores import Stores
from newsingest.storage.urls import url_item

# A claimed version nobody finished is taken over after this long: more than the process function's
# timeout (120 s, template.yaml), less than its queue's visibility timeout (900 s), so a redelivery
# after a crash always finds the claim expired.
LEASE_SECONDS = 300.0
COMMIT_RESERVE_SECONDS = 5.0  # no new commit starts with less Lambda time than this left
S3_CONCURRENCY = 8
# Records are bounded: a hostile page's 30,000 tags or 20,000 entities would otherwise travel into
# every event, Parquet row and reader (S3 has no item limit; the bound keeps them ordinary).
MAX_RECORD_BYTES = 300_000
MAX_TAGS = 200  # tags and categories kept in a record over MAX_RECORD_BYTES
MAX_ENTITIES = 500
MAX_OFFSETS = 200  # offsets kept per entity in such a record


class RetryLater(Exception):
    """A transient failure: the SQS record fails, is retried, and after maxReceiveCount lands in the DLQ."""

    def __init__(self, detail: str, retry_after: float | None = None):
        super().__init__(detail)
        self.retry_after = retry_after


Prepared = Article | Skip | Exception


@dataclass(frozen=True)
class Committed:
    """What became of one record: the per-record outcome the handler reports."""

    outcome: Outcome
    article_id: str | None = None
    version: int | None = None
    duplicate_of: str | None = None
    record_s3_key: str | None = None
    reason: SkipReason | None = None
    detail: str | None = None

    def log(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}


Result = Committed | Exception


@dataclass
class _Plan:
    """The writes one record makes after the decision."""

    task: ArticleTask
    article: Article  # the version to write (a resumed one: as stored in LATEST)
    outcome: Outcome
    claim: bool  # a new version (or a rederive): take it with a conditional write first
    claimed_at: float = 0.0
    taken_over_at: float | None = None  # the version's unfinished claim was taken over at this time
    event: bool = True
    then_retry: str | None = None  # finished another text's version: this record's own text comes back
    urls: list[dict[str, Any]] = field(default_factory=list)  # written last (F): the canonical one is the outbox mark
    replaced: dict[str, Any] | None = None  # the V# item of the version this one replaces (P)

    @property
    def key(self) -> str:
        return record_key(self.article)


def commit_batch(
    tasks: Sequence[ArticleTask],
    prepared: Sequence[Prepared],
    *,
    stores: Stores,
    entity_index: EntityIndexPolicy,
    clock: Callable[[], float] = time.time,
    remaining: Callable[[], float] | None = None,
) -> list[Result]:
    """Commit a prepared batch; one result per task, in order (an Exception fails that record)."""
    results: dict[int, Result] = {}
    plans: dict[int, _Plan] = {}
    urls: dict[int, list[dict[str, Any]]] = {}
    articles: dict[int, Article] = {}
    for i, ready in enumerate(prepared):
        if isinstance(ready, Exception):
            results[i] = ready
        elif isinstance(ready, Skip):
            results[i] = Committed(Outcome.SKIPPED, reason=ready.reason, detail=ready.detail)
        else:
            articles[i] = bound_record(ready)
    _skipped_urls(tasks, prepared, stores, results, urls)
    if articles and remaining is not None and remaining() < COMMIT_RESERVE_SECONDS:
        results.update({i: RetryLater("not enough Lambda time left to commit") for i in articles})
        articles = {}
    now = clock()
    if articles:
        try:  # R
            view = stores.articles.read_for_commit(list(articles.values()))
        except Exception as err:
            results.update(dict.fromkeys(articles, err))
            articles = {}
        else:
            _decide(tasks, articles, view, stores, now, results, plans, urls)  # D
    _write(stores, plans, results, {i: [p.replaced] for i, p in plans.items() if p.replaced})  # P
    _claim(plans, stores, now, results)  # C
    _put_records(plans, stores, results)  # S
    shared = _merge_shared(plans, stores, entity_index, results)  # M
    groups: dict[frozenset[int], list[dict[str, Any]]] = {
        frozenset([i]): _items(plan, entity_index) for i, plan in plans.items()
    }
    groups.update({frozenset([i]): items for i, items in urls.items() if i not in plans and i in results})
    for item, owners in shared:
        groups.setdefault(owners, []).append(item)
    failed = batch_write_groups(stores.articles.client, stores.articles.name, groups)  # I
    _fail({i: err for owners, err in failed.items() for i in owners}, plans, results, stores)
    announce = {i: (p.article, p.key) for i, p in plans.items() if p.event}
    _fail(stores.events.publish_each(announce), plans, results, stores)  # E
    _write(stores, plans, results, {i: p.urls for i, p in plans.items()})  # F
    for i, plan in plans.items():
        results[i] = RetryLater(plan.then_retry) if plan.then_retry else _committed(plan)
    return [results[i] for i in range(len(tasks))]


SETTLED = frozenset({UrlStatus.STORED, UrlStatus.UPDATED, UrlStatus.DUPLICATE, UrlStatus.UNCHANGED})


def _skipped_urls(
    tasks: Sequence[ArticleTask],
    prepared: Sequence[Prepared],
    stores: Stores,
    results: dict[int, Result],
    urls: dict[int, list[dict[str, Any]]],
) -> None:
    """The URL items of the batch's skipped pages. A URL that already led to an article (a
    redelivery, a refresh that met a 404, a page whose every line became learned boilerplate) keeps
    its article and status, with the reason beside it: a skip never unlinks a stored article. One
    BatchGetItem, only for batches with skips; if it fails, those records fail and come back."""
    skipped = [i for i, ready in enumerate(prepared) if isinstance(ready, Skip)]
    if not skipped:
        return
    try:
        known = stores.urls.known([tasks[i].url for i in skipped])
    except Exception as err:
        results.update(dict.fromkeys(skipped, err))
        return
    for i in skipped:
        task, reason, seen = tasks[i], prepared[i].reason.value, known.get(tasks[i].url)
        if seen is not None and seen.article_id:
            # a settled status stays; an in-flight one (a refresh claimed or queued) settles: left
            # `queued`, the URL would never be refreshed again
            status = UrlStatus(seen.status) if seen.status in SETTLED else UrlStatus.STORED
            urls[i] = [_url(task, task.url, status, article_id=seen.article_id, version=seen.version, reason=reason)]
        else:
            urls[i] = [_url(task, task.url, Outcome.SKIPPED, reason=reason)]


def _decide(
    tasks: Sequence[ArticleTask],
    articles: dict[int, Article],
    view: CommitView,
    stores: Stores,
    now: float,
    results: dict[int, Result],
    plans: dict[int, _Plan],
    urls: dict[int, list[dict[str, Any]]],
) -> None:
    seen: set[str] = set()
    first_with_text: dict[str, str] = {}  # content hash -> article id, within this batch
    earlier: dict[str, str] = {}  # article id -> simhash of this batch's originals, as if stored before
    for i, article in articles.items():
        task = tasks[i]
        if article.article_id in seen:  # a second message for one article: it comes back after the first
            results[i] = RetryLater("another record of this batch commits the same article")
            continue
        seen.add(article.article_id)
        try:
            latest = view.latest.get(article.article_id)
            if latest is not None and article.article_id not in view.announced:
                plan = _finish_unfinished(task, article, latest, stores, now)
                if plan is None:  # its record never reached S3: this text takes the version
                    article_n = at_version(article, latest.version)
                    plan = _new_version(task, article_n, view, first_with_text, earlier)
                    plan.taken_over_at = now  # C rewrites LATEST over the claim just taken over
            elif latest is not None and latest.content_hash == article.content_hash:
                if task.discovered_via != "replay":
                    results[i] = Committed(Outcome.UNCHANGED, article.article_id, latest.version)
                    urls[i] = _urls(task, article, _stored_outcome(latest), latest.version)  # as the version left them
                    continue
                plan = _new_version(task, article.model_copy(update={"version": latest.version}), view)
                plan.event = False  # the same version derived again: announced once already
            else:
                plan = _new_version(task, next_version(article, latest), view, first_with_text, earlier)
                plan.replaced = replaced_version_item(latest) if latest is not None else None
        except Exception as err:
            results[i] = err
            continue
        plans[i] = plan
        if plan.article.version == 1 and not plan.article.duplicate_of:  # later copies in the batch point here
            first_with_text.setdefault(plan.article.content_hash, plan.article.article_id)
        if not plan.article.duplicate_of:
            earlier[plan.article.article_id] = plan.article.simhash


def next_version(article: Article, latest: StoredArticle | None) -> Article:
    """A changed text at a known canonical URL is the next version."""
    return article if latest is None else at_version(article, latest.version + 1)


def _new_version(
    task: ArticleTask,
    article: Article,
    view: CommitView,
    first_with_text: dict[str, str] | None = None,
    earlier: dict[str, str] | None = None,
) -> _Plan:
    if article.version == 1:  # duplicates are decided on first sight; a rederived record decides again
        owner = view.hash_owners.get(article.content_hash) or (first_with_text or {}).get(article.content_hash)
        if owner == article.article_id:
            owner = None
        candidates = {**view.similar(article), **(earlier or {})}
        owner = owner or nearest_duplicate(article.simhash, candidates, article.article_id)
        article = article.model_copy(update={"duplicate_of": owner})
    plan = _Plan(task, article, _outcome(article), claim=True)
    plan.urls = _urls(task, article, plan.outcome)
    return plan


def _finish_unfinished(
    task: ArticleTask, article: Article, latest: StoredArticle, stores: Stores, now: float
) -> _Plan | None:
    """The latest version was claimed but its commit never finished (a crash, or a commit in flight).
    Its record in S3 is finished as stored; with no record there (the crash came before S), nothing
    of that version was ever readable: None, and this record takes the version."""
    age = now - latest.claimed_at
    if age < LEASE_SECONDS:
        raise RetryLater(f"version {latest.version} of this article is being committed", LEASE_SECONDS - age)
    if not stores.articles.take_over(latest.listing.article_id, latest.version, latest.claimed_at, now):
        raise RetryLater(f"another commit took over version {latest.version}")
    stored = stores.archive.find_record(latest.listing.record_s3_key)
    if stored is None:
        return None
    same_text = stored.content_hash == article.content_hash
    plan = _Plan(task, stored, _outcome(stored), claim=False, claimed_at=now)
    if same_text:
        plan.urls = _urls(task, stored, plan.outcome)
    else:  # the canonical URL's item alone: the version's outbox mark, not this task's text
        plan.urls = [
            _url(task, stored.canonical_url, plan.outcome, article_id=stored.article_id, version=stored.version)
        ]
        plan.then_retry = f"finished version {stored.version} first; this text comes back as the next one"
    return plan


def at_version(article: Article, version: int) -> Article:
    """This text as version `version` of its article (a later version is modified when fetched)."""
    if version == 1:
        return article
    return article.model_copy(update={"version": version, "modified_at": article.modified_at or article.fetched_at})


def _claim(plans: dict[int, _Plan], stores: Stores, now: float, results: dict[int, Result]) -> None:
    for i, plan in list(plans.items()):
        if not plan.claim:
            continue
        try:
            won = stores.articles.claim(
                plan.article, plan.key, now, rederive=not plan.event, taken_over_at=plan.taken_over_at
            )
        except Exception as err:
            results[i] = err
            del plans[i]
            continue
        if not won:
            results[i] = RetryLater(f"another commit stored version {plan.article.version} first")
            del plans[i]
        else:
            plan.claimed_at = now


def _put_records(plans: dict[int, _Plan], stores: Stores, results: dict[int, Result]) -> None:
    def put(plan: _Plan) -> Exception | None:
        try:
            stores.archive.put_record(plan.article)
            return None
        except Exception as err:
            return err

    with ThreadPoolExecutor(max_workers=S3_CONCURRENCY) as pool:
        outcomes = dict(zip(plans, pool.map(put, plans.values()), strict=True))
    _fail({i: err for i, err in outcomes.items() if err is not None}, plans, results, stores)


def _merge_shared(
    plans: dict[int, _Plan], stores: Stores, entity_index: EntityIndexPolicy, results: dict[int, Result]
) -> list[tuple[dict[str, Any], frozenset[int]]]:
    """The shared items after this batch's additions: SimHash buckets of original texts, and what
    original records teach the corpus memory (a copy, a duplicate, is no new evidence). Read fresh,
    just before the write, so concurrent batches rarely overwrite each other's additions."""
    originals = {i: p.article for i, p in plans.items() if not p.article.duplicate_of}
    if not originals:
        return []
    try:
        found = stores.articles.read_items(
            bucket_keys(list(originals.values())) + knowledge_keys(originals, entity_index)
        )
    except Exception as err:
        _fail(dict.fromkeys(originals, err), plans, results, stores)
        return []
    return bucket_items(originals, found) + taught_items(originals, entity_index, found)


def _write(
    stores: Stores, plans: dict[int, _Plan], results: dict[int, Result], items: dict[int, list[dict[str, Any]]]
) -> None:
    """Each record's own items; a record whose write fails stops here."""
    groups = {frozenset([i]): its for i, its in items.items() if its}
    if groups:
        failed = batch_write_groups(stores.articles.client, stores.articles.name, groups)
        _fail({i: err for owners, err in failed.items() for i in owners}, plans, results, stores)


def _fail(failures: dict, plans: dict[int, _Plan], results: dict[int, Result], stores: Stores) -> None:
    """These records stop here; a claim they hold is released so their redelivery finishes at once."""
    for i, err in failures.items():
        results[i] = err
        plan = plans.pop(i, None)
        if plan is not None and plan.claimed_at:
            with contextlib.suppress(Exception):  # if not released, the claim's lease expires
                stores.articles.take_over(plan.article.article_id, plan.article.version, plan.claimed_at, 0.0)


def _items(plan: _Plan, entity_index: EntityIndexPolicy) -> list[dict[str, Any]]:
    items = index_items(plan.article, entity_index)
    if plan.article.version == 1 and not plan.article.duplicate_of:
        items.append(hash_item(plan.article))
    return items


def _outcome(article: Article) -> Outcome:
    return _outcome_of(article.version, article.duplicate_of)


def _outcome_of(version: int, duplicate_of: str | None) -> Outcome:
    if version > 1:
        return Outcome.UPDATED
    return Outcome.DUPLICATE if duplicate_of else Outcome.STORED


def _stored_outcome(latest: StoredArticle) -> Outcome:
    return _outcome_of(latest.version, latest.listing.duplicate_of)


def _committed(plan: _Plan) -> Committed:
    a = plan.article
    return Committed(plan.outcome, a.article_id, a.version, a.duplicate_of, plan.key)


def _urls(task: ArticleTask, article: Article, outcome: Outcome, version: int | None = None) -> list[dict[str, Any]]:
    """The task's URL and the page's canonical URL both point at the article (and its version) from now on."""
    targets = dict.fromkeys((task.url, article.canonical_url))
    v = version or article.version
    return [_url(task, url, outcome, article_id=article.article_id, version=v) for url in targets]


def _url(task: ArticleTask, url: str, status: Outcome | UrlStatus, **extra: Any) -> dict[str, Any]:
    return url_item(
        url,
        status.value,
        source_id=task.source_id,
        revision=task.revision if url == task.url else None,
        first_seen=task.discovered_at,
        now=datetime.now(UTC),
        **extra,
    )


def nearest_duplicate(simhash: str, candidates: dict[str, str], own_id: str) -> str | None:
    """The closest earlier text within NEAR_DUPLICATE_BITS, if any."""
    scored = [(hamming(simhash, other), article_id) for article_id, other in candidates.items() if article_id != own_id]
    close = sorted(s for s in scored if s[0] <= NEAR_DUPLICATE_BITS)
    return close[0][1] if close else None


def bound_record(article: Article, max_bytes: int = MAX_RECORD_BYTES) -> Article:
    """A record of at most `max_bytes`: tags, categories, entities and then text are cut until it
    is, and a `truncated` flag says what was cut. Hashes stay those of the whole text."""
    if _size(article) <= max_bytes:
        return article
    cut: list[str] = []
    update: dict[str, Any] = {}
    for name in ("tags", "categories"):
        values = getattr(article, name)
        if len(values) > MAX_TAGS:
            update[name] = values[:MAX_TAGS]
            cut.append(f"{name}: {len(values)} -> {MAX_TAGS}")
    entities = sorted(article.entities, key=lambda e: -e.salience)[:MAX_ENTITIES]
    trimmed = [e.model_copy(update={"offsets": e.offsets[:MAX_OFFSETS]}) for e in entities]
    if trimmed != article.entities:
        update["entities"] = trimmed
        cut.append(f"entities: {len(article.entities)} -> {len(trimmed)}, at most {MAX_OFFSETS} offsets each")
    bounded = article.model_copy(update=update)
    over = _size(bounded) - max_bytes
    if over > 0:
        text = bounded.text.encode("utf-8")
        kept = text[: max(0, len(text) - over - 1024)].decode("utf-8", errors="ignore")
        bounded = bounded.model_copy(update={"text": kept})
        cut.append(f"text: {len(text)} -> {len(kept.encode('utf-8'))} bytes")
    flag = Flag(kind="truncated", reason="record over the size limit: " + "; ".join(cut))
    return bounded.model_copy(update={"flags": [*bounded.flags, flag]})


def _size(article: Article) -> int:
    return len(article.model_dump_json().encode("utf-8"))
