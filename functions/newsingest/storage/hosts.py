"""Host repository: per-host politeness slots and the robots.txt cache (items DOM#{host} / POLITE, ROBOTS).

The fetch slot is taken with a compare-and-set, so a crawl delay holds across every Lambda
fetching from the host at once.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from newsingest.storage import keys
from newsingest.storage.dynamo import from_item, is_conditional_failure, to_item

MAX_ROBOTS_BYTES = 300_000  # a bigger robots.txt is re-read rather than cached: items are capped at 400 KB
_SLOT_ROUNDS = 20


class HostRepository:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    def get_robots(self, host: str, now: datetime) -> str | None:
        """The cached robots.txt decision for a host (Robots.to_text), unless it has expired."""
        response = self.client.get_item(TableName=self.name, Key=to_item(keys.robots_key(host)))
        if "Item" not in response:
            return None
        item = from_item(response["Item"])
        if item.get(keys.TTL_ATTRIBUTE, 0) < now.timestamp():  # TTL deletion lags: check it ourselves
            return None
        return item["robots"]

    def put_robots(self, host: str, cached: str, now: datetime, ttl: timedelta) -> None:
        if len(cached.encode("utf-8")) > MAX_ROBOTS_BYTES:
            return
        self.client.put_item(
            TableName=self.name,
            Item=to_item({**keys.robots_key(host), "robots": cached, keys.TTL_ATTRIBUTE: int((now + ttl).timestamp())}),
        )

    def reserve_fetch_slots(self, host: str, interval: float, count: int = 1, now: float | None = None) -> list[float]:
        """Book the host's next `count` fetch slots, `interval` apart, in one compare-and-set;
        returns the seconds to wait before each fetch (a batch's pages of one host cost 2 requests)."""
        key = to_item(keys.polite_key(host))
        for _ in range(_SLOT_ROUNDS):
            current = time.time() if now is None else now
            response = self.client.get_item(TableName=self.name, Key=key, ConsistentRead=True)
            previous = from_item(response["Item"]).get("next_at") if "Item" in response else None
            first = max(current, previous or 0.0)
            after = first + interval * count
            condition = "attribute_not_exists(next_at)" if previous is None else "next_at = :prev"
            values = {":next": after, ":ttl": int(after + 86_400)}
            if previous is not None:
                values[":prev"] = previous
            try:
                self.client.update_item(
                    TableName=self.name,
                    Key=key,
                    UpdateExpression=f"SET next_at = :next, {keys.TTL_ATTRIBUTE} = :ttl",
                    ConditionExpression=condition,
                    ExpressionAttributeValues=to_item(values),
                )
                return [first + n * interval - current for n in range(count)]
            except Exception as err:
                if not is_conditional_failure(err):
                    raise
        raise RuntimeError(f"could not book a fetch slot for {host}: too much contention")

    def reserve_fetch_slot(self, host: str, interval: float, now: float | None = None) -> float:
        """Book the next free fetch slot for a host; returns seconds to wait before fetching."""
        return self.reserve_fetch_slots(host, interval, 1, now)[0]

    def defer_host(self, host: str, until: float) -> None:
        """Push the host's next fetch slot back to `until` (epoch seconds), never forward."""
        try:
            self.client.update_item(
                TableName=self.name,
                Key=to_item(keys.polite_key(host)),
                UpdateExpression=f"SET next_at = :u, {keys.TTL_ATTRIBUTE} = :ttl",
                ConditionExpression="attribute_not_exists(next_at) OR next_at < :u",
                ExpressionAttributeValues=to_item({":u": until, ":ttl": int(until + 86_400)}),
            )
        except Exception as err:
            if not is_conditional_failure(err):
                raise
