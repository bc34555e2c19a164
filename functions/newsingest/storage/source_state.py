"""Source state repository: each source's discovery state (item SRC#{source} / STATE), typed in and out."""

from __future__ import annotations

from collections.abc import Sequence

from newsingest.discovery.state import SourceState
from newsingest.storage import keys
from newsingest.storage.dynamo import batch_get, to_item


class SourceStateRepository:
    def __init__(self, client, table_name: str):
        self.client = client
        self.name = table_name

    def get_many(self, source_ids: Sequence[str]) -> dict[str, SourceState]:
        """Stored states by source id (BatchGetItem); a source never run is absent."""
        found = batch_get(self.client, self.name, [keys.state_key(s) for s in dict.fromkeys(source_ids)])
        return {i["source_id"]: SourceState.model_validate_json(i["state"]) for i in found}

    def get(self, source_id: str) -> SourceState:
        """The stored state, or a fresh one for a source never run."""
        return self.get_many([source_id]).get(source_id) or SourceState(source_id=source_id)

    def put(self, state: SourceState) -> None:
        self.client.put_item(
            TableName=self.name,
            Item=to_item(
                {**keys.state_key(state.source_id), "source_id": state.source_id, "state": state.model_dump_json()}
            ),
        )
