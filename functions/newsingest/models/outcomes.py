"""What became of a URL: every discovered URL ends stored, skipped with a reason, or in a DLQ."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """What the process stage made of one article message."""

    STORED = "stored"
    DUPLICATE = "duplicate"  # stored, with duplicate_of set
    UPDATED = "updated"  # stored as a new version of a known article
    UNCHANGED = "unchanged"  # refetched, same text: nothing new stored
    SKIPPED = "skipped"
    FAILED = "failed"  # retried by SQS, then the DLQ


class SkipReason(StrEnum):
    """Reasons a URL is not stored. Permanent: retrying would not change the answer."""

    HTTP_CLIENT_ERROR = "http_client_error"  # 404, 410, 403 ...
    NOT_HTML = "not_html"
    TOO_LARGE = "too_large"
    ROBOTS_DISALLOWED = "robots_disallowed"
    BLOCKED_ADDRESS = "blocked_address"
    BAD_URL = "bad_url"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    NO_TEXT = "no_text"  # extraction found no article body
    EXCLUDED = "excluded"  # the source's include/exclude patterns
    OFF_SOURCE = "off_source"  # redirected or canonical to another site
    NOT_AN_ARTICLE = "not_an_article"
    TOO_SLOW = "too_slow"  # the page did not finish processing within its share of the Lambda's time


class UrlStatus(StrEnum):
    """A URL item's status: discovery's two-phase hand-off, then what the process stage made of it."""

    CLAIMED = "claimed"  # a discoverer took the URL and is sending its message
    QUEUED = "queued"  # the message is in the ArticleQueue
    STORED = "stored"
    DUPLICATE = "duplicate"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


class Via(StrEnum):
    """How a URL reached the ArticleQueue."""

    FEED = "feed"
    SITEMAP = "sitemap"
    SECTION = "section"
    BACKFILL = "backfill"
    REPLAY = "replay"
    REFRESH = "refresh"
