"""Boilerplate repository: the lines learned as each source's boilerplate (item SRC#{source} / LINES),
as line keys (cleaning.line_key); entries learned before keys were kept are text and read as keys."""

from __future__ import annotations

from newsingest.models.lines import as_line_key
from newsingest.storage import keys
from newsingest.storage.dynamo import from_item, to_item


class BoilerplateRepository:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    def get(self, source_id: str) -> set[str]:
        response = self.client.get_item(TableName=self.name, Key=to_item(keys.lines_key(source_id)))
        stored = from_item(response["Item"]).get("lines", []) if "Item" in response else []
        return {as_line_key(entry) for entry in stored}

    def put(self, source_id: str, lines: set[str]) -> None:
        self.client.put_item(TableName=self.name, Item=to_item({**keys.lines_key(source_id), "lines": sorted(lines)}))
