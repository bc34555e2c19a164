from datetime import UTC, datetime, timedelta

import pytest

from newsingest.discovery.state import (
    FULL_FETCH_EVERY,
    DocumentState,
    SourceState,
    body_hash,
    body_unchanged,
    conditional_headers,
    health,
    is_due,
    observe,
)
from newsingest.models import Source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BODY = b"<rss>v1</rss>"


def _doc(**changes) -> DocumentState:
    values = {"etag": '"abc"', "last_modified": "Tue, 24 Nov 2026 10:00:00 GMT",
              "body_hash": body_hash(BODY), "checked_at": NOW, "full_at": NOW}  # fmt: skip
    return DocumentState(**(values | changes))


def _source(**changes) -> Source:
    return Source(id="s", name="S", homepage="https://example.com/", **changes)


def test_conditional_headers_carry_both_validators():
    assert conditional_headers(_doc()) == {
        "If-None-Match": '"abc"',
        "If-Modified-Since": "Tue, 24 Nov 2026 10:00:00 GMT",
    }
    assert conditional_headers(_doc(etag=None)) == {"If-Modified-Since": "Tue, 24 Nov 2026 10:00:00 GMT"}
    assert conditional_headers(None) == {}


def test_a_full_fetch_is_forced_once_the_last_body_is_old():
    assert conditional_headers(_doc(), now=NOW + FULL_FETCH_EVERY - timedelta(minutes=1))
    assert conditional_headers(_doc(), now=NOW + FULL_FETCH_EVERY) == {}
    assert conditional_headers(_doc(full_at=None), now=NOW) == {}


def test_new_etag_same_body_counts_as_unchanged():
    state, changed = observe(_doc(), 200, {"ETag": '"new"'}, BODY, NOW, sent={"If-None-Match": '"abc"'})
    assert not changed
    assert body_unchanged(_doc(), BODY)
    assert state.etag == '"new"'


def test_same_etag_new_body_counts_as_changed():
    state, changed = observe(_doc(), 200, {"ETag": '"abc"'}, b"<rss>v2</rss>", NOW, sent={})
    assert changed
    assert state.body_hash == body_hash(b"<rss>v2</rss>")
    assert not body_unchanged(_doc(), b"<rss>v2</rss>")


def test_first_fetch_is_changed():
    state, changed = observe(None, 200, {"last-modified": "x"}, BODY, NOW, sent={})
    assert changed
    assert state.last_modified == "x"
    assert state.full_at == NOW
    assert not body_unchanged(None, BODY)


def test_304_to_a_conditional_request_is_trusted():
    later = NOW + timedelta(minutes=15)
    state, changed = observe(_doc(), 304, {}, None, later, sent=conditional_headers(_doc()))
    assert not changed
    assert state.checked_at == later
    assert state.full_at == NOW  # the age of the last real body is kept, so the 6-hour rule still fires


def test_304_without_validators_sent_forces_a_full_fetch_next_time():
    state, changed = observe(_doc(), 304, {}, None, NOW, sent={})
    assert not changed
    assert conditional_headers(state, now=NOW) == {}


def _state(**changes) -> SourceState:
    return SourceState(source_id="s", **changes)


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (None, "new"),
        (_state(), "new"),
        (_state(first_run_at=NOW - timedelta(days=5), last_run_at=NOW, last_new_at=NOW - timedelta(hours=1)), "ok"),
        (_state(first_run_at=NOW - timedelta(days=5), last_run_at=NOW, last_new_at=NOW - timedelta(days=2)), "stale"),
        (_state(first_run_at=NOW - timedelta(days=2), last_run_at=NOW), "stale"),
        (_state(first_run_at=NOW - timedelta(hours=2), last_run_at=NOW), "ok"),
        (_state(first_run_at=NOW, last_run_at=NOW, last_new_at=NOW, consecutive_failures=3, last_error="503"),
         "failing"),
        (_state(first_run_at=NOW, last_run_at=NOW, last_new_at=NOW, consecutive_failures=2), "ok"),
    ],
)  # fmt: skip
def test_health(state, status):
    result = health(state, NOW, stale_after=timedelta(days=1), failure_threshold=3)
    assert result.status == status
    assert result.reason


def test_failing_reason_names_the_last_error():
    state = _state(last_run_at=NOW, consecutive_failures=4, last_error="HTTP 503 from feed")
    assert "HTTP 503 from feed" in health(state, NOW, timedelta(days=1), 3).reason


def test_is_due_follows_the_interval():
    source = _source(fetch_interval_minutes=15)
    assert is_due(source, None, NOW)
    assert not is_due(source, _state(last_run_at=NOW - timedelta(minutes=10)), NOW)
    assert is_due(source, _state(last_run_at=NOW - timedelta(minutes=14, seconds=30)), NOW)  # tick jitter
    assert is_due(source, _state(last_run_at=NOW - timedelta(minutes=16)), NOW)


def test_disabled_sources_are_never_due():
    assert not is_due(_source(enabled=False), None, NOW)


def test_failing_sources_back_off():
    source = _source(fetch_interval_minutes=15)
    failing = _state(last_run_at=NOW - timedelta(minutes=20), consecutive_failures=2)
    assert not is_due(source, failing, NOW)  # 15 min x 4
    assert is_due(source, failing.model_copy(update={"last_run_at": NOW - timedelta(minutes=60)}), NOW)
    capped = _state(last_run_at=NOW - timedelta(minutes=240), consecutive_failures=50)
    assert is_due(source, capped, NOW)


def test_state_round_trips_through_json():
    state = _state(documents={"https://example.com/feed": _doc()}, last_run_at=NOW, total_new=3)
    assert SourceState.model_validate_json(state.model_dump_json()) == state
