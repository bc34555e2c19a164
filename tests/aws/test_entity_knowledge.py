"""Corpus memory under moto: stored articles teach types and full names that later articles use,
and readers find articles by any alias of an entity. The tagger is the real Comprehend adapter on
botocore's Stubber (moto has no Comprehend NER), so every document's tags are fixed by the test."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import boto3
import pytest
from aws_fixtures import INDEX
from botocore.stub import Stubber

from newsingest.client import ArticleClient
from newsingest.entities.comprehend import ComprehendTagger
from newsingest.models.messages import ArticleTask
from newsingest.models.records import EntityType, TypeSource
from newsingest.pipeline.commit import commit_batch
from newsingest.pipeline.process import PageInput, process_pages
from newsingest.storage import keys

FILLER = "The statement was published on Monday morning and was widely shared by readers across the region."


def page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p} {FILLER}</p>" for p in paragraphs)
    head = f"<html lang='en'><head><title>{title}</title></head>"
    return f"{head}<body><article><h1>{title}</h1>{body}</article></body></html>".encode()


def ingest(aws, html: bytes, url: str, tags: dict[str, str], *, memory=True, store=True):
    """One page through process_pages with the corpus memory, then commit: what the handler does."""
    comprehend = boto3.client("comprehend", region_name="us-east-1")
    item = PageInput(html=html, url=url, source_id="harbour", fetched_at=datetime(2026, 11, 20, tzinfo=UTC))
    [untagged] = process_pages([item], tagger=None)
    entities = [
        {"Text": name, "Type": kind, "Score": 0.9, "BeginOffset": m.start(), "EndOffset": m.end()}
        for name, kind in tags.items()
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)(?!\s+Putin)", untagged.text)
    ]
    with Stubber(comprehend) as stub:
        response = {"ResultList": [{"Index": 0, "Entities": entities}], "ErrorList": []}
        stub.add_response("batch_detect_entities", response)
        [article] = process_pages([item], tagger=ComprehendTagger(comprehend), memory=aws.knowledge if memory else None)
    if store:
        task = ArticleTask(url=url, source_id="harbour", discovered_at=datetime.now(UTC), discovered_via="feed")
        (result,) = commit_batch([task], [article], stores=aws.stores, entity_index=INDEX)
        assert result.log()["outcome"] == "stored"
    return article


def entity(article, canonical_name):
    return next(e for e in article.entities if e.canonical_name == canonical_name)


@pytest.fixture
def client(aws, tmp_path) -> ArticleClient:
    """The client, its SQL over the records in (in-process) S3 (Aws.records_sql)."""
    return ArticleClient(aws.repos, aws.stores.archive, sql=aws.records_sql(tmp_path / "records.jsonl"))


def test_two_articles_teach_a_type_and_a_third_uses_it(aws):
    # "Apple" is also a surname, so the name lists leave its type to the tags and the corpus
    for n in (1, 2):
        ingest(aws, page(f"Platform news {n}", f"Apple changed its rules, story {n}."), f"https://h.example/{n}",
               {"Apple": "ORGANIZATION"})  # fmt: skip
    third = page("Ban", "Apple banned the account.", "Later Apple restored it.")
    tags = {"Apple": "PERSON"}

    alone = ingest(aws, third, "https://h.example/3", tags, memory=False, store=False)
    taught = ingest(aws, third, "https://h.example/3", tags)

    assert entity(alone, "Apple").type is EntityType.PERSON
    assert (entity(taught, "Apple").type, entity(taught, "Apple").type_source) == (
        EntityType.ORG,
        TypeSource.CORPUS,
    )
    remembered = aws.knowledge.recall(["apple"])["apple"]
    assert dict(remembered.types) == {EntityType.ORG: 2}  # the corpus-decided third one did not vote


def test_a_short_form_learned_across_articles_names_the_full_person_and_is_found_by_it(aws, client):
    ingest(aws, page("Summit", "Vladimir Putin arrived in Geneva.", "Putin then spoke to reporters."),
           "https://h.example/a", {"Vladimir Putin": "PERSON", "Putin": "PERSON", "Geneva": "LOCATION"})  # fmt: skip
    later = ingest(aws, page("Talks", "Putin said the talks would go on."), "https://h.example/b", {"Putin": "PERSON"})

    putin = entity(later, "Vladimir Putin")
    assert (putin.name, putin.id) == ("Putin", "ns:vladimir-putin")
    assert {a.url for a in client.by_entity("Vladimir Putin")} == {"https://h.example/a", "https://h.example/b"}
    assert {a.url for a in client.by_entity("putin")} == {"https://h.example/a", "https://h.example/b"}


def test_an_article_stored_before_the_corpus_learned_the_full_name_is_found_by_it(aws, client):
    early = ingest(aws, page("Rally", "Trump spoke in Ohio on Monday."), "https://h.example/early", {"Trump": "PERSON"})
    assert entity(early, "Trump").id == "ns:trump"  # nothing known yet: the short form is its own id
    ingest(aws, page("Summit", "Donald Trump met the press.", "Trump then left."), "https://h.example/later",
           {"Donald Trump": "PERSON", "Trump": "PERSON"})  # fmt: skip
    ingest(aws, page("Trade", "Trump raised tariffs."), "https://h.example/learned", {"Trump": "PERSON"})

    both = {"https://h.example/early", "https://h.example/later", "https://h.example/learned"}
    assert client.entity_ids("Donald Trump") == ["ns:donald-trump", "ns:trump"]
    assert {a.url for a in client.by_entity("Donald Trump")} == both
    assert {a.url for a in client.by_entity("trump")} == both
    assert client.entity_ids("Ohio") == [client.entity_id("Ohio")]  # a gazetteer name has one id


def test_any_alias_finds_the_articles_and_the_listing_counts_canonical_entities(aws, client):
    ingest(aws, page("Trade", "The United States raised tariffs."), "https://h.example/1",
           {"United States": "LOCATION"})  # fmt: skip
    ingest(aws, page("Markets", "U.S. stocks fell."), "https://h.example/2", {"U.S.": "LOCATION"})
    ingest(aws, page("Brexit", "Britain and the EU met.", "The UK said."), "https://h.example/3",
           {"Britain": "LOCATION", "EU": "ORGANIZATION", "UK": "LOCATION"})  # fmt: skip

    for alias in ("U.S.", "US", "United States", "america", "geonames:6252001"):
        assert {a.url for a in client.by_entity(alias)} == {"https://h.example/1", "https://h.example/2"}, alias
    assert [a.url for a in client.by_entity("European Union")] == ["https://h.example/3"]

    listed = {e.canonical_name: e for e in client.entities()}
    assert (listed["United States"].articles, listed["United States"].id) == (2, "geonames:6252001")
    assert dict(listed["United States"].ids) == {"geonames": "6252001", "iso3166": "US"}
    assert listed["United Kingdom"].articles == 1 and listed["European Union"].type == "ORG"
    assert client.entities(limit=1)[0].canonical_name == "United States"


def test_a_brand_the_name_lists_type_teaches_the_tags_person_so_the_corpus_counts_it(aws):
    for n in (1, 2, 3):
        article = ingest(aws, page(f"Platform news {n}", f"The post spread on Twitter, story {n}."),
                         f"https://h.example/{n}", {"Twitter": "PERSON"})  # fmt: skip
        assert (entity(article, "Twitter").type, entity(article, "Twitter").type_source) == (
            EntityType.ORG,
            TypeSource.NAMES,
        )
    assert dict(aws.knowledge.recall(["twitter"])["twitter"].types) == {EntityType.PERSON: 3}
    # three lone articles: the corpus rule (_never_a_full_name) now types it as well
    fourth = ingest(aws, page("Ban", "Twitter banned the account."), "https://h.example/4", {"Twitter": "PERSON"})
    twitter = entity(fourth, "Twitter")
    assert (twitter.type, twitter.type_source) == (EntityType.ORG, TypeSource.CORPUS)


def test_learning_twice_changes_nothing(aws):
    article = ingest(aws, page("Platforms", "Twitter changed its rules."), "https://h.example/1",
                     {"Twitter": "ORGANIZATION"})  # fmt: skip
    before = aws.knowledge.recall(["twitter"])
    assert dict(before["twitter"].types) == {EntityType.ORG: 1}
    aws.knowledge.learn(article, policy=INDEX)  # a retried commit
    assert aws.knowledge.recall(["twitter"]) == before
    assert keys.name_pk("united states") == "NAME#united states"


def test_only_what_the_memory_can_use_is_learned(aws):
    """Every lesson is a write: a gazetteer place (its type is fixed) and a name of several words
    (its shape types it) teach nothing; a lone word and a person's short form do."""
    tags = {"Jane Morrow": "PERSON", "Britain": "LOCATION", "Acmecorp": "ORGANIZATION", "Morrow": "PERSON"}
    summit = page("Summit", "Jane Morrow of Britain met Acmecorp.", "Morrow then left.")
    ingest(aws, summit, "https://h.example/1", tags)
    learned = aws.knowledge.recall(["jane morrow", "britain", "united kingdom", "acmecorp", "morrow"])
    assert set(learned) == {"acmecorp", "morrow"}
    assert dict(learned["morrow"].full_names) == {"Jane Morrow": 1}
    assert dict(learned["acmecorp"].types) == {EntityType.ORG: 1}


def test_a_passing_mention_is_found_by_mentioning_but_neither_indexed_nor_learned(aws, client):
    """Named once in paragraph 12, an entity is not what the article is about (entities/resolve.py
    salience < ENTITY_INDEX_MIN_SALIENCE): no index item, no lesson; its record still names it."""
    tags = {"Ferrycorp": "ORGANIZATION", "Acmecorp": "ORGANIZATION"}
    updates = [f"Ferrycorp said the quay works went on, update {n}." for n in range(12)]
    passing = ingest(aws, page("Quay works", *updates, "Acmecorp supplied the cranes."), "https://h.example/1", tags)
    assert entity(passing, "Acmecorp").salience < INDEX.min_salience <= entity(passing, "Ferrycorp").salience
    assert set(aws.knowledge.recall(["acmecorp", "ferrycorp"])) == {"ferrycorp"}
    assert list(client.by_entity("Acmecorp")) == []
    assert [a.url for a in client.mentioning("Acmecorp")] == ["https://h.example/1"]

    ingest(aws, page("Acmecorp wins the crane contract", "The port chose Acmecorp."), "https://h.example/2", tags)
    assert [a.url for a in client.by_entity("Acmecorp")] == ["https://h.example/2"]
    assert {a.url for a in client.mentioning("Acmecorp")} == {"https://h.example/1", "https://h.example/2"}
    assert dict(aws.knowledge.recall(["acmecorp"])["acmecorp"].types) == {EntityType.ORG: 1}
