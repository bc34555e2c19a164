"""The repositories over the one index table, and the stores a stored article touches, built together."""

from __future__ import annotations

from dataclasses import dataclass

from newsingest.storage.archive import Archive
from newsingest.storage.articles import ArticleRepository
from newsingest.storage.boilerplate import BoilerplateRepository
from newsingest.storage.entity_knowledge import EntityKnowledge
from newsingest.storage.events import EventPublisher
from newsingest.storage.hosts import HostRepository
from newsingest.storage.source_state import SourceStateRepository
from newsingest.storage.urls import UrlRepository


@dataclass(frozen=True)
class Repositories:
    """One small repository per aggregate, all over the same DynamoDB table."""

    articles: ArticleRepository
    urls: UrlRepository
    source_states: SourceStateRepository
    hosts: HostRepository
    boilerplate: BoilerplateRepository
    entity_knowledge: EntityKnowledge  # corpus memory of entity names

    @classmethod
    def over(cls, dynamodb_client, table_name: str) -> Repositories:
        return cls(
            articles=ArticleRepository(dynamodb_client, table_name),
            urls=UrlRepository(dynamodb_client, table_name),
            source_states=SourceStateRepository(dynamodb_client, table_name),
            hosts=HostRepository(dynamodb_client, table_name),
            boilerplate=BoilerplateRepository(dynamodb_client, table_name),
            entity_knowledge=EntityKnowledge(dynamodb_client, table_name),
        )


@dataclass
class Stores:
    """What the process stage reads and writes: the table's repositories, the archive, the event bus."""

    repos: Repositories
    archive: Archive
    events: EventPublisher

    @property
    def articles(self) -> ArticleRepository:
        return self.repos.articles

    @property
    def urls(self) -> UrlRepository:
        return self.repos.urls

    @property
    def knowledge(self) -> EntityKnowledge:
        return self.repos.entity_knowledge
