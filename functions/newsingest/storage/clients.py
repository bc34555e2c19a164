"""boto3 clients for the adapters: one place that knows how we talk to AWS.

An `AwsConnection` says where AWS is (an endpoint, a region, credentials, or nothing: the
standard chain, as in Lambda). Each application owns one, so the local runtime points a whole
application at its embedded moto server without touching the process environment. Throttling
is retried by botocore's standard mode with backoff before any error reaches our code.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:  # boto3 is imported by the first client, not at init: a light handler starts faster
    import boto3

RETRIES = {"retries": {"mode": "standard", "max_attempts": 8}, "connect_timeout": 5, "read_timeout": 30}
DEFAULT_REGION = "us-east-1"
# botocore's loader of service models, endpoint rules and partitions (large JSON files, read and
# parsed on first use), shared by every session of the process: each session would read them again.
_LOADER: dict[str, Any] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class AwsConnection:
    """Where the AWS calls go; None everywhere means boto3's own defaults (environment, profile, role)."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    _clients: dict = field(default_factory=dict, compare=False, repr=False)
    _sessions: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AwsConnection:
        """The standard variables (AWS_ENDPOINT_URL, AWS_REGION/AWS_DEFAULT_REGION); credentials are
        left to boto3's chain so a role's rotating credentials keep working."""
        return cls(
            endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        )

    def client(self, service: str):
        """One client per service and connection, from one session per connection (clients are
        thread-safe, sessions are not: made under a lock)."""
        if service not in self._clients:
            from botocore.config import Config

            with _LOCK:
                if "session" not in self._sessions:
                    self._sessions["session"] = self.session()
                if service not in self._clients:
                    client = self._sessions["session"].client(
                        service, endpoint_url=self.endpoint_url, config=Config(**RETRIES)
                    )
                    self._clients[service] = client
        return self._clients[service]

    def session(self) -> boto3.Session:
        import boto3
        import botocore.session

        core = botocore.session.get_session()
        loader = _LOADER.setdefault("loader", core.get_component("data_loader"))
        core.register_component("data_loader", loader)  # models already read by another session
        return boto3.Session(
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
            aws_session_token=self.session_token,
            region_name=self.region,
            botocore_session=core,
        )

    def resolved_credentials(self) -> tuple[str, str | None, str | None, str | None]:
        """(region, key id, secret, session token) found the usual way, for tools that sign their own
        requests (DuckDB); makes no AWS call."""
        session = self.session()
        credentials = session.get_credentials()
        frozen = credentials.get_frozen_credentials() if credentials else None
        region = session.region_name or DEFAULT_REGION
        if frozen is None:
            return region, None, None, None
        return region, frozen.access_key, frozen.secret_key, frozen.token


def read_text(uri: str, s3) -> str:
    """A small configuration document from s3://bucket/key or a local path."""
    if uri.startswith("s3://"):
        parts = urlsplit(uri)
        body = s3.get_object(Bucket=parts.netloc, Key=parts.path.lstrip("/"))["Body"].read()
        return body.decode("utf-8")
    with open(uri, encoding="utf-8") as handle:
        return handle.read()
