"""Typed models: the record consumers read, the messages between stages, the source config."""

from newsingest.models.messages import ArticleTask, DiscoverRequest, EntryHints
from newsingest.models.outcomes import Outcome, SkipReason
from newsingest.models.records import SCHEMA_VERSION, Access, Article, Entity, EntityType, Flag, LivePost
from newsingest.models.source import Source, SourcesFile

__all__ = [
    "SCHEMA_VERSION",
    "Access",
    "Article",
    "ArticleTask",
    "DiscoverRequest",
    "Entity",
    "EntityType",
    "EntryHints",
    "Flag",
    "LivePost",
    "Outcome",
    "SkipReason",
    "Source",
    "SourcesFile",
]
