"""The three stores a stored article touches, handed to the pipeline as one."""

from __future__ import annotations

from dataclasses import dataclass

from newsingest.storage.archive import Archive
from newsingest.storage.entity_knowledge import EntityKnowledge
from newsingest.storage.events import EventPublisher
from newsingest.storage.table import IndexTable


@dataclass
class Stores:
    table: IndexTable
    archive: Archive
    events: EventPublisher
    knowledge: EntityKnowledge | None = None  # corpus memory of entity names and the entity listing
