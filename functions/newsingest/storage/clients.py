"""boto3 clients for the adapters: one place that knows how we talk to AWS.

The endpoint comes from the standard AWS_ENDPOINT_URL variables, which is how the
local runtime points everything at its embedded moto server; throttling is retried
by botocore's standard mode with backoff before any error reaches our code.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

RETRIES = Config(retries={"mode": "standard", "max_attempts": 8}, connect_timeout=5, read_timeout=30)


@cache
def aws_client(service: str):
    return boto3.client(service, config=RETRIES)


def read_text(uri: str) -> str:
    """A small configuration document from s3://bucket/key or a local path."""
    if uri.startswith("s3://"):
        parts = urlsplit(uri)
        body = aws_client("s3").get_object(Bucket=parts.netloc, Key=parts.path.lstrip("/"))["Body"].read()
        return body.decode("utf-8")
    with open(uri, encoding="utf-8") as handle:
        return handle.read()


def resolved_credentials() -> tuple[str, str | None, str | None, str | None]:
    """(region, key id, secret, session token) found the usual way (env, profile, SSO, role), for
    tools that sign their own requests (DuckDB); makes no AWS call."""
    session = boto3.Session()
    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials() if credentials else None
    if frozen is None:
        return session.region_name or "us-east-1", None, None, None
    return session.region_name or "us-east-1", frozen.access_key, frozen.secret_key, frozen.token
