"""The commit step: new, unchanged, new version, exact and near duplicates; learned boilerplate."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aws_fixtures import INDEX, make_article

from newsingest.entities.knowledge import EntityIndexPolicy
from newsingest.models.lines import line_key
from newsingest.models.messages import ArticleTask
from newsingest.pipeline.commit import commit_batch
from newsingest.pipeline.ingest import learned_boilerplate
from newsingest.pipeline.process import PageInput, process_pages

TEXT = (
    "The harbour board approved the new ferry terminal on Monday after a long public consultation.\n"
    "Work on the quay will start in the spring and is expected to take two years to complete.\n"
    "Residents had raised concerns about traffic on the approach roads and about night-time noise.\n"
    "The board said a new junction would be built and piling would stop at seven each evening.\n"
    "The terminal will handle up to twelve sailings a day to the island, twice the current number, and\n"
    "will have covered walkways, a waiting hall with a cafe and charging points for electric vehicles.\n"
    "The operator said it would order two hybrid vessels from a yard in the north of England this winter.\n"
    "Local businesses welcomed the decision, saying the present terminal had been too small for a decade.\n"
    "A campaign group said it would study the conditions attached to the approval before deciding its next step."
)


def commit(task: ArticleTask, article, *, stores, entity_index: EntityIndexPolicy) -> dict:
    """One record through the batched commit: its outcome, or its failure raised."""
    (result,) = commit_batch([task], [article], stores=stores, entity_index=entity_index)
    if isinstance(result, Exception):
        raise result
    return result.log()


def task_for(url: str, via: str = "feed") -> ArticleTask:
    return ArticleTask(url=url, source_id="harbour", discovered_at=datetime.now(UTC), discovered_via=via)


def subscribe(aws) -> str:
    sqs, events = aws.clients["sqs"], aws.clients["events"]
    url = sqs.create_queue(QueueName="consumer")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = aws.resources.event_bus_name
    events.put_rule(Name="c", EventBusName=bus, EventPattern=json.dumps({"source": ["newsingest"]}))
    events.put_targets(Rule="c", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def received(aws, url: str) -> list[dict]:
    messages = aws.clients["sqs"].receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_new_then_unchanged_then_a_new_version(aws):
    consumer = subscribe(aws)
    article = make_article("https://harbour.example/a", TEXT)
    first = commit(task_for(article.url), article, stores=aws.stores, entity_index=INDEX)
    again = commit(task_for(article.url, "refresh"), article, stores=aws.stores, entity_index=INDEX)
    edited = make_article("https://harbour.example/a", TEXT + "\nThe first ferry will sail in 2028.")
    second = commit(task_for(article.url, "refresh"), edited, stores=aws.stores, entity_index=INDEX)

    assert [first["outcome"], again["outcome"], second["outcome"]] == ["stored", "unchanged", "updated"]
    assert second["version"] == 2
    latest = aws.repos.articles.get(article.article_id)
    assert aws.stores.archive.get_record(latest.listing.record_s3_key).modified_at is not None
    assert [v.version for v in aws.repos.articles.versions(article.article_id)] == [1, 2]
    events = received(aws, consumer)
    assert sorted(e["detail-type"] for e in events) == ["ArticleIngested", "ArticleUpdated"]
    assert {e["detail"]["detail_version"] for e in events} == {1}


def test_a_syndicated_copy_points_at_the_first_and_a_light_edit_is_a_near_duplicate(aws):
    original = make_article("https://harbour.example/a", TEXT)
    copy = make_article("https://ledger.example/b", TEXT, source_id="ledger")
    # A syndicated copy with one word changed (SimHash tolerates a few edits in an article-length text).
    retouched = make_article("https://wire.example/c", TEXT.replace("Monday", "Tuesday"), source_id="wire")
    other = make_article(
        "https://wire.example/d", "An entirely different story about a football club and its new coach."
    )
    results = [
        commit(task_for(a.url), a, stores=aws.stores, entity_index=INDEX) for a in (original, copy, retouched, other)
    ]
    assert [r["outcome"] for r in results] == ["stored", "duplicate", "duplicate", "stored"]
    assert results[1]["duplicate_of"] == original.article_id
    assert results[2]["duplicate_of"] == original.article_id


def test_a_replay_with_the_same_text_rewrites_the_same_version(aws):
    article = make_article("https://harbour.example/a", TEXT)
    commit(task_for(article.url), article, stores=aws.stores, entity_index=INDEX)
    replayed = commit(task_for(article.url, "replay"), article, stores=aws.stores, entity_index=INDEX)
    assert (replayed["outcome"], replayed["version"]) == ("stored", 1)
    assert [v.version for v in aws.repos.articles.versions(article.article_id)] == [1]


def test_boilerplate_is_learned_from_the_sources_history_and_kept(aws):
    promo = "Follow The Harbour Times on Mastodon for every update."
    for n in range(3):
        article = make_article(f"https://harbour.example/{n}", f"Story {n} about the quay and the ferry.\n{promo}")
        aws.repos.articles.put(article, f"k{n}", entity_index=INDEX)
    assert line_key(promo) in learned_boilerplate("harbour", aws.repos)  # from the LATEST items, no record read
    assert line_key(promo) in aws.repos.boilerplate.get("harbour")  # kept, even once new records no longer carry it

    paragraphs = "".join(
        f"<p>Paragraph {n} about the new ferry terminal and the works on the quay.</p>" for n in range(5)
    )
    html = f"<html><body><article><h1>Quay</h1>{paragraphs}<p>{promo}</p></article></body></html>".encode()
    page = PageInput(html=html, url="https://harbour.example/new", source_id="harbour", fetched_at=datetime.now(UTC))
    (cleaned,) = process_pages([page], tagger=None, boilerplate={"harbour": learned_boilerplate("harbour", aws.repos)})
    (kept,) = process_pages([page], tagger=None)
    assert promo in kept.text
    assert promo not in cleaned.text
