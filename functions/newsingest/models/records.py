"""The Article record, schema v1: what downstream teams read from S3, DynamoDB and events.

Compatibility policy: within v1 changes are additive only (new optional fields);
renaming, removing or retyping a field means schema v2 under a new S3 prefix.
schemas/article.v1.json is generated from these models and a test keeps it in step.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


def article_id_for(canonical_url: str) -> str:
    """Stable article id: the same canonical URL always yields the same id."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]


class EntityType(StrEnum):
    """The small, documented set of entity types we emit (spaCy/Comprehend labels map onto it)."""

    PERSON = "PERSON"
    ORG = "ORG"
    PLACE = "PLACE"  # countries, cities, regions, landmarks (spaCy GPE, LOC, FAC)
    GROUP = "GROUP"  # nationalities, religious and political groups (spaCy NORP)
    EVENT = "EVENT"
    PRODUCT = "PRODUCT"  # products and named works (spaCy PRODUCT, WORK_OF_ART, LAW)


class TypeSource(StrEnum):
    """What decided an entity's type (docs/entities.md, "One type per entity")."""

    GAZETTEER = "gazetteer"  # a listed place or body: "a country is never a PERSON"
    CORPUS = "corpus"  # the types earlier articles gave this name outweighed this article's tags
    ARTICLE = "article"  # this article's own mentions
    SHAPE = "shape"  # the name's head word ("... Harbour", "... United") when the tags were weak
    NAMES = "names"  # a lone word tagged as a person that no list of given names or surnames holds


class Entity(BaseModel):
    """One named entity of an article. Within v1 the id fields are additive: records stored
    before them carry None / empty values (replay re-derives them)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="The fullest form of the name written in the article")
    type: EntityType
    mentions: int = Field(ge=1, description="How many times the entity is mentioned (all its forms)")
    offsets: list[int] = Field(description="Character offsets of each mention into `text`")
    salience: float = Field(ge=0, le=1, description="Title, lead and frequency combined; 1 = most salient")
    canonical_name: str | None = Field(
        None,
        description="The name shared across articles: the gazetteer's name for a known place or body "
        "('United States' for 'U.S.'), the full name the corpus learned for a short form "
        "('Vladimir Putin' for 'Putin'), else `name`",
    )
    id: str | None = Field(
        None,
        description="Stable id, the same in every article and source: 'geonames:<GeoNames id>' for places "
        "in the gazetteer, 'ns:<slug of canonical_name>' otherwise (e.g. 'ns:vladimir-putin', "
        "'ns:european-union'). The entity index is keyed by it.",
    )
    ids: dict[str, str] = Field(
        default_factory=dict,
        description="Public identifiers from packaged registries: 'geonames' (GeoNames id), "
        "'iso3166' (ISO 3166-1 alpha-2, countries), 'iso3166_2' (ISO 3166-2, US states)",
    )
    aliases: list[str] = Field(default_factory=list, description="The other forms of the name written in the article")
    type_source: TypeSource | None = Field(None, description="What decided `type`")


class Flag(BaseModel):
    """Something a consumer must know about the record, e.g. a paywalled body."""

    model_config = ConfigDict(frozen=True)

    kind: Literal[
        "paywall", "teaser", "consent_wall", "short_text", "not_tagged", "future_date_clamped", "truncated"
    ]  # truncated: cut to fit the store's item limit (the reason says what was cut)
    reason: str


class Access(StrEnum):
    """What the publisher declares about reading the article (not what we managed to extract)."""

    FREE = "free"  # isAccessibleForFree true
    PAID = "paid"  # isAccessibleForFree false, or paywall markup
    METERED = "metered"  # a metered wall: free up to a monthly quota
    UNKNOWN = "unknown"  # the page says nothing


class LivePost(BaseModel):
    """One update of a live blog, in page order."""

    model_config = ConfigDict(frozen=True)

    published_at: AwareDatetime | None = None
    headline: str | None = None
    text: str


class Article(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1] = SCHEMA_VERSION
    article_id: str = Field(description="Stable id: hash of the canonical URL")
    url: str = Field(description="The URL fetched (after redirects)")
    canonical_url: str
    source_id: str
    domain: str
    title: str | None = None
    description: str | None = None
    authors: list[str] = Field(default_factory=list, description="People only, one per item")
    credits: list[str] = Field(default_factory=list, description="Organisations, agencies, 'Staff' bylines")
    published_at: AwareDatetime | None = None
    modified_at: AwareDatetime | None = None
    fetched_at: AwareDatetime
    language: str | None = None
    section: str | None = None
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    image: str | None = None
    text: str = Field(
        description="The article's text, one paragraph per line. For a live blog: the intro, then each "
        "post's headline and text, in page order (the posts are also in `posts`)"
    )
    word_count: int = Field(ge=0, description="Words; in Chinese and Japanese text, characters")
    access: Access = Field(Access.UNKNOWN, description="What the publisher declares: free, paid, metered, unknown")
    text_complete: bool = Field(
        True, description="False only with evidence that `text` is cut short (teaser, wall, declared length)"
    )
    live_blog: bool = Field(False, description="The page is a live blog; its updates are in `posts`")
    posts: list[LivePost] = Field(default_factory=list, description="A live blog's updates, in page order")
    content_hash: str = Field(description="sha256 of the normalised text: exact duplicates")
    simhash: str = Field(description="64-bit SimHash of the text as 16 hex digits: near duplicates")
    duplicate_of: str | None = Field(None, description="article_id of the first copy of this text")
    version: int = Field(1, ge=1, description="1 for the first text seen at this URL, +1 per changed text")
    entities: list[Entity] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    provenance: dict[str, str] = Field(
        default_factory=dict, description="field -> signal it came from (jsonld, opengraph, meta, trafilatura, ...)"
    )
    raw_s3_key: str | None = Field(None, description="The raw archive object the record was made from (a WARC file)")
    raw_offset: int | None = Field(None, ge=0, description="Byte offset of the page's records in the WARC file")
    raw_length: int | None = Field(None, ge=1, description="Byte length of the page's records in the WARC file")
    pipeline_version: str
    extractor_versions: dict[str, str] = Field(default_factory=dict)

    @property
    def day(self) -> str:
        """Partition day: publication day when known, else fetch day (UTC)."""
        when: datetime = self.published_at or self.fetched_at
        return when.date().isoformat()
