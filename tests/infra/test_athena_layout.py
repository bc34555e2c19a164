"""The Glue/Athena table reads exactly where and how the archive writes records."""

from __future__ import annotations

import re
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest

from newsingest.analytics.columns import record_columns
from newsingest.analytics.compact import Table
from newsingest.models.records import Article, Entity
from newsingest.storage.archive import PARTITION_KEY, RECORDS_PREFIX, record_key
from newsingest.storage.compacted import parquet_key, table_prefix


@pytest.fixture(scope="module")
def table_input(template) -> dict[str, Any]:
    return template["Resources"]["ArticlesTable"]["Properties"]["TableInput"]


def sub(value: Any) -> str:
    assert isinstance(value, dict) and set(value) == {"Fn::Sub"}, value
    return value["Fn::Sub"]


def test_location_is_the_records_prefix(table_input):
    assert sub(table_input["StorageDescriptor"]["Location"]) == f"s3://${{ArchiveBucket}}/{RECORDS_PREFIX}"


def test_projected_partition_path_is_where_the_writer_puts_a_day(table_input):
    template = sub(table_input["Parameters"]["storage.location.template"])
    # ${!dt} is CloudFormation's escape for a literal ${dt}, which Athena fills in per partition.
    assert template == f"s3://${{ArchiveBucket}}/{RECORDS_PREFIX}{PARTITION_KEY}=${{!{PARTITION_KEY}}}/"
    article = Article(
        article_id="a1",
        url="https://x.example/a",
        canonical_url="https://x.example/a",
        source_id="x",
        domain="x.example",
        published_at=datetime(2026, 3, 7, 23, 59, tzinfo=UTC),
        fetched_at=datetime(2026, 3, 8, 1, 0, tzinfo=UTC),
        text="t",
        word_count=1,
        content_hash="0" * 64,
        simhash="0" * 16,
        pipeline_version="test",
    )
    day_path = template.replace("s3://${ArchiveBucket}/", "").replace(f"${{!{PARTITION_KEY}}}", "2026-03-07")
    key = record_key(article)
    assert key.startswith(day_path) and "/" not in key.removeprefix(day_path)


def test_partition_projection_on_dt_by_day(table_input):
    parameters = table_input["Parameters"]
    assert table_input["PartitionKeys"] == [{"Name": PARTITION_KEY, "Type": "string"}]
    assert parameters["projection.enabled"] == "true"
    assert parameters[f"projection.{PARTITION_KEY}.type"] == "date"
    assert parameters[f"projection.{PARTITION_KEY}.format"] == "yyyy-MM-dd"
    assert parameters[f"projection.{PARTITION_KEY}.interval.unit"] == "DAYS"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2},NOW", parameters[f"projection.{PARTITION_KEY}.range"])


def test_columns_are_the_record_fields(table_input):
    columns = {c["Name"]: c["Type"] for c in table_input["StorageDescriptor"]["Columns"]}
    assert set(columns) == set(Article.model_fields)


def test_list_and_dict_fields_have_collection_columns(table_input):
    columns = {c["Name"]: c["Type"] for c in table_input["StorageDescriptor"]["Columns"]}
    for name, field in Article.model_fields.items():
        origin = typing.get_origin(field.annotation)
        if origin is list:
            assert columns[name].startswith("array<"), name
        elif origin is dict:
            assert columns[name].startswith("map<"), name
        elif field.annotation is int:
            assert columns[name] in ("int", "bigint"), name


# ------------------------------------------------------------------ the compacted (Parquet) tables

PARQUET_TABLES = {"ArticlesLatestTable": Table.LATEST, "ArticleVersionsTable": Table.VERSIONS}


def glue_tables(template) -> dict[str, dict[str, Any]]:
    return {lid: r for lid, r in template["Resources"].items() if r["Type"] == "AWS::Glue::Table"}


def test_every_glue_table_is_the_json_records_or_a_compacted_table(template):
    assert set(glue_tables(template)) == {"ArticlesTable", *PARQUET_TABLES}


@pytest.mark.parametrize("lid", PARQUET_TABLES)
def test_parquet_table_reads_where_the_compactor_writes_a_day(template, lid):
    table = PARQUET_TABLES[lid]
    table_input = template["Resources"][lid]["Properties"]["TableInput"]
    assert table_input["Name"] == table.value
    bucket = "s3://${ArchiveBucket}/"
    assert sub(table_input["StorageDescriptor"]["Location"]) == bucket + table_prefix(table)
    location = sub(table_input["Parameters"]["storage.location.template"])
    day_path = location.replace(bucket, "").replace(f"${{!{PARTITION_KEY}}}", "2026-03-07")
    key = parquet_key(table, date(2026, 3, 7))
    assert key.startswith(day_path) and "/" not in key.removeprefix(day_path)


@pytest.mark.parametrize("lid", PARQUET_TABLES)
def test_parquet_table_projects_dt_by_day_as_the_json_table_does(template, lid, table_input):
    parquet = template["Resources"][lid]["Properties"]["TableInput"]
    assert parquet["PartitionKeys"] == table_input["PartitionKeys"]
    projection = {k: v for k, v in parquet["Parameters"].items() if k.startswith("projection.")}
    assert projection == {k: v for k, v in table_input["Parameters"].items() if k.startswith("projection.")}
    assert parquet["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert parquet["Parameters"]["classification"] == "parquet"


@pytest.mark.parametrize("lid", PARQUET_TABLES)
def test_parquet_columns_are_the_types_the_compactor_writes(template, lid):
    columns = template["Resources"][lid]["Properties"]["TableInput"]["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == [(c.name, c.glue) for c in record_columns()]


def test_json_records_outlive_the_compaction_look_back(template):
    """Late records are compacted while their JSON is still there."""
    parameters = template["Parameters"]
    lookback = int(template["Globals"]["Function"]["Environment"]["Variables"]["COMPACT_LOOKBACK_DAYS"])
    assert parameters["RecordsJsonRetentionDays"]["MinValue"] > lookback
    rules = template["Resources"]["ArchiveBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    (records,) = [r for r in rules if r.get("Prefix") == RECORDS_PREFIX]
    assert records["ExpirationInDays"] == {"Ref": "RecordsJsonRetentionDays"}
def test_the_entities_column_has_every_entity_field(table_input):
    columns = {c["Name"]: c["Type"] for c in table_input["StorageDescriptor"]["Columns"]}
    struct = re.fullmatch(r"array<struct<(.*)>>", columns["entities"]).group(1)
    names = re.findall(r"(?:^|,)(\w+):", struct)
    assert names == list(Entity.model_fields)
