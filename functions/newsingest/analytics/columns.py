"""Column types of the Parquet tables, derived from the record model: an additive field of `Article`
becomes a column without anyone writing it twice. One walk over the pydantic annotations gives
both the DuckDB type the compactor casts to and the Hive type the Glue table declares.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from pydantic import AwareDatetime, BaseModel, NaiveDatetime

from newsingest.models.records import Article


@dataclass(frozen=True)
class Column:
    name: str
    duckdb: str
    glue: str


def _scalar(annotation) -> tuple[str, str] | None:
    if annotation is bool:
        return "BOOLEAN", "boolean"
    if annotation is int:
        return "BIGINT", "bigint"
    if annotation is float:
        return "DOUBLE", "double"
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return "VARCHAR", "string"
    if annotation in (datetime, AwareDatetime, NaiveDatetime):
        return "TIMESTAMPTZ", "timestamp"
    return None


def column_types(annotation) -> tuple[str, str]:
    """(DuckDB type, Hive type) of one annotation: optionals unwrapped, lists, dicts and models nested."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return column_types(type(typing.get_args(annotation)[0]))
    if origin is list:
        inner_duck, inner_glue = column_types(typing.get_args(annotation)[0])
        return f"{inner_duck}[]", f"array<{inner_glue}>"
    if origin is dict:
        key, value = (column_types(a) for a in typing.get_args(annotation))
        return f"MAP({key[0]}, {value[0]})", f"map<{key[1]},{value[1]}>"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        fields = [(name, column_types(f.annotation)) for name, f in annotation.model_fields.items()]
        duck = ", ".join(f'"{name}" {types_[0]}' for name, types_ in fields)
        glue = ",".join(f"{name}:{types_[1]}" for name, types_ in fields)
        return f"STRUCT({duck})", f"struct<{glue}>"
    scalar = _scalar(annotation)
    if scalar is None:
        raise TypeError(f"no column type for {annotation!r}")
    return scalar


def _unwrap(annotation):
    """`X | None` is X; pydantic's Annotated constraints (AwareDatetime) are their base type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                raise TypeError(f"no column type for a union {annotation!r}")
            annotation = args[0]
        elif origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        else:
            return annotation


def record_columns(model: type[BaseModel] = Article) -> list[Column]:
    return [Column(name, *column_types(field.annotation)) for name, field in model.model_fields.items()]
