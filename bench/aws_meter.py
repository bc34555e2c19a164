"""Count AWS requests per service/operation and DynamoDB write units, with botocore event hooks.

moto answers ReturnConsumedCapacity with a constant, so write units are computed here the
way DynamoDB bills them: ceil(item size / 1 KB) per item written (an update: the larger of the
item before and after), plus one such write per global secondary index the item is projected
into, doubled inside transactions. Item sizes follow DynamoDB's rules (attribute names + values).
The meter reads items it needs through its own uncounted client.

Read units the same way, from what each read returned: ceil(size / 4 KB) per item (a Query: per
request, over all items), half for eventually consistent reads, and the minimum for a key that
found nothing. A projected read is sized by what it returned, where DynamoDB bills the whole item:
read units are a lower bound.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from decimal import Decimal
from typing import Any

import boto3

GSI_OVERHEAD = 100  # bytes DynamoDB adds per index entry


def value_size(value: dict[str, Any]) -> int:
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        digits = len(str(Decimal(inner)).lstrip("-").replace(".", "").lstrip("0")) or 1
        return math.ceil(digits / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(value_size({kind[0]: v}) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode("utf-8")) + value_size(v) for k, v in inner.items())
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode("utf-8")) + value_size(v) for name, v in item.items())


def item_kind(item: dict[str, Any] | None) -> str:
    """What an item is, from its key: "ART LATEST", "ART V#", "ENT", "NAME", "URL"..."""
    if not item or "pk" not in item:
        return "?"
    prefix = item["pk"].get("S", "").split("#", 1)[0]
    if prefix in ("ART", "SRC", "DOM"):
        return f"{prefix} {item['sk'].get('S', '').split('#', 1)[0]}"
    return prefix


def read_units(sizes: list[int], consistent: bool) -> float:
    """ceil(size / 4 KB) per read, at least one; half of it when eventually consistent."""
    return sum(max(1, math.ceil(size / 4096)) for size in sizes) * (1.0 if consistent else 0.5)


def units(size: int) -> int:
    return max(1, math.ceil(size / 1024)) if size else 0


class AwsMeter:
    """Register on a boto3 session before its clients are created, or `attach` to clients made already;
    `active` gates what is counted."""

    def __init__(self, session: boto3.Session | None = None):
        self.requests: Counter = Counter()
        self.write_units: Counter = Counter()  # table -> WRU
        self.write_units_by_kind: Counter = Counter()  # item kind (key prefix) -> WRU
        self.read_units: Counter = Counter()  # operation -> RRU
        self.active = False
        self._lock = threading.Lock()
        self._indexes: dict[str, list[tuple[set[str], set[str] | None]]] = {}
        self._reader = None
        self._pending: dict[int, tuple[str, dict, dict | None]] = {}
        if session is not None:
            self._register(session.events)

    def attach(self, client) -> None:
        """Count one client's calls (an application's clients exist before any bench code runs)."""
        self._register(client.meta.events)

    def _register(self, events) -> None:
        events.register("before-parameter-build", self._before)
        events.register("after-call.dynamodb.UpdateItem", self._after_update)
        for operation in ("GetItem", "BatchGetItem", "Query"):
            events.register(f"after-call.dynamodb.{operation}", self._after_read)

    def watch_tables(self, client_factory, table_names: list[str]) -> None:
        """Learn each table's GSIs (keys and projection) through an uncounted client."""
        self._reader = client_factory()
        for name in table_names:
            description = self._reader.describe_table(TableName=name)["Table"]
            indexes = []
            for gsi in description.get("GlobalSecondaryIndexes", []):
                keys = {k["AttributeName"] for k in gsi["KeySchema"]}
                projection = gsi["Projection"]
                every = projection["ProjectionType"] == "ALL"
                projected = None if every else set(projection.get("NonKeyAttributes", []))
                indexes.append((keys, projected))
            self._indexes[name] = indexes

    def reset(self) -> None:
        self.requests.clear()
        self.write_units.clear()
        self.write_units_by_kind.clear()
        self.read_units.clear()

    @property
    def total_requests(self) -> int:
        return sum(self.requests.values())

    @property
    def total_write_units(self) -> int:
        return sum(self.write_units.values())

    # -- hooks -----------------------------------------------------------------------------

    def _before(self, event_name: str, params: dict, model, context: dict | None = None, **_: Any) -> None:
        """One per API call, with the API parameters (before-call would see the serialised body)."""
        if not self.active:
            return
        service = event_name.split(".")[1]
        with self._lock:
            self.requests[(service, model.name)] += 1
        if context is not None:
            context["meter_params"] = params  # for the after-call hook: what was asked
        if service == "dynamodb":
            self._meter_write(model.name, params)

    def _meter_write(self, operation: str, params: dict) -> None:
        if operation == "PutItem":
            self._add(params["TableName"], params["Item"])
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        self._add(table, request["PutRequest"]["Item"])
                    else:
                        self._add(table, self._read(table, request["DeleteRequest"]["Key"]))
        elif operation == "DeleteItem":
            self._add(params["TableName"], self._read(params["TableName"], params["Key"]))
        elif operation == "UpdateItem":
            before = self._read(params["TableName"], params["Key"])
            with self._lock:
                self._pending[threading.get_ident()] = (params["TableName"], params["Key"], before)
        elif operation == "TransactWriteItems":
            for action in params["TransactItems"]:
                kind, body = next(iter(action.items()))
                item = body.get("Item") or self._read(body["TableName"], body["Key"])
                if kind != "ConditionCheck":
                    self._add(body["TableName"], item, factor=2)

    def _after_read(self, parsed: dict, model, **kwargs: Any) -> None:
        if not self.active or "Error" in parsed:
            return
        params = kwargs.get("context", {}).get("meter_params") or {}
        if model.name == "GetItem":
            rru = read_units([item_size(parsed.get("Item"))], params.get("ConsistentRead", False))
        elif model.name == "Query":
            size = sum(item_size(i) for i in parsed.get("Items", []))
            rru = read_units([size], params.get("ConsistentRead", False))
        else:
            rru = 0.0
            for table, request in params.get("RequestItems", {}).items():
                found = [item_size(i) for i in parsed.get("Responses", {}).get(table, [])]
                unprocessed = len(parsed.get("UnprocessedKeys", {}).get(table, {}).get("Keys", []))
                missing = max(0, len(request.get("Keys", [])) - len(found) - unprocessed)
                rru += read_units(found + [0] * missing, request.get("ConsistentRead", False))
        with self._lock:
            self.read_units[model.name] += rru

    def _after_update(self, **_: Any) -> None:
        """An update is billed on the larger of the item before and after it."""
        with self._lock:
            pending = self._pending.pop(threading.get_ident(), None)
        if pending is None:
            return
        table, key, before = pending
        after = self._read(table, key)
        self._add(table, after if item_size(after) >= item_size(before) else before)

    def _add(self, table: str, item: dict | None, factor: int = 1) -> None:
        size = item_size(item)
        wru = units(size) if item is not None else 1
        for keys, projected in self._indexes.get(table, []):
            if item and keys <= set(item):
                names = keys | {"pk", "sk"} | (set(item) if projected is None else projected & set(item))
                wru += units(item_size({k: item[k] for k in names if k in item}) + GSI_OVERHEAD)
        with self._lock:
            self.write_units[table] += wru * factor
            self.write_units_by_kind[item_kind(item)] += wru * factor

    def _read(self, table: str, key: dict) -> dict | None:
        if self._reader is None:
            return None
        return self._reader.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
