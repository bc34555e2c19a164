"""ArticleClient: every access pattern returns full records, each with one read request and no Scan."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from aws_fixtures import INDEX, make_article, person

from newsingest.client import ArticleClient
from newsingest.entities.knowledge import EntityIndexPolicy
from newsingest.storage.archive import record_key

TEXT = "The harbour board approved the new ferry terminal after a long public consultation in the city."


def store(aws, article, entity_index: EntityIndexPolicy = INDEX) -> None:
    key = aws.stores.archive.put_record(article)
    aws.repos.articles.put(article, key, entity_index=entity_index)


@pytest.fixture
def client(aws, tmp_path) -> ArticleClient:
    return ArticleClient(aws.repos, aws.stores.archive, sql=aws.records_sql(tmp_path / "records.jsonl"))


@pytest.fixture
def reads(aws) -> dict[str, list]:
    """Every read the client makes, by operation."""
    return {op: aws.count_calls("dynamodb", op) for op in ("GetItem", "Query", "BatchGetItem", "Scan")}


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_get_returns_the_latest_version_as_a_record(aws, client, reads):
    first = make_article("https://harbour.example/a", TEXT)
    second = first.model_copy(update={"version": 2, "text": TEXT + " Work starts in May."})
    store(aws, first)
    store(aws, second)
    assert client.get(first.article_id) == second
    assert len(reads["GetItem"]) == 1
    assert client.get("no-such-article") is None


def test_versions_oldest_first(aws, client, reads):
    first = make_article("https://harbour.example/a", TEXT)
    second = first.model_copy(update={"version": 2, "text": TEXT + " Work starts in May."})
    store(aws, first)
    store(aws, second)
    assert client.versions(first.article_id) == [first, second]
    assert len(reads["Query"]) == 1


def test_by_url_accepts_any_spelling_of_the_canonical_url(aws, client):
    article = make_article("https://harbour.example/news/a", TEXT)
    store(aws, article)
    assert client.by_url("https://HARBOUR.example/news/a?utm_source=feed") == article


def test_by_url_follows_the_url_index_for_redirected_urls(aws, client):
    article = make_article("https://harbour.example/news/a", TEXT)
    store(aws, article)
    aws.repos.urls.mark("https://harbour.example/s/12", "stored", source_id="harbour", article_id=article.article_id)
    assert client.by_url("https://harbour.example/s/12") == article
    assert client.by_url("https://harbour.example/never-seen") is None


def test_by_source_newest_first_within_the_range(aws, client, reads):
    for day in (10, 12, 14, 16):
        store(aws, make_article(f"https://harbour.example/{day}", f"{TEXT} Day {day}.", published_at=at(day)))
    store(aws, make_article("https://other.example/x", TEXT + " Other.", source_id="other", published_at=at(12)))
    found = list(client.by_source("harbour", since=date(2026, 11, 11), until=date(2026, 11, 14)))
    assert [a.published_at for a in found] == [at(14), at(12)]
    assert len(reads["Query"]) == 1
    assert not reads["Scan"]


def test_by_source_limit_and_open_range(aws, client):
    for day in (10, 12, 14):
        store(aws, make_article(f"https://harbour.example/{day}", f"{TEXT} Day {day}.", published_at=at(day)))
    assert [a.published_at for a in client.by_source("harbour", limit=2)] == [at(14), at(12)]


def test_an_article_without_a_date_is_listed_on_its_fetch_day_by_fetch_time(aws, client):
    undated = make_article("https://harbour.example/undated", TEXT, published_at=None)  # fetched 20th, 10:00
    store(aws, undated)
    store(aws, make_article("https://harbour.example/a", TEXT + " A.", published_at=at(20, 8)))
    store(aws, make_article("https://harbour.example/b", TEXT + " B.", published_at=at(20, 18)))
    found = list(client.by_day(undated.fetched_at.date()))
    assert [a.published_at or a.fetched_at for a in found] == [at(20, 18), undated.fetched_at, at(20, 8)]
    assert found[1] == undated


@pytest.fixture
def listings(aws) -> list:
    return aws.count_calls("s3", "ListObjectsV2")


def test_by_day_lists_the_s3_day_partition_newest_first(aws, client, reads, listings):
    store(aws, make_article("https://harbour.example/a", TEXT + " A.", published_at=at(20, 8)))
    store(aws, make_article("https://other.example/b", TEXT + " B.", source_id="other", published_at=at(20, 18)))
    store(aws, make_article("https://harbour.example/c", TEXT + " C.", published_at=at(21, 8)))
    found = list(client.by_day("2026-11-20"))
    assert [(a.source_id, a.published_at) for a in found] == [("other", at(20, 18)), ("harbour", at(20, 8))]
    assert [call["params"]["Prefix"] for call in listings] == ["articles/v1/dt=2026-11-20/"]
    # no day index: one LIST of the partition, one BatchGetItem of the LATEST items
    assert (len(reads["Query"]), len(reads["BatchGetItem"]), len(reads["Scan"])) == (0, 1, 0)


def test_by_day_limit_keeps_the_newest_and_reads_only_their_records(aws, client):
    for hour in (6, 12, 9, 15):
        store(aws, make_article(f"https://harbour.example/{hour}", f"{TEXT} Hour {hour}.", published_at=at(20, hour)))
    record_reads = aws.count_calls("s3", "GetObject")
    assert [a.published_at for a in client.by_day(date(2026, 11, 20), limit=2)] == [at(20, 15), at(20, 12)]
    assert len(record_reads) == 2  # ordered by the LATEST items' time keys, not by reading every record


def test_by_day_leaves_out_an_article_a_later_version_dated_to_another_day(aws, client):
    first = make_article("https://harbour.example/a", TEXT, published_at=at(20, 8))
    redated = first.model_copy(update={"version": 2, "published_at": at(21, 8)})
    stays = make_article("https://harbour.example/b", TEXT + " B.", published_at=at(20, 9))
    for article in (first, redated, stays):
        store(aws, article)
    assert list(client.by_day("2026-11-20")) == [stays]  # version 1's record is still in the 20th's partition
    assert list(client.by_day("2026-11-21")) == [redated]


def test_by_day_of_a_day_with_nothing_stored_is_empty(aws, client):
    store(aws, make_article("https://harbour.example/a", TEXT, published_at=at(20, 8)))
    assert list(client.by_day("2026-11-19")) == []


def test_by_entity_matches_caselessly_within_the_range(aws, client, reads):
    ana = [person("Ana Lima", 0.9)]
    store(aws, make_article("https://harbour.example/a", TEXT + " A.", published_at=at(10), entities=ana))
    store(aws, make_article("https://harbour.example/b", TEXT + " B.", published_at=at(15), entities=ana))
    store(aws, make_article("https://harbour.example/c", TEXT + " C.", published_at=at(25), entities=ana))
    found = list(client.by_entity("ana  LIMA", since=date(2026, 11, 12), until=date(2026, 11, 30)))
    assert [a.published_at for a in found] == [at(25), at(15)]
    assert all(a.entities == ana for a in found)
    # one BatchGetItem asks the corpus memory what the name stands for, one reads the records
    assert (len(reads["Query"]), len(reads["BatchGetItem"]), len(reads["Scan"])) == (1, 2, 0)


def test_by_entity_finds_only_the_indexed_top_entities(aws, client):
    entities = [person("Major Figure", 0.9), person("Minor Figure", 0.1)]
    store(aws, make_article("https://harbour.example/a", TEXT, entities=entities), EntityIndexPolicy(limit=1))
    assert len(list(client.by_entity("Major Figure"))) == 1
    assert list(client.by_entity("Minor Figure")) == []


# Saliences as entities/resolve.py gives them: 0.4 title + 0.3 lead + 0.3 x mentions / most mentions.
IN_TITLE_AND_LEAD = 0.7 + 0.3 * 2 / 4
PASSING = 0.3 * 1 / 4  # named once in a late paragraph of an article whose main entity is named 4 times


def test_mentioning_finds_the_passing_mentions_the_entity_index_leaves_out(aws, client, reads):
    in_title = make_article(
        "https://harbour.example/about", TEXT + " Ana Lima.", published_at=at(12), entities=[person("Ana Lima", 1.0)]
    )
    in_passing = make_article(
        "https://harbour.example/passing",
        TEXT + " Quay.",
        published_at=at(14),
        entities=[person("Ferry Boss", IN_TITLE_AND_LEAD), person("Ana Lima", PASSING)],
    )
    elsewhere = make_article("https://other.example/x", TEXT + " Other.", published_at=at(16), entities=[])
    for article in (in_title, in_passing, elsewhere):
        store(aws, article)

    assert [a.url for a in client.by_entity("Ana Lima")] == [in_title.url]
    assert list(client.mentioning("ana  LIMA")) == [in_passing, in_title]  # newest first, any spelling
    assert not reads["Scan"]
    assert [a.url for a in client.mentioning("Ana Lima", since=date(2026, 11, 13))] == [in_passing.url]
    assert [a.url for a in client.mentioning("Ana Lima", until=date(2026, 11, 13))] == [in_title.url]
    assert [a.url for a in client.mentioning("ns:ana-lima", limit=1)] == [in_passing.url]
    assert list(client.mentioning("Nobody Named")) == []


def test_mentioning_reads_the_latest_version_only(aws, client):
    first = make_article("https://harbour.example/a", TEXT, entities=[person("Ana Lima", PASSING)])
    second = first.model_copy(update={"version": 2, "text": TEXT + " Edited.", "entities": [person("Bo Tan", 1.0)]})
    store(aws, first)
    store(aws, second)
    assert list(client.mentioning("Ana Lima")) == []
    assert list(client.mentioning("Bo Tan")) == [second]


def test_a_client_without_sql_says_so(aws):
    with pytest.raises(RuntimeError, match="no SQL"):
        ArticleClient(aws.repos, aws.stores.archive).mentioning("Ana Lima")


def test_a_long_record_is_read_whole_from_s3(aws, client):
    big = make_article("https://harbour.example/long-read", "word " * 60_000)
    store(aws, big)
    assert client.get(big.article_id) == big
    assert next(client.by_source("harbour")) == big


def test_a_version_being_committed_reads_as_the_version_before_it(aws, client):
    """Claimed, its record not yet in S3 (a commit in flight, or a crash before S): readers get the
    newest version they can read, and an article with no readable version is left out of listings."""
    first = make_article("https://harbour.example/a", TEXT)
    store(aws, first)
    second = first.model_copy(update={"version": 2, "text": TEXT + " Work starts in May."})
    assert aws.repos.articles.claim(second, record_key(second), now=1.0)
    assert client.get(first.article_id) == first
    assert client.versions(first.article_id) == [first]

    brand_new = make_article("https://harbour.example/b", TEXT + " A second story.")
    assert aws.repos.articles.claim(brand_new, record_key(brand_new), now=1.0)
    assert client.get(brand_new.article_id) is None
    assert [a.article_id for a in client.by_source("harbour")] == [first.article_id]
