"""The repositories over the index table: every access pattern is one Query (or one GetItem), never a Scan."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from aws_fixtures import INDEX, make_article, person

from newsingest.discovery.state import SourceState
from newsingest.entities.knowledge import EntityIndexPolicy
from newsingest.models.lines import line_key
from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import Outcome
from newsingest.pipeline.commit import commit_batch
from newsingest.storage.articles import bucket_day

T0 = datetime(2026, 11, 1, tzinfo=UTC)
T1 = datetime(2026, 11, 30, tzinfo=UTC)
TEXT = "The harbour board approved the new ferry terminal after a long public consultation in the city."


def store(aws, article, entity_index: EntityIndexPolicy | None = None) -> int:
    return aws.repos.articles.put(
        article, f"articles/v1/dt={article.day}/{article.article_id}.json", entity_index=entity_index or INDEX
    )


def test_article_by_id_and_its_versions(aws):
    first = make_article("https://harbour.example/a", TEXT)
    second = first.model_copy(update={"version": 2, "text": TEXT + " Work starts in May."})
    store(aws, first)
    store(aws, second)
    latest = aws.repos.articles.get(first.article_id)
    assert (latest.listing.version, latest.content_hash) == (2, second.content_hash)
    assert [v.version for v in aws.repos.articles.versions(first.article_id)] == [1, 2]


def test_an_older_version_never_overwrites_a_newer_one(aws):
    first = make_article("https://harbour.example/a", TEXT)
    store(aws, first.model_copy(update={"version": 2}))
    try:
        store(aws, first)
    except aws.clients["dynamodb"].exceptions.ConditionalCheckFailedException:
        pass
    else:
        raise AssertionError("version 1 replaced version 2")
    assert aws.repos.articles.get(first.article_id).listing.version == 2


def test_article_by_url_goes_through_the_url_item(aws):
    article = make_article("https://harbour.example/a", TEXT)
    store(aws, article)
    aws.repos.urls.mark("https://harbour.example/old-a", "stored", source_id="harbour", article_id=article.article_id)
    known = aws.repos.urls.get("https://harbour.example/old-a")
    assert known.article_id == article.article_id
    assert aws.repos.urls.get("https://harbour.example/never") is None


def test_a_sources_articles_in_a_range_newest_first_in_one_query(aws):
    days = [datetime(2026, 11, d, 8, tzinfo=UTC) for d in (3, 10, 17, 24)]
    for i, day in enumerate(days):
        store(aws, make_article(f"https://harbour.example/{i}", f"{TEXT} {i}", published_at=day))
    store(aws, make_article("https://other.example/x", TEXT, source_id="other", published_at=days[1]))
    queries = aws.count_calls("dynamodb", "Query")
    got = list(aws.repos.articles.by_source("harbour", datetime(2026, 11, 5, tzinfo=UTC), T1))
    assert [g.published_at[:10] for g in got] == ["2026-11-24", "2026-11-17", "2026-11-10"]
    assert len(queries) == 1


def test_the_latest_item_has_no_day_index_keys(aws):
    """A day's articles are listed from the S3 day partition: the LATEST item pays for one GSI entry (BySource)."""
    article = make_article("https://harbour.example/1", TEXT)
    store(aws, article)
    table = aws.resources.table_name
    item = aws.clients["dynamodb"].get_item(
        TableName=table, Key={"pk": {"S": f"ART#{article.article_id}"}, "sk": {"S": "LATEST"}}
    )["Item"]
    assert {"gsi1pk", "gsi1sk"} <= set(item)
    assert not {name for name in item if name.startswith("gsi2")}


@pytest.mark.parametrize(
    ("policy", "indexed"),
    [
        (EntityIndexPolicy(limit=3), [6, 5, 4]),  # the top 3 by salience
        (EntityIndexPolicy(limit=8, min_salience=0.3), [6, 5, 4, 3]),  # only the salient ones
        (EntityIndexPolicy(limit=2, min_salience=0.3), [6, 5]),  # and never more than the limit
    ],
)
def test_the_entity_index_holds_the_salient_entities_up_to_the_limit(aws, policy, indexed):
    people = [person(f"Person {n}", salience=n / 10) for n in range(1, 7)]
    article = make_article("https://harbour.example/a", TEXT, entities=people)
    writes = aws.count_calls("dynamodb", "BatchWriteItem")
    store(aws, article, policy)
    written = [r for call in writes for r in call["params"]["RequestItems"][aws.resources.table_name]]
    entity_items = [w["PutRequest"]["Item"] for w in written if w["PutRequest"]["Item"]["pk"]["S"].startswith("ENT#")]
    assert [i["entity_id"]["S"] for i in entity_items] == [f"ns:person-{n}" for n in indexed]
    for n in range(1, 7):
        found = [hit.article_id for hit in aws.repos.articles.by_entity(f"ns:person-{n}", T0, T1)]
        assert found == ([article.article_id] if n in indexed else [])


def test_source_state_round_trip(aws):
    aws.repos.source_states.put(SourceState(source_id="harbour", total_new=4))
    assert aws.repos.source_states.get_many(["harbour", "missing"]) == {
        "harbour": SourceState(source_id="harbour", total_new=4)
    }
    assert aws.repos.source_states.get("missing") == SourceState(source_id="missing")


def test_claiming_a_url_twice_succeeds_once(aws):
    now = datetime.now(UTC)
    assert aws.repos.urls.claim("https://harbour.example/a", "harbour", "r1", now)
    assert not aws.repos.urls.claim("https://harbour.example/a", "harbour", "r1", now)
    assert not aws.repos.urls.claim_revision("https://harbour.example/a", "r1", now)
    assert aws.repos.urls.claim_revision("https://harbour.example/a", "r2", now)
    assert not aws.repos.urls.claim_revision("https://harbour.example/a", "r2", now)


def test_known_urls_cost_one_request_per_hundred(aws):
    now = datetime.now(UTC)
    urls = [f"https://harbour.example/{i}" for i in range(250)]
    for url in urls[:200]:
        aws.repos.urls.claim(url, "harbour", None, now)
    gets = aws.count_calls("dynamodb", "BatchGetItem")
    known = aws.repos.urls.known(urls)
    assert set(known) == set(urls[:200])
    assert len(gets) == 3


def test_the_first_claim_on_a_text_owns_it(aws):
    assert aws.repos.articles.claim_content("h1", "first") is None
    assert aws.repos.articles.claim_content("h1", "first") is None  # a retry by the owner is not a duplicate
    assert aws.repos.articles.claim_content("h1", "second") == "first"


def commit(aws, article) -> None:
    task = ArticleTask(url=article.url, source_id="harbour", discovered_at=T0, discovered_via="feed")
    assert commit_batch([task], [article], stores=aws.stores, entity_index=INDEX)[0].outcome == Outcome.STORED


def test_near_duplicate_candidates_share_a_band(aws):
    original = make_article("https://harbour.example/a", TEXT)
    commit(aws, original)
    assert original.article_id in aws.repos.articles.similar_candidates(original.simhash, bucket_day(original))


def test_near_duplicate_candidates_are_the_texts_of_the_day_and_the_day_before(aws):
    original = make_article("https://harbour.example/a", TEXT)
    commit(aws, original)
    fetched = original.fetched_at.date()
    for days_later, found in ((0, True), (1, True), (2, False)):
        day = (fetched + timedelta(days=days_later)).isoformat()
        assert (original.article_id in aws.repos.articles.similar_candidates(original.simhash, day)) is found


def test_the_latest_item_is_a_listing_whatever_the_record_size(aws):
    """The record is in S3 only: LATEST costs the same for a long read as for a brief."""
    sizes = []
    for n, text in enumerate(
        (TEXT, "word " * 80_000, "\n".join(f"Paragraph {i} of a long read." for i in range(3000)))
    ):
        article = make_article(f"https://harbour.example/{n}", text)
        aws.repos.articles.put(article, aws.stores.archive.put_record(article), entity_index=INDEX)
        key = {"pk": {"S": f"ART#{article.article_id}"}, "sk": {"S": "LATEST"}}
        item = aws.clients["dynamodb"].get_item(TableName=aws.resources.table_name, Key=key)["Item"]
        assert "record" not in item
        sizes.append(len(json.dumps(item, default=len)) + len(item["lines"]["B"]))
        stored = aws.repos.articles.get(article.article_id)
        assert aws.stores.archive.get_record(stored.listing.record_s3_key) == article
    assert max(sizes) < 2048, sizes


def test_fetch_slots_are_spaced_by_the_crawl_delay(aws):
    assert aws.repos.hosts.reserve_fetch_slot("harbour.example", 2.0, now=1000.0) == 0.0
    assert aws.repos.hosts.reserve_fetch_slot("harbour.example", 2.0, now=1000.5) == 1.5
    assert aws.repos.hosts.reserve_fetch_slot("harbour.example", 2.0, now=1000.5) == 3.5
    assert aws.repos.hosts.reserve_fetch_slot("other.example", 2.0, now=1000.5) == 0.0


def test_a_host_that_asked_us_to_wait_gets_no_slot_before_then(aws):
    aws.repos.hosts.reserve_fetch_slot("busy.example", 1.0, now=1000.0)
    aws.repos.hosts.defer_host("busy.example", 1120.0)
    aws.repos.hosts.defer_host("busy.example", 1010.0)  # never moves the slot forward
    assert aws.repos.hosts.reserve_fetch_slot("busy.example", 1.0, now=1000.0) == 120.0


def test_robots_decisions_are_cached_until_they_expire(aws):
    from newsingest.discovery.robots import Robots

    robots = Robots.parse(b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n", 200, "newsingest")
    aws.repos.hosts.put_robots(
        "harbour.example", robots.to_text(), datetime(2026, 11, 24, tzinfo=UTC), timedelta(hours=1)
    )
    cached = Robots.from_text(aws.repos.hosts.get_robots("harbour.example", datetime(2026, 11, 24, 0, 30, tzinfo=UTC)))
    assert (cached.allowed("https://harbour.example/private/x"), cached.crawl_delay) == (False, 2)
    assert aws.repos.hosts.get_robots("harbour.example", datetime(2026, 11, 24, 2, tzinfo=UTC)) is None


def test_a_batch_of_fetch_slots_for_one_host_is_booked_at_once(aws):
    calls = aws.count_calls("dynamodb", "UpdateItem")
    waits = aws.repos.hosts.reserve_fetch_slots("harbour.example", 1.5, 3, now=2000.0)
    assert waits == [0.0, 1.5, 3.0]
    assert len(calls) == 1
    assert aws.repos.hosts.reserve_fetch_slot("harbour.example", 1.5, now=2000.0) == 4.5


def test_boilerplate_lines_round_trip(aws):
    assert aws.repos.boilerplate.get("harbour") == set()
    aws.repos.boilerplate.put("harbour", {line_key("Subscribe now"), line_key("Share this")})
    assert aws.repos.boilerplate.get("harbour") == {line_key("Subscribe now"), line_key("Share this")}
    aws.repos.boilerplate.put("harbour", {"Subscribe now"})  # learned as text, before keys were kept
    assert aws.repos.boilerplate.get("harbour") == {line_key("Subscribe now")}
