"""Low-level DynamoDB helpers shared by the table adapter: (de)serialising and batching."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

BATCH_GET_LIMIT = 100
BATCH_WRITE_LIMIT = 25
MAX_ROUNDS = 8


@cache
def _codecs():
    """boto3's (de)serialisers, imported on first use: importing boto3 costs a light handler's init."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """Plain dict -> DynamoDB item, dropping None (DynamoDB has no use for absent values)."""
    serializer = _codecs()[0]
    return {k: serializer.serialize(_plain_to_dynamo(v)) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    deserializer = _codecs()[1]
    return {k: _dynamo_to_plain(deserializer.deserialize(v)) for k, v in item.items()}


def _plain_to_dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def _dynamo_to_plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def until_done(attempt: Callable[[Any], Any], pending: Any, what: str) -> None:
    """Call `attempt` with what is still pending (it returns what it could not do) until nothing
    is left, backing off between rounds: the one retry loop for every batched AWS call."""
    for round_ in range(MAX_ROUNDS):
        pending = attempt(pending)
        if not pending:
            return
        time.sleep(min(2.0, 0.05 * 2**round_))
    raise RuntimeError(f"{what}: {len(pending)} still unprocessed after {MAX_ROUNDS} rounds")


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def chunks_within[T](items: Sequence[T], size_of: Callable[[T], int], count: int, max_bytes: int) -> list[list[T]]:
    """Consecutive groups of at most `count` items and `max_bytes` in all (an item alone may exceed it)."""
    groups: list[list[T]] = []
    size = 0
    for item in items:
        item_bytes = size_of(item)
        if not groups or len(groups[-1]) == count or size + item_bytes > max_bytes:
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += item_bytes
    return groups


def batch_get(
    client,
    table: str,
    keys: Sequence[dict[str, Any]],
    projection: str | None = None,
    names: dict[str, str] | None = None,
) -> list[dict]:
    """BatchGetItem over any number of keys, retrying unprocessed keys with backoff."""
    found: list[dict] = []
    for chunk in chunks(keys, BATCH_GET_LIMIT):
        request: dict[str, Any] = {"Keys": [to_item(k) for k in chunk]}
        if projection:
            request["ProjectionExpression"] = projection
        if names:
            request["ExpressionAttributeNames"] = names

        def get(pending: dict) -> dict:
            response = client.batch_get_item(RequestItems=pending)
            found.extend(from_item(i) for i in response.get("Responses", {}).get(table, []))
            return response.get("UnprocessedKeys") or {}

        until_done(get, {table: request}, f"DynamoDB BatchGetItem on {table}")
    return found


def batch_write(client, table: str, items: Sequence[dict[str, Any]]) -> int:
    """BatchWriteItem puts in chunks of 25; returns the number of requests made."""
    requests = 0

    def write(pending: dict) -> dict:
        nonlocal requests
        requests += 1
        return client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    for chunk in chunks(items, BATCH_WRITE_LIMIT):
        until_done(
            write, {table: [{"PutRequest": {"Item": to_item(i)}} for i in chunk]}, f"DynamoDB BatchWriteItem on {table}"
        )
    return requests


def query_all(client, **request: Any) -> Iterator[dict[str, Any]]:
    """Query following LastEvaluatedKey, yielding plain items."""
    while True:
        response = client.query(**request)
        yield from (from_item(i) for i in response.get("Items", []))
        last = response.get("LastEvaluatedKey")
        if not last or "Limit" in request:
            return
        request["ExclusiveStartKey"] = last


def is_conditional_failure(err: Exception) -> bool:
    """A ConditionalCheckFailedException: someone else's write won; not an error of ours."""
    code = getattr(err, "response", {}).get("Error", {}).get("Code")
    return code == "ConditionalCheckFailedException"


def batch_write_groups[K](client, table: str, groups: Mapping[K, Sequence[dict[str, Any]]]) -> dict[K, Exception]:
    """Write every group's items with as few BatchWriteItem requests as 25-item chunks allow; unprocessed
    items are retried with backoff. A chunk refused outright (a bad item, a 500 after botocore's retries)
    is written again group by group, so one group's failure fails that group only: returns those failures."""
    failed: dict[K, Exception] = {}
    # BatchWriteItem refuses two writes of one key in a request: the last one wins, as it would in sequence.
    latest = {(item["pk"], item["sk"]): (group, item) for group, items in groups.items() for item in items}
    flat = list(latest.values())
    for chunk in chunks(flat, BATCH_WRITE_LIMIT):
        try:
            _write_all(client, table, [item for _, item in chunk])
        except Exception:  # isolate: redo this chunk's groups one by one
            for group in dict.fromkeys(g for g, _ in chunk):
                if group in failed:
                    continue
                try:
                    _write_all(client, table, [item for g, item in chunk if g == group])
                except Exception as err:
                    failed[group] = err
    return failed


def _write_all(client, table: str, items: Sequence[dict[str, Any]]) -> None:
    pending = {table: [{"PutRequest": {"Item": to_item(i)}} for i in items]}
    until_done(
        lambda p: client.batch_write_item(RequestItems=p).get("UnprocessedItems") or {},
        pending,
        f"DynamoDB BatchWriteItem on {table}",
    )
