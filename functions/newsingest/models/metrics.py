"""Metric names: one enum the handlers emit with and the runner, CLI, dashboard and alarms read back."""

from __future__ import annotations

from enum import StrEnum

from newsingest.models.outcomes import Outcome


class Metric(StrEnum):
    """Every metric the handlers emit (EMF, namespace newsingest); the runner and CLI read them back by name."""

    RECORDS_RECEIVED = "RecordsReceived"
    # schedule
    SOURCES_DUE = "SourcesDue"
    UNHEALTHY_SOURCES = "UnhealthySources"
    BAD_SOURCES = "BadSources"
    # discover, per source
    DOCUMENTS_FETCHED = "DocumentsFetched"
    DOCUMENTS_NOT_MODIFIED = "DocumentsNotModified"
    URLS_DISCOVERED = "UrlsDiscovered"
    NEW_ARTICLES = "NewArticles"
    REFRESHED_ARTICLES = "RefreshedArticles"
    DISCOVERY_FAILURES = "DiscoveryFailures"
    URLS_SKIPPED = "UrlsSkipped"  # with a reason dimension
    # process, per source
    ARTICLES_FETCHED = "ArticlesFetched"
    ARTICLES_STORED = "ArticlesStored"
    ARTICLES_DUPLICATE = "ArticlesDuplicate"
    ARTICLES_UPDATED = "ArticlesUpdated"
    ARTICLES_UNCHANGED = "ArticlesUnchanged"
    ARTICLES_SKIPPED = "ArticlesSkipped"
    ARTICLES_SKIPPED_BY_REASON = "ArticlesSkippedByReason"  # with a reason dimension
    ARTICLES_FAILED = "ArticlesFailed"
    # compact
    DAYS_COMPACTED = "DaysCompacted"
    RECORDS_COMPACTED = "RecordsCompacted"

    @classmethod
    def for_outcome(cls, outcome: Outcome) -> Metric:
        return _BY_OUTCOME[outcome]


_BY_OUTCOME = {
    Outcome.STORED: Metric.ARTICLES_STORED,
    Outcome.DUPLICATE: Metric.ARTICLES_DUPLICATE,
    Outcome.UPDATED: Metric.ARTICLES_UPDATED,
    Outcome.UNCHANGED: Metric.ARTICLES_UNCHANGED,
    Outcome.SKIPPED: Metric.ARTICLES_SKIPPED,
    Outcome.FAILED: Metric.ARTICLES_FAILED,
}
