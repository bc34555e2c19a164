"""Messages between stages (SQS bodies), parsed with Powertools' parser in the handlers."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict

from newsingest.models.outcomes import Via


class DiscoverRequest(BaseModel):
    """schedule -> DiscoverQueue: discover one source now."""

    model_config = ConfigDict(extra="forbid")

    source_id: str
    tick: AwareDatetime
    since: date | None = None
    correlation_id: str | None = None  # the schedule tick's: every log line it led to carries it


class EntryHints(BaseModel):
    """What the feed or sitemap said about an entry; the page itself has the last word."""

    title: str | None = None
    published_at: AwareDatetime | None = None
    modified_at: AwareDatetime | None = None
    language: str | None = None


class ArticleTask(BaseModel):
    """discover (or replay) -> ArticleQueue: fetch and process one article URL."""

    model_config = ConfigDict(extra="forbid")

    url: str
    source_id: str
    discovered_at: AwareDatetime
    discovered_via: Via
    hints: EntryHints = EntryHints()
    revision: str | None = None  # lastmod/updated of a known URL being refreshed
    raw_s3_key: str | None = None  # replay: process this archived page, fetch nothing
    raw_offset: int | None = None  # its byte range in a WARC file (None: a whole old-format object)
    raw_length: int | None = None
    correlation_id: str | None = None  # the tick (or backfill, replay) this URL was queued by

    @property
    def idempotency_key(self) -> str:
        """A redelivered message maps to the same key; a refresh or replay does not."""
        parts = (self.url, self.revision or "", self.raw_s3_key or "")
        return "|".join(parts if self.raw_offset is None else (*parts, str(self.raw_offset)))


class ScheduleEvent(BaseModel):
    """A scheduled tick's input (EventBridge Scheduler): `<aws.scheduler.scheduled-time>` fills scheduled_time."""

    scheduled_time: AwareDatetime | None = None
