"""The whole pipeline on one machine: embedded AWS, the sample sites, two scheduled ticks.

Checks the stored state against sample_sites/expected.json, the fixture written with the sites.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from newsingest.local.runner import REPO_ROOT, LocalRuntime
from newsingest.storage.dynamo import from_item

pytestmark = pytest.mark.e2e
EXPECTED = json.loads((REPO_ROOT / "sample_sites" / "expected.json").read_text())


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    logs = tmp_path_factory.mktemp("logs") / "handlers.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(logs.parent)  # this runtime's .newsingest/local.json, for the CLI tests below
        with LocalRuntime(sources_path=REPO_ROOT / "sample_sites" / "sources.yaml", log_path=logs) as runtime:
            yield from _two_ticks(runtime)


def _two_ticks(runtime):
    """Edition 1, then edition 2 of the sample sites, a tick each."""
    start = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    runtime.first = runtime.tick(start)
    requests_after_first = len(runtime.sites.requests)
    runtime.sites.set_edition(2)
    runtime.second = runtime.tick(start + timedelta(minutes=15))
    runtime.second_tick_requests = runtime.sites.requests[requests_after_first:]
    runtime.records = runtime.latest_records()
    runtime.repos = runtime.app.repos
    yield runtime


def url_of(run, site: str, path: str) -> str:
    return run.sites.base_urls[site] + path


def record_for(run, site: str, path: str):
    matches = [r for r in run.records if r.canonical_url == url_of(run, site, path)]
    assert len(matches) == 1, f"{site}{path}: {len(matches)} records"
    return matches[0]


def test_every_expected_article_is_stored_once(run):
    expected = {url_of(run, a["site"], a["path"]) for a in EXPECTED["articles"]}
    stored = [r.canonical_url for r in run.records]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected


@pytest.mark.parametrize("article", EXPECTED["articles"], ids=lambda a: a["path"])
def test_metadata_matches_the_fixture(run, article):
    record = record_for(run, article["site"], article["path"])
    assert record.title == article["title"]
    assert record.authors == article["authors"]
    assert sorted(record.credits) == sorted(article["credits"])
    assert record.published_at == datetime.fromisoformat(article["published_at"])
    assert record.language == article["language"]
    for fragment in article.get("body_must_not_contain", []):
        assert fragment not in record.text


def test_key_entities_are_found_with_their_types(run):
    missing = []
    total = 0
    for article in EXPECTED["articles"]:
        record = record_for(run, article["site"], article["path"])
        found = {(e.name, e.type.value) for e in record.entities}
        for entity in article["entities"]:
            total += 1
            if (entity["name"], entity["type"]) not in found:
                missing.append(f"{article['path']}: {entity['name']} ({entity['type']})")
    # The fixture names 145 key entities, some hard for en_core_web_sm ("Ørsted", "Plaid Cymru",
    # "Houthi"); resolution brings the misses to about a fifth. A broken tagger or resolver misses most.
    assert len(missing) <= total * 0.25, "\n".join(missing)


def test_the_syndicated_copy_points_at_the_first(run):
    for article in (a for a in EXPECTED["articles"] if a["duplicate_of"]):
        copy = record_for(run, article["site"], article["path"])
        original = record_for(run, article["duplicate_of"]["site"], article["duplicate_of"]["path"])
        assert copy.duplicate_of == original.article_id
        assert original.duplicate_of is None


def test_the_updated_article_is_a_new_version_and_the_old_one_stays(run):
    updated = [a for a in EXPECTED["articles"] if a["updated_in_edition"]]
    assert updated
    for article in updated:
        record = record_for(run, article["site"], article["path"])
        assert record.version == 2
        assert record.modified_at is not None
        versions = run.repos.articles.versions(record.article_id)
        assert [v.version for v in versions] == [1, 2]
        assert versions[0].content_hash != versions[1].content_hash


def test_skipped_urls_are_recorded_with_their_reason(run):
    for skip in EXPECTED["skipped"]:
        known = run.repos.urls.get(url_of(run, skip["site"], skip["path"]))
        assert known is not None, skip
        assert (known.status, known.reason) == ("skipped", skip["reason"])


def test_a_redirected_url_points_at_the_article_it_became(run):
    for redirect in EXPECTED["redirects"]:
        old = run.repos.urls.get(url_of(run, redirect["site"], redirect["from_path"]))
        target = record_for(run, redirect["site"], redirect["to_path"])
        assert old.article_id == target.article_id


def test_every_discovered_url_ended_stored_or_skipped(run):
    client = run.clients["dynamodb"]
    items = [from_item(i) for i in client.scan(TableName=run.resources.table_name)["Items"]]  # test-only scan
    urls = [i for i in items if i["sk"] == "URL"]
    assert urls
    assert {i["status"] for i in urls} <= {"stored", "duplicate", "updated", "skipped"}


def test_queues_and_dead_letter_queues_are_empty(run):
    assert run.queue_depths() == dict.fromkeys(run.resources.queues, 0)


def test_the_second_tick_fetches_conditionally_and_stores_no_duplicates(run):
    documents = [r for r in run.second_tick_requests if not r.path.endswith((".html", "/")) or r.conditional]
    assert any(r.conditional and r.status == 304 for r in documents)
    second = {name: v for (name, _s, _r), v in run.second.metrics.items()}
    new_in_edition_2 = [a for a in EXPECTED["articles"] if a["edition"] == 2]
    assert sum(v for (n, _s, _r), v in run.second.metrics.items() if n == "ArticlesStored") == len(new_in_edition_2)
    assert second.get("ArticlesFailed", 0) == 0


def test_events_were_published_for_every_stored_version(run):
    stored = sum(v for (n, _s, _r), v in run.first.metrics.items() if n in ("ArticlesStored", "ArticlesDuplicate"))
    assert stored == len([a for a in EXPECTED["articles"] if a["edition"] == 1])


def query_jsonl(capsys, *args: str) -> list[dict]:
    from newsingest.cli import main

    capsys.readouterr()
    assert main(["query", *args, "--format", "jsonl"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def indexed_ids(run, record) -> set[str]:
    """The entity ids the entity index holds for a record (the entities it is about)."""
    return {e.id for e in run.app.entity_index.entities(record)}


def test_query_by_any_alias_finds_the_articles_of_the_canonical_entity(run, capsys):
    found = {alias: {r["url"] for r in query_jsonl(capsys, "--entity", alias)} for alias in ("UK", "Britain", "U.K.")}
    stored = {r.url for r in run.records if "geonames:2635167" in indexed_ids(run, r)}
    assert stored and found["UK"] == found["Britain"] == found["U.K."] == stored


def test_query_mentioning_finds_every_article_naming_the_entity_newest_first(run, capsys):
    """DuckDB over the S3 records: the articles about the UK and those that only mention it in passing."""
    found = query_jsonl(capsys, "--mentioning", "Britain")
    stored = [r for r in run.records if "geonames:2635167" in {e.id for e in r.entities}]
    assert {r["url"] for r in found} == {r.url for r in stored}
    about = {r.url for r in stored if "geonames:2635167" in indexed_ids(run, r)}
    assert about and about < {r["url"] for r in found}  # the sample sites also name it in passing
    when = [datetime.fromisoformat(r["published_at"] or r["fetched_at"]) for r in found]
    assert when == sorted(when, reverse=True)


def test_query_entities_lists_canonical_entities_with_article_counts(run, capsys):
    listed = {row["canonical_name"]: row for row in query_jsonl(capsys, "--entities")}
    uk = listed["United Kingdom"]
    assert (uk["id"], uk["type"], uk["ids"]) == ("geonames:2635167", "PLACE", {"geonames": "2635167", "iso3166": "GB"})
    mentioning = {r.article_id for r in run.records if uk["id"] in {e.id for e in r.entities}}
    assert uk["articles"] == len(mentioning)


def test_the_runtime_fetcher_reaches_the_sample_sites_but_not_the_embedded_aws(run):
    """127.0.0.1 is allowed per port: a hostile page linking the moto endpoint gets nothing from it."""
    from newsingest.fetching.fetcher import FetchError
    from newsingest.models.outcomes import SkipReason

    fetcher = run.app.fetcher  # the fetcher the runtime's handlers use
    assert fetcher.get(url_of(run, "harbour-times", "/")).ok
    with pytest.raises(FetchError) as caught:
        fetcher.get(run.endpoint_url + "/moto-api/data.json")
    assert caught.value.reason is SkipReason.BLOCKED_ADDRESS


def test_every_log_line_of_a_tick_carries_the_ticks_correlation_id(run):
    """schedule -> DiscoverQueue -> discover -> ArticleQueue -> process: one id per tick, in every line."""
    lines = [json.loads(line) for line in run.log_path.read_text().splitlines() if line.startswith('{"level"')]
    by_function: dict[str, set[str]] = {}
    for line in lines:
        if line.get("function_name") in ("schedule", "discover", "process") and "correlation_id" in line:
            by_function.setdefault(line["function_name"], set()).add(line["correlation_id"])
    article_lines = [line for line in lines if line.get("message") == "article"]
    assert article_lines and all(line.get("correlation_id", "").startswith("tick-") for line in article_lines)
    assert by_function["process"] <= by_function["discover"] == {line["correlation_id"] for line in article_lines}
    assert len(by_function["discover"]) == 2  # one per tick
