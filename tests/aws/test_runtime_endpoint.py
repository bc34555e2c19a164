"""The local runtime on an AWS endpoint it did not start (another moto, LocalStack, or real AWS)."""

from __future__ import annotations

import boto3

from newsingest.local.aws import start_embedded_aws
from newsingest.local.driver import LambdaContext, queue_depth
from newsingest.local.runner import REPO_ROOT, LocalRuntime

KEYS = {"aws_access_key_id": "x", "aws_secret_access_key": "x"}


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
            assert runtime.clients["s3"].meta.endpoint_url == other.endpoint
            tick = runtime.handlers["schedule"]({"scheduled_time": "2026-11-24T06:00:00Z"}, LambdaContext("schedule"))
            sqs = boto3.client("sqs", endpoint_url=other.endpoint, region_name="us-east-1", **KEYS)
            depth = queue_depth(sqs, runtime.resources.queues["DiscoverQueue"].url)
            assert depth == len(tick["queued"]) == 3  # the handlers' writes landed on the other endpoint
    finally:
        other.close()
