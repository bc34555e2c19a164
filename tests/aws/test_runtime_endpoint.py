"""The local runtime on an AWS endpoint it did not start (another moto, LocalStack, or real AWS)."""

from __future__ import annotations

from datetime import UTC, datetime

from newsingest.local.aws import start_embedded_aws
from newsingest.local.runner import REPO_ROOT, LocalRuntime


def test_the_runtime_uses_a_given_endpoint_instead_of_starting_one(tmp_path, monkeypatch):
    monkeypatch.setenv("FETCH_ALLOW_HOSTS", "127.0.0.1:8999")  # the caller's own server (a benchmark's)
    other = start_embedded_aws()
    other.reset()
    try:
        with LocalRuntime(
            sources_path=REPO_ROOT / "sample_sites" / "sources.yaml",
            endpoint=other.endpoint,
            prefix="team-a",
            log_path=tmp_path / "handlers.jsonl",
            state_file=None,
        ) as runtime:
            assert runtime.aws is None
            assert runtime.resources.table_name.startswith("team-a-")
            assert runtime.public_state()["endpoint"] == other.endpoint
            assert runtime.app.settings.allow_hosts[0] == "127.0.0.1:8999"  # kept beside the sample sites'
            assert other.endpoint.removeprefix("http://") not in runtime.app.settings.allow_hosts
            runtime.tick(datetime(2026, 11, 24, 6, tzinfo=UTC))
            assert len(runtime.latest_records()) >= 25
            assert runtime.clients["s3"].meta.endpoint_url == other.endpoint
    finally:
        other.close()
