"""The published JSON Schemas of the record and the event detail, generated from the models.

Consumers read schemas/*.json; tests/unit/test_schemas.py fails when they drift from the models.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from newsingest.models.events import ArticleEventDetail
from newsingest.models.records import Article

SCHEMA_FILES: dict[str, type[BaseModel]] = {
    "article.v1.json": Article,
    "article-event.v1.json": ArticleEventDetail,
}


def render_schema(model: type[BaseModel]) -> str:
    """Sorted keys and a trailing newline, so the committed file changes only when the model does."""
    return json.dumps(model.model_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMA_FILES.items():
        path = directory / name
        path.write_text(render_schema(model), encoding="utf-8")
        written.append(path)
    return written
