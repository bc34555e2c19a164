"""The batched commit under injected faults (docs/commit.md): a fault at every step boundary, then
redelivery, must leave exactly what a fault-free run stores — records, every item, one event per version."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from aws_fixtures import INDEX, make_article, person
from faults import CRASH, REFUSE, SERVER_ERROR, THROTTLE, Crash, Faults

from newsingest.models.messages import ArticleTask
from newsingest.models.outcomes import Outcome, SkipReason
from newsingest.models.records import EntityType
from newsingest.pipeline import commit as commit_module
from newsingest.pipeline.commit import LEASE_SECONDS, Committed, RetryLater, commit_batch
from newsingest.pipeline.process import Skip
from newsingest.storage import dynamo, keys
from newsingest.storage.articles import bucket_day

TEXT = (
    "The harbour board approved the new ferry terminal on Monday after a long public consultation.\n"
    "Work on the quay will start in the spring and is expected to take two years to complete.\n"
    "Residents had raised concerns about traffic on the approach roads and about night-time noise.\n"
    "The board said a new junction would be built and piling would stop at seven each evening."
)
OTHER = (
    "The city council voted to extend the tram line to the university campus by the end of next year.\n"
    "The extension adds four stops and is paid for by a regional transport grant and a local levy."
)
VOLATILE = {"claimed_at", "updated_at"}  # clock readings: when, not what
T0 = 1_800_000_000.0


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(dynamo.time, "sleep", lambda seconds: None)


def task(url: str, via: str = "feed") -> ArticleTask:
    return ArticleTask(
        url=url, source_id="harbour", discovered_at=datetime(2026, 11, 20, 10, tzinfo=UTC), discovered_via=via
    )


def consumer(aws) -> str:
    """A queue subscribed to every event on the bus: how many events each version got."""
    sqs, events = aws.clients["sqs"], aws.clients["events"]
    url = sqs.create_queue(QueueName="consumer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = aws.resources.event_bus_name
    events.put_rule(Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["newsingest"]}))
    events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def drain_events(aws, url: str) -> list[tuple[str, str, int]]:
    got = []
    while messages := aws.clients["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in messages:
            event = json.loads(m["Body"])
            got.append((event["detail-type"], event["detail"]["article_id"], event["detail"]["version"]))
        aws.clients["sqs"].delete_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
        )
    return sorted(got)


def snapshot(aws) -> tuple[dict, dict]:
    """Every index item (minus clock readings) and every S3 record."""
    items = aws.clients["dynamodb"].scan(TableName=aws.resources.table_name)["Items"]
    table = {
        (i["pk"]["S"], i["sk"]["S"]): {k: v for k, v in i.items() if k not in VOLATILE}
        for i in items
        if not i["pk"]["S"].startswith("DOM#")
    }
    s3 = aws.clients["s3"]
    listed = s3.list_objects_v2(Bucket=aws.resources.bucket_name, Prefix="articles/").get("Contents", [])
    records = {o["Key"]: s3.get_object(Bucket=aws.resources.bucket_name, Key=o["Key"])["Body"].read() for o in listed}
    return table, records


def differences(got: tuple[dict, dict], expected: tuple[dict, dict]) -> list:
    """What differs, item by item and attribute by attribute: a readable failure."""
    out = []
    for have, want in zip(got, expected, strict=True):
        for key in sorted(set(have) | set(want)):
            a, b = have.get(key), want.get(key)
            if a != b:
                if isinstance(a, dict) and isinstance(b, dict):
                    out.append((key, {k: (a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k)}))
                else:
                    out.append((key, "present" if a is not None else "missing"))
    return out


def wipe(aws, events_url: str) -> None:
    dynamodb, s3 = aws.clients["dynamodb"], aws.clients["s3"]
    for item in dynamodb.scan(TableName=aws.resources.table_name)["Items"]:
        dynamodb.delete_item(TableName=aws.resources.table_name, Key={"pk": item["pk"], "sk": item["sk"]})
    for obj in s3.list_objects_v2(Bucket=aws.resources.bucket_name).get("Contents", []):
        s3.delete_object(Bucket=aws.resources.bucket_name, Key=obj["Key"])
    drain_events(aws, events_url)


def batch() -> tuple[list[ArticleTask], list]:
    """A new article, a copy of it at another URL (a duplicate), and a new text of a stored article."""
    original = make_article("https://harbour.example/a", TEXT, entities=[person("Jane Smith", 0.9)])
    copy = make_article("https://harbour.example/copy-of-a", TEXT)
    edited = make_article("https://harbour.example/b", OTHER + "\nThe first tram runs in May.")
    return [task(a.url) for a in (original, copy, edited)], [original, copy, edited]


def seed(aws) -> None:
    """The stored article that the batch brings a new text of."""
    first = make_article("https://harbour.example/b", OTHER)
    assert isinstance(commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX)[0], Committed)


def run_until_done(aws, tasks, articles, clock: list[float], rounds: int = 4) -> list:
    """Deliver the batch; redeliver what failed (after the lease, as SQS would after a crash) until done."""
    pending = list(range(len(tasks)))
    results: dict[int, object] = {}
    for _ in range(rounds):
        try:
            out = commit_batch(
                [tasks[i] for i in pending],
                [articles[i] for i in pending],
                stores=aws.stores,
                entity_index=INDEX,
                clock=lambda: clock[0],
            )
        except Crash:
            out = [Crash()] * len(pending)
        results.update(zip(pending, out, strict=True))
        pending = [i for i in pending if not isinstance(results[i], Committed)]
        clock[0] += LEASE_SECONDS + 1
        if not pending:
            break
    return [results[i] for i in range(len(tasks))]


_FAULT_FREE: list = []  # the fault-free run's (state, events): deterministic, so computed once per process


@pytest.fixture
def baseline(aws):
    """The fault-free run's stored state and events, and a seeded table for the faulty run."""
    events_url = consumer(aws)
    seed(aws)
    drain_events(aws, events_url)
    if not _FAULT_FREE:
        tasks, articles = batch()
        results = commit_batch(tasks, articles, stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
        assert [r.outcome for r in results] == [Outcome.STORED, Outcome.DUPLICATE, Outcome.UPDATED]
        _FAULT_FREE.append((snapshot(aws), drain_events(aws, events_url)))
        wipe(aws, events_url)
        seed(aws)
        drain_events(aws, events_url)
    return _FAULT_FREE[0], events_url


# Every step boundary of the protocol: the Nth call of each operation the commit makes.
STEPS = [
    ("dynamodb", "BatchGetItem", 0),  # R: LATEST and hash claims
    ("dynamodb", "BatchGetItem", 1),  # R: the outbox marks (the stored articles' canonical URL items)
    ("dynamodb", "BatchWriteItem", 0),  # P: the replaced version kept as a V# item (the batch has an update)
    ("dynamodb", "PutItem", 0),  # C: first claim
    ("dynamodb", "PutItem", 1),  # C: a later claim (the first is held)
    ("s3", "PutObject", 0),  # S
    ("s3", "PutObject", 2),  # S: after some records are in S3
    ("dynamodb", "BatchGetItem", 2),  # M: the shared items (SimHash buckets, corpus memory)
    ("dynamodb", "BatchWriteItem", 1),  # I: own and shared items
    ("events", "PutEvents", 0),  # E
    ("dynamodb", "BatchWriteItem", 2),  # F: events published, the URL items (outbox marks) not yet written
]


FAULTS = [(*step, kind) for step in STEPS for kind in (THROTTLE, CRASH)] + [
    ("s3", "PutObject", 0, SERVER_ERROR),
    ("dynamodb", "PutItem", 0, SERVER_ERROR),
    ("events", "PutEvents", 0, REFUSE),
]


@pytest.mark.parametrize(("service", "operation", "after", "kind"), FAULTS)
def test_a_fault_at_every_step_converges_after_redelivery(aws, baseline, service, operation, after, kind):
    (expected_state, expected_events), events_url = baseline
    tasks, articles = batch()
    faults = Faults(aws.clients[service]).after(operation, after, kind, times=1 if kind == CRASH else None)
    clock = [T0]
    first = run_until_done(aws, tasks, articles, clock, rounds=1)
    failed = [i for i, r in enumerate(first) if not isinstance(r, Committed)]
    assert failed, "the fault did not stop anything"
    faults.clear()
    results = run_until_done(aws, [tasks[i] for i in failed], [articles[i] for i in failed], clock)

    assert all(isinstance(r, Committed) for r in results), results
    state = snapshot(aws)
    assert state == expected_state, differences(state, expected_state)
    events = drain_events(aws, events_url)
    if operation == "BatchWriteItem" and (after == 2 or kind == THROTTLE):
        # The one window EventBridge leaves open (it has no idempotent put): published, then the outbox
        # mark could not be written; the redelivery announces again. Consumers key on (article_id,
        # version). A throttle that outlasts the backoff from P or I on reaches F too, for the records
        # with nothing to index (the duplicate) that went on to E.
        assert sorted(set(events)) == expected_events and len(events) <= 2 * len(expected_events)
    else:
        assert events == expected_events


def test_eventbridge_refusing_the_entry_fails_the_record_and_its_redelivery_announces_it(aws):
    events_url = consumer(aws)
    article = make_article("https://harbour.example/a", TEXT)
    faults = Faults(aws.clients["events"]).after("PutEvents", 0, REFUSE)
    (failed,) = commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX)
    assert isinstance(failed, Exception)
    faults.clear()
    (again,) = commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX)
    assert isinstance(again, Committed) and again.outcome == Outcome.STORED  # not "unchanged"
    assert drain_events(aws, events_url) == [("ArticleIngested", article.article_id, 1)]


def test_batch_writes_throttled_after_latest_converge_to_every_item(aws):
    article = make_article("https://harbour.example/a", TEXT, entities=[person("Jane Smith", 0.9)])
    faults = Faults(aws.clients["dynamodb"]).after("BatchWriteItem", 0, THROTTLE)
    (failed,) = commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX)
    assert isinstance(failed, Exception)
    assert aws.repos.articles.get(article.article_id) is not None  # LATEST was claimed
    faults.clear()
    (done,) = commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX)
    assert isinstance(done, Committed)
    assert [v.version for v in aws.repos.articles.versions(article.article_id)] == [1]
    assert aws.repos.articles.similar_candidates(article.simhash, bucket_day(article)) == {
        article.article_id: article.simhash
    }
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert [h.article_id for h in aws.repos.articles.by_entity("ns:jane-smith", start, end)] == [article.article_id]


@pytest.mark.parametrize("same_text", [True, False])
def test_two_commits_of_one_article_at_once_lose_nothing_and_announce_each_version_once(aws, same_text):
    events_url = consumer(aws)
    mine = make_article("https://harbour.example/a", TEXT)
    theirs = mine if same_text else make_article("https://harbour.example/a", TEXT + "\nA late correction.")
    clock = [T0]

    def the_other_commit_runs_now(operation: str, params: dict) -> None:
        if operation == "PutItem" and not started:  # just before my claim: the other commit, start to end
            started.append(True)
            ran.append(commit_batch([task(theirs.url)], [theirs], stores=aws.stores, entity_index=INDEX)[0])

    started: list = []
    ran: list = []
    Faults(aws.clients["dynamodb"]).on(the_other_commit_runs_now)
    (mine_first,) = commit_batch(
        [task(mine.url)], [mine], stores=aws.stores, entity_index=INDEX, clock=lambda: clock[0]
    )
    assert isinstance(ran[0], Committed) and ran[0].version == 1
    assert isinstance(mine_first, RetryLater)  # lost the race for version 1: comes back
    (mine_again,) = commit_batch([task(mine.url)], [mine], stores=aws.stores, entity_index=INDEX)

    versions = aws.repos.articles.versions(mine.article_id)
    if same_text:
        assert mine_again.outcome == Outcome.UNCHANGED
        assert [v.version for v in versions] == [1]
        assert drain_events(aws, events_url) == [("ArticleIngested", mine.article_id, 1)]
    else:
        assert (mine_again.outcome, mine_again.version) == (Outcome.UPDATED, 2)
        assert [v.content_hash for v in versions] == [theirs.content_hash, mine.content_hash]
        assert drain_events(aws, events_url) == [
            ("ArticleIngested", mine.article_id, 1),
            ("ArticleUpdated", mine.article_id, 2),
        ]


def test_a_commit_finding_another_in_flight_waits_for_it(aws):
    """Between another commit's claim and its end, a second one neither overwrites nor announces."""
    events_url = consumer(aws)
    article = make_article("https://harbour.example/a", TEXT)
    Faults(aws.clients["s3"]).after("PutObject", 0, CRASH, times=1)  # claimed, then died
    with pytest.raises(Crash):
        commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
    (waiting,) = commit_batch(
        [task(article.url)], [article], stores=aws.stores, entity_index=INDEX, clock=lambda: T0 + 5
    )
    assert isinstance(waiting, RetryLater) and waiting.retry_after == pytest.approx(LEASE_SECONDS - 5)
    later = T0 + LEASE_SECONDS + 1
    (done,) = commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX, clock=lambda: later)
    assert (done.outcome, done.version) == (Outcome.STORED, 1)
    assert drain_events(aws, events_url) == [("ArticleIngested", article.article_id, 1)]


def test_a_page_with_thirty_thousand_tags_and_twenty_thousand_entities_is_stored_cut_and_flagged(aws):
    entities = [person(f"Person {n}", salience=(n % 1000) / 1000) for n in range(20_000)]
    huge = make_article("https://harbour.example/huge", TEXT, entities=entities).model_copy(
        update={"tags": [f"tag-{n}" for n in range(30_000)], "text": TEXT + ("\nword" * 150_000)}
    )
    (result,) = commit_batch([task(huge.url)], [huge], stores=aws.stores, entity_index=INDEX)
    assert isinstance(result, Committed), result
    stored = aws.stores.archive.get_record(aws.repos.articles.get(huge.article_id).listing.record_s3_key)
    assert (len(stored.tags), len(stored.entities)) == (commit_module.MAX_TAGS, commit_module.MAX_ENTITIES)
    assert [f.kind for f in stored.flags] == ["truncated"]
    assert "tags" in stored.flags[0].reason and "entities" in stored.flags[0].reason
    assert stored.content_hash == huge.content_hash  # the identity of the whole text


def test_one_records_s3_error_fails_that_record_only(aws):
    articles = [make_article(f"https://harbour.example/{n}", f"{TEXT}\nStory {n}.") for n in range(3)]
    Faults(aws.clients["s3"]).after("PutObject", 1, SERVER_ERROR, times=1)
    results = commit_batch([task(a.url) for a in articles], articles, stores=aws.stores, entity_index=INDEX)
    assert [isinstance(r, Committed) for r in results].count(True) == 2
    assert sum(isinstance(r, Exception) for r in results) == 1


def test_no_commit_starts_without_the_time_to_finish_it(aws):
    article = make_article("https://harbour.example/a", TEXT)
    calls = aws.count_calls("dynamodb", "PutItem")
    (result,) = commit_batch(
        [task(article.url)], [article], stores=aws.stores, entity_index=INDEX, remaining=lambda: 3.0
    )
    assert isinstance(result, RetryLater)
    assert calls == []


def smith(salience: float):
    """A person written in full and by surname: the surname is what the corpus memory learns."""
    return person("Jane Smith", salience).model_copy(update={"aliases": ["Smith"]})


def test_a_batch_teaches_a_name_once_with_every_records_vote_and_joins_their_simhash_buckets(aws):
    articles = [
        make_article(f"https://harbour.example/{n}", f"{TEXT}\nStory {n}.", entities=[smith(0.9)]) for n in range(2)
    ] + [make_article("https://harbour.example/tram", OTHER, entities=[smith(0.8)])]
    updates = aws.count_calls("dynamodb", "UpdateItem")
    results = commit_batch([task(a.url) for a in articles], articles, stores=aws.stores, entity_index=INDEX)
    assert [r.outcome for r in results] == [Outcome.STORED, Outcome.DUPLICATE, Outcome.STORED]
    assert updates == []  # shared items are merged and put with the batch's other items
    originals = [articles[0], articles[2]]
    (learned,) = aws.knowledge.recall(["smith"]).values()
    assert (dict(learned.types), dict(learned.full_names)) == ({EntityType.PERSON: 2}, {"Jane Smith": 2})
    for article in originals:
        found = aws.repos.articles.similar_candidates(article.simhash, bucket_day(article))
        assert found[article.article_id] == article.simhash
    assert articles[1].article_id not in aws.repos.articles.similar_candidates(articles[1].simhash, "2026-11-20")


def test_a_shared_item_that_cannot_be_written_fails_every_record_with_a_part_in_it_and_converges(aws):
    """Two records teach one name (one shared item); the third does not: only the two come back."""
    events_url = consumer(aws)
    articles = [
        make_article("https://harbour.example/a", TEXT, entities=[smith(0.9)]),
        make_article("https://harbour.example/tram", OTHER, entities=[smith(0.8)]),
        make_article("https://harbour.example/c", "The museum reopens on Saturday after a year of roof repairs."),
    ]
    tasks = [task(a.url) for a in articles]
    assert all(isinstance(r, Committed) for r in commit_batch(tasks, articles, stores=aws.stores, entity_index=INDEX))
    expected = snapshot(aws), drain_events(aws, events_url)
    wipe(aws, events_url)

    the_name = lambda body: "NAME#smith" in body  # noqa: E731 - the shared item of records 0 and 1
    faults = Faults(aws.clients["dynamodb"]).when("BatchWriteItem", the_name, SERVER_ERROR)
    first = commit_batch(tasks, articles, stores=aws.stores, entity_index=INDEX)
    faults.clear()
    assert [isinstance(r, Committed) for r in first] == [False, False, True]
    again = commit_batch(tasks[:2], articles[:2], stores=aws.stores, entity_index=INDEX)  # claims were released
    assert all(isinstance(r, Committed) for r in again), again
    state = snapshot(aws)
    assert state == expected[0], differences(state, expected[0])
    assert drain_events(aws, events_url) == expected[1]


def test_a_hundred_kilobyte_name_taught_by_many_articles_keeps_every_item_under_the_limit(aws):
    """A hostile page's "name" is stored cut: the knowledge sets would otherwise pass 400 KB."""
    name = "Jane " + "Q" * 100_000
    hostile = person(name, 0.9).model_copy(update={"aliases": ["Jane"]})
    articles = [
        make_article(f"https://harbour.example/{n}", f"{OTHER}\nReport {n}: {'x ' * n}", entities=[hostile])
        for n in range(6)
    ]
    for article in articles:  # one batch each: the set grows with every article
        (result,) = commit_batch([task(article.url)], [article], stores=aws.stores, entity_index=INDEX)
        assert isinstance(result, Committed), result
    memory = aws.knowledge.recall(["jane"])["jane"]
    assert sum(memory.full_names.values()) == 6 and all(len(n) <= 200 for n in memory.full_names)


@pytest.mark.parametrize("kind", [THROTTLE, CRASH])
def test_a_skip_whose_url_read_fails_comes_back_and_never_unlinks_the_stored_article(aws, kind):
    """Step K: a redelivered page of a stored article is skipped this time (no text left, say)."""
    tasks, articles = batch()
    (stored,) = commit_batch(tasks[:1], articles[:1], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
    skip = Skip(SkipReason.NO_TEXT, "every line is learned boilerplate")
    faults = Faults(aws.clients["dynamodb"]).after("BatchGetItem", 0, kind)  # K: the skipped page's URL item
    try:
        (failed,) = commit_batch(tasks[:1], [skip], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
        assert isinstance(failed, Exception)  # the record fails: SQS brings it back
    except Crash:
        pass  # the Lambda died before the read: nothing written, SQS brings the message back
    linked = aws.repos.urls.get(tasks[0].url)
    assert (linked.status, linked.article_id) == ("stored", stored.article_id)
    faults.clear()
    (skipped,) = commit_batch(tasks[:1], [skip], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
    assert (skipped.outcome, skipped.reason) == (Outcome.SKIPPED, SkipReason.NO_TEXT)
    url = aws.repos.urls.get(tasks[0].url)
    assert (url.status, url.article_id, url.reason) == ("stored", stored.article_id, "no_text")
    assert aws.repos.articles.get(stored.article_id) is not None


@pytest.mark.parametrize(
    ("service", "operation", "stored_first"),
    [
        ("s3", "PutObject", False),  # crash after C: version 1 claimed, its record never reached S3
        ("events", "PutEvents", True),  # crash after I: version 1 whole but for its event
    ],
)
def test_a_crash_mid_commit_then_a_changed_page_loses_no_version_and_announces_each_once(
    aws, service, operation, stored_first
):
    """The page changed before the redelivery. A version whose record is in S3 is finished as stored
    and the new text comes back as version 2; a claimed version that never reached S3 was never
    readable, so the new text takes it."""
    events_url = consumer(aws)
    first = make_article("https://harbour.example/a", TEXT)
    edited = make_article("https://harbour.example/a", TEXT + "\nThe first ferry sails in 2028.")
    faults = Faults(aws.clients[service]).after(operation, 0, CRASH, times=1)
    with pytest.raises(Crash):
        commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
    faults.clear()

    clock = [T0 + LEASE_SECONDS + 1]
    results = run_until_done(aws, [task(edited.url)], [edited], clock)
    assert isinstance(results[0], Committed), results

    versions = aws.repos.articles.versions(first.article_id)
    texts = [aws.stores.archive.get_record(v.record_s3_key).text for v in versions]
    events = drain_events(aws, events_url)
    if stored_first:
        assert texts == [first.text, edited.text]
        assert events == [("ArticleIngested", first.article_id, 1), ("ArticleUpdated", first.article_id, 2)]
    else:
        assert texts == [edited.text]
        assert events == [("ArticleIngested", first.article_id, 1)]
    latest = aws.repos.articles.get(first.article_id)
    assert (latest.version, latest.content_hash) == (len(texts), edited.content_hash)


def items_of(aws, article_id: str) -> dict[str, dict]:
    found = aws.clients["dynamodb"].query(
        TableName=aws.resources.table_name,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": keys.article_pk(article_id)}},
    )["Items"]
    return {i["sk"]["S"]: i for i in found}


def test_the_newest_version_lives_in_latest_alone_and_an_update_keeps_the_one_it_replaces(aws):
    """P: a first version writes no V# item; the next one first keeps the replaced listing as V#1."""
    first = make_article("https://harbour.example/a", TEXT)
    edited = make_article("https://harbour.example/a", TEXT + "\nThe first ferry sails in 2028.")
    (one,) = commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
    assert set(items_of(aws, first.article_id)) == {"LATEST"}
    assert aws.repos.urls.get(first.canonical_url).version == 1  # the outbox mark of version 1

    (two,) = commit_batch([task(edited.url)], [edited], stores=aws.stores, entity_index=INDEX, clock=lambda: T0 + 1)
    items = items_of(aws, first.article_id)
    v1 = keys.version_key(first.article_id, 1)["sk"]
    assert set(items) == {"LATEST", v1}
    assert items[v1]["record_s3_key"]["S"] == one.record_s3_key
    assert items[v1]["content_hash"]["S"] == first.content_hash
    assert [(v.version, v.record_s3_key) for v in aws.repos.articles.versions(first.article_id)] == [
        (1, one.record_s3_key),
        (2, two.record_s3_key),
    ]
    assert aws.repos.urls.get(first.canonical_url).version == 2


def test_a_skip_keeps_the_version_on_the_url_item_so_the_stored_version_stays_complete(aws):
    """The canonical URL's item is the version's outbox mark: a skip that rewrites it (a refresh that
    met an empty page) keeps the version, or the next delivery would announce version 1 again."""
    events_url = consumer(aws)
    first = make_article("https://harbour.example/a", TEXT)
    commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX, clock=lambda: T0)
    skip = Skip(SkipReason.NO_TEXT, "every line is learned boilerplate")
    commit_batch([task(first.url)], [skip], stores=aws.stores, entity_index=INDEX, clock=lambda: T0 + 1)
    assert aws.repos.urls.get(first.url).version == 1

    later = T0 + LEASE_SECONDS + 1  # a claim this old would be taken over if the version looked unfinished
    (again,) = commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX, clock=lambda: later)
    assert again.outcome == Outcome.UNCHANGED
    assert drain_events(aws, events_url) == [("ArticleIngested", first.article_id, 1)]


def test_a_version_left_unfinished_before_the_url_outbox_is_finished_once(aws):
    """Items written by the commit before the URL items became the outbox: LATEST without `outbox`,
    V#1 with `event_pending`. The redelivery finishes it and announces it once; then it is complete."""
    events_url = consumer(aws)
    first = make_article("https://harbour.example/a", TEXT)
    aws.repos.articles.put(first, aws.stores.archive.put_record(first), entity_index=INDEX)
    dynamodb, table = aws.clients["dynamodb"], aws.resources.table_name
    key = {"pk": {"S": keys.article_pk(first.article_id)}}
    dynamodb.update_item(
        TableName=table,
        Key={**key, "sk": {"S": keys.version_key(first.article_id, 1)["sk"]}},
        UpdateExpression="SET event_pending = :t",
        ExpressionAttributeValues={":t": {"BOOL": True}},
    )
    dynamodb.update_item(
        TableName=table,
        Key={**key, "sk": {"S": "LATEST"}},
        UpdateExpression="SET claimed_at = :t",
        ExpressionAttributeValues={":t": {"N": str(T0)}},
    )
    later = T0 + LEASE_SECONDS + 1
    (finished,) = commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX, clock=lambda: later)
    (again,) = commit_batch([task(first.url)], [first], stores=aws.stores, entity_index=INDEX, clock=lambda: later * 2)
    assert (finished.outcome, again.outcome) == (Outcome.STORED, Outcome.UNCHANGED)
    assert drain_events(aws, events_url) == [("ArticleIngested", first.article_id, 1)]
