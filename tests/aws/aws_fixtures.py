"""AWS under moto with the resources created from template.yaml's own definitions, and record builders."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from newsingest import PIPELINE_VERSION
from newsingest.app import Application
from newsingest.entities.knowledge import EntityIndexPolicy, local_id
from newsingest.extraction.fingerprints import content_hash, simhash
from newsingest.local.analytics import RunSql, file_sql
from newsingest.local.resources import LocalResources, create_resources, load_template
from newsingest.models.records import Article, Entity, EntityType, article_id_for
from newsingest.settings import Settings
from newsingest.storage.archive import Archive
from newsingest.storage.clients import AwsConnection
from newsingest.storage.entity_knowledge import EntityKnowledge
from newsingest.storage.events import EventPublisher
from newsingest.storage.stores import Repositories, Stores

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("dynamodb", "s3", "sqs", "events")
INDEX = EntityIndexPolicy.from_settings(Settings())  # the entity index the settings (and the template) default to


@dataclass
class Aws:
    clients: dict
    resources: LocalResources

    @property
    def repos(self) -> Repositories:
        return Repositories.over(self.clients["dynamodb"], self.resources.table_name)

    @property
    def stores(self) -> Stores:
        return Stores(
            repos=self.repos,
            archive=Archive(self.clients["s3"], self.resources.bucket_name),
            events=EventPublisher(self.clients["events"], self.resources.event_bus_name),
        )

    @property
    def knowledge(self) -> EntityKnowledge:
        return self.repos.entity_knowledge

    def application(self, **settings) -> Application:
        """An application over these resources (the template's environment), as a Lambda would build it."""
        values = {k.lower(): v for k, v in self.resources.environment.items()}
        return Application(Settings.model_validate({**values, **settings}), AwsConnection(region="us-east-1"))

    def records_sql(self, path: Path) -> RunSql:
        """SQL over the records in (in-process) S3, exported to `path` as JSON lines: the same views and
        queries the client runs over S3 through DuckDB's httpfs (tests/aws/test_duckdb.py)."""

        def run(query: str) -> tuple[list[str], list[tuple]]:
            s3, bucket = self.clients["s3"], self.resources.bucket_name
            listed = s3.list_objects_v2(Bucket=bucket, Prefix="articles/").get("Contents", [])
            lines = [s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read().decode() for o in listed]
            path.write_text("".join(json.dumps(json.loads(line)) + "\n" for line in lines), encoding="utf-8")
            return file_sql(query, path)

        return run

    def count_calls(self, service: str, operation: str) -> list:
        calls: list = []
        self.clients[service].meta.events.register(
            f"provide-client-params.{service}.{operation}", lambda **kwargs: calls.append(kwargs)
        )
        return calls


@cache
def template() -> dict:
    """template.yaml, parsed once per test process (a quarter of a second each time otherwise)."""
    return load_template(REPO / "template.yaml")


@pytest.fixture
def aws(monkeypatch) -> Aws:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        clients = {s: boto3.client(s, region_name="us-east-1") for s in SERVICES}
        resources = create_resources(copy.deepcopy(template()), clients=clients)
        yield Aws(clients, resources)


def make_article(
    url: str,
    text: str,
    *,
    source_id: str = "harbour",
    published_at: datetime | None = datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
    entities: list[Entity] | None = None,
    version: int = 1,
    duplicate_of: str | None = None,
) -> Article:
    return Article(
        article_id=article_id_for(url),
        url=url,
        canonical_url=url,
        source_id=source_id,
        domain=url.split("/")[2],
        title=text.split(".")[0],
        published_at=published_at,
        fetched_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        language="en",
        text=text,
        word_count=len(text.split()),
        content_hash=content_hash(text),
        simhash=simhash(text),
        version=version,
        duplicate_of=duplicate_of,
        entities=entities or [],
        pipeline_version=PIPELINE_VERSION,
    )


def person(name: str, salience: float) -> Entity:
    return Entity(name=name, type=EntityType.PERSON, mentions=1, offsets=[0], salience=salience, id=local_id(name))
