"""The published JSON Schemas match the models, and records survive a JSON round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from newsingest.models.records import Article, Entity, EntityType, Flag
from newsingest.schemas import SCHEMA_FILES, export_schemas, render_schema

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_committed_schema_matches_the_model(name):
    committed = SCHEMAS / name
    assert committed.exists(), f"{committed} is missing: run `newsingest schema export`"
    assert committed.read_text(encoding="utf-8") == render_schema(SCHEMA_FILES[name]), (
        f"{committed} no longer matches the model: run `newsingest schema export` and commit the result "
        "(within v1 only additive changes are allowed: docs/downstream.md)"
    )


def test_export_is_deterministic(tmp_path):
    first = [p.read_bytes() for p in export_schemas(tmp_path / "a")]
    second = [p.read_bytes() for p in export_schemas(tmp_path / "b")]
    assert first == second
    assert all(body.endswith(b"}\n") for body in first)


def test_article_schema_requires_the_version_and_forbids_unknown_fields():
    schema = json.loads((SCHEMAS / "article.v1.json").read_text())
    assert schema["properties"]["schema_version"]["const"] == 1
    assert schema["additionalProperties"] is False


def article() -> Article:
    return Article(
        article_id="0123456789abcdef0123",
        url="https://news.example/a?utm_source=x",
        canonical_url="https://news.example/a",
        source_id="example",
        domain="news.example",
        title="Harbour dredging approved",
        authors=["Ana Lima"],
        published_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        fetched_at=datetime(2026, 11, 20, 10, 0, 5, 123456, tzinfo=UTC),
        language="en",
        text="Southampton approved the dredging. Ana Lima reports.",
        word_count=7,
        content_hash="ab" * 32,
        simhash="0123456789abcdef",
        entities=[Entity(name="Southampton", type=EntityType.PLACE, mentions=1, offsets=[0], salience=0.8)],
        flags=[Flag(kind="short_text", reason="7 words")],
        provenance={"title": "jsonld"},
        raw_s3_key="raw/example/2026-11-20/k/20261120T100005Z.html.gz",
        pipeline_version="newsingest/0.1.0",
        extractor_versions={"trafilatura": "2.0.0"},
    )


def test_round_trip_through_json_is_lossless():
    original = article()
    body = original.model_dump_json()
    assert json.loads(body)["schema_version"] == 1
    assert Article.model_validate_json(body) == original


def test_an_unknown_field_is_rejected():
    body = json.loads(article().model_dump_json())
    body["sentiment"] = 0.4
    with pytest.raises(ValidationError, match="sentiment"):
        Article.model_validate(body)


def test_another_schema_version_is_rejected():
    body = json.loads(article().model_dump_json())
    body["schema_version"] = 2
    with pytest.raises(ValidationError, match="schema_version"):
        Article.model_validate(body)
