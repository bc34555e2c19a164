"""Embedded AWS for one machine: moto in server mode on 127.0.0.1.

Server mode rather than in-process mocks so that other `newsingest` commands (query,
replay, backfill) can talk to the same state while `newsingest run --keep-running` holds it.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

REGION = "us-east-1"
LOCAL_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local"}


@dataclass
class EmbeddedAws:
    endpoint: str
    server: ThreadedMotoServer

    def env(self) -> dict[str, str]:
        """What any boto3 client needs to use this endpoint instead of real AWS."""
        return {
            **LOCAL_CREDENTIALS,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")).close()

    def close(self) -> None:
        self.server.stop()


def start_embedded_aws(port: int = 0) -> EmbeddedAws:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return EmbeddedAws(endpoint=f"http://127.0.0.1:{server._server.server_port}", server=server)


@contextmanager
def patched_env(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the duration, restoring the previous values after."""
    previous = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
