"""Per-source discovery state: conditional fetches, the lying-validator guard, health, due time.

Validators lie both ways. A server may send a new ETag or Last-Modified for an unchanged
body (per-node ETags, timestamps of the render): so a 200 is compared by body hash, and a
same-hash 200 counts as unchanged. A server may also answer 304 to a changed feed (a stale
cache in front of it): a 304 cannot be checked, so it is trusted only while our last full
body is younger than FULL_FETCH_EVERY; after that conditional_headers() sends no
validators, the next answer is a full 200, and its body hash decides. A 304 to a request
that carried no validators is not trusted at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel

from newsingest.models import Source

FULL_FETCH_EVERY = timedelta(hours=6)
SCHEDULE_SLACK = timedelta(minutes=1)  # a run recorded a little after its tick is still on time
MAX_BACKOFF_DOUBLINGS = 4  # a failing source is retried at most 16x less often


class DocumentState(BaseModel):
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    checked_at: AwareDatetime | None = None
    full_at: AwareDatetime | None = None  # when a full body last arrived (200)


class SourceState(BaseModel):
    source_id: str
    documents: dict[str, DocumentState] = {}
    first_run_at: AwareDatetime | None = None
    last_run_at: AwareDatetime | None = None
    last_new_at: AwareDatetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    total_new: int = 0


class SourceHealth(BaseModel):
    status: Literal["ok", "stale", "failing", "new"]
    reason: str


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def conditional_headers(doc: DocumentState | None, now: datetime | None = None) -> dict[str, str]:
    """Validators for a conditional GET; none once a full body is due (see module docstring)."""
    if doc is None or (now and (doc.full_at is None or now - doc.full_at >= FULL_FETCH_EVERY)):
        return {}
    headers = {}
    if doc.etag:
        headers["If-None-Match"] = doc.etag
    if doc.last_modified:
        headers["If-Modified-Since"] = doc.last_modified
    return headers


def body_unchanged(doc: DocumentState | None, body: bytes) -> bool:
    """A 200 whose body hashes as before is unchanged, whatever its validators say."""
    return doc is not None and doc.body_hash is not None and doc.body_hash == body_hash(body)


def observe(
    doc: DocumentState | None,
    status: int,
    headers: Mapping[str, str],
    body: bytes | None,
    now: datetime,
    sent: Mapping[str, str],
) -> tuple[DocumentState, bool]:
    """(the document's new state, whether its content must be parsed) after one fetch.

    `sent` is the conditional headers the request carried: a 304 without them is a server
    bug, so the content is re-read on the next run rather than assumed unchanged forever.
    """
    previous = doc or DocumentState()
    if status == 304:
        trusted = bool(sent) and previous.body_hash is not None
        checked = previous.model_copy(update={"checked_at": now})
        return (checked if trusted else checked.model_copy(update={"full_at": None})), False
    lower = {k.lower(): v for k, v in headers.items()}
    payload = body or b""
    fresh = DocumentState(
        etag=lower.get("etag"),
        last_modified=lower.get("last-modified"),
        body_hash=body_hash(payload),
        checked_at=now,
        full_at=now,
    )
    return fresh, not body_unchanged(doc, payload)


def health(state: SourceState | None, now: datetime, stale_after: timedelta, failure_threshold: int) -> SourceHealth:
    """Failing beats stale: a source that cannot be fetched is also not producing anything."""
    if state is None or state.last_run_at is None:
        return SourceHealth(status="new", reason="never run")
    if state.consecutive_failures >= failure_threshold:
        return SourceHealth(
            status="failing",
            reason=f"{state.consecutive_failures} consecutive failures; last: {state.last_error or 'unknown'}",
        )
    since = state.last_new_at or state.first_run_at or state.last_run_at
    if now - since > stale_after:
        what = "last new article" if state.last_new_at else "no new article since the first run"
        return SourceHealth(status="stale", reason=f"{what} at {since.isoformat()}, over {stale_after} ago")
    return SourceHealth(status="ok", reason=f"{state.total_new} new articles so far")


def is_due(source: Source, state: SourceState | None, now: datetime) -> bool:
    """Enabled, and its interval (doubled per consecutive failure, capped) has passed."""
    if not source.enabled:
        return False
    if state is None or state.last_run_at is None:
        return True
    backoff = 2 ** min(state.consecutive_failures, MAX_BACKOFF_DOUBLINGS)
    return now - state.last_run_at >= source.fetch_interval * backoff - SCHEDULE_SLACK
