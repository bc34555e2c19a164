"""The change stream: what `ArticleIngested` / `ArticleUpdated` events carry on EventBridge.

Versioned like the record: within detail v1 changes are additive only. Events are
notifications, not the record: consumers fetch the full record from `record_s3_key`
or DynamoDB by `article_id`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from newsingest.models.records import Article

EVENT_SOURCE = "newsingest"
DETAIL_VERSION = 1
TITLE_CHARS = 500  # an event is capped at 256 KB: it carries a bounded title, never the page's
NAME_CHARS = 200


class EntityRef(BaseModel):
    name: str
    type: str


class ArticleEventDetail(BaseModel):
    detail_version: Literal[1] = DETAIL_VERSION
    article_id: str
    version: int
    url: str
    canonical_url: str
    source_id: str
    title: str | None
    language: str | None
    published_at: AwareDatetime | None
    modified_at: AwareDatetime | None
    duplicate_of: str | None
    record_s3_key: str
    top_entities: list[EntityRef] = Field(default_factory=list, description="Up to 5, most salient first")

    @classmethod
    def of(cls, article: Article, record_s3_key: str) -> ArticleEventDetail:
        return cls(
            article_id=article.article_id,
            version=article.version,
            url=article.url,
            canonical_url=article.canonical_url,
            source_id=article.source_id,
            title=article.title[:TITLE_CHARS] if article.title else None,
            language=article.language,
            published_at=article.published_at,
            modified_at=article.modified_at,
            duplicate_of=article.duplicate_of,
            record_s3_key=record_s3_key,
            top_entities=[EntityRef(name=e.name[:NAME_CHARS], type=e.type.value) for e in article.entities[:5]],
        )


def detail_type(article: Article) -> Literal["ArticleIngested", "ArticleUpdated"]:
    return "ArticleIngested" if article.version == 1 else "ArticleUpdated"
