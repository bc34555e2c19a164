"""Embedded AWS for one machine: moto in server mode on 127.0.0.1.

Server mode rather than in-process mocks so that other `newsingest` commands (query,
replay, backfill) can talk to the same state while `newsingest run --keep-running` holds it.
"""

from __future__ import annotations

import logging
import urllib.request
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

from newsingest.storage.clients import AwsConnection

REGION = "us-east-1"


def local_connection(endpoint: str, region: str = REGION) -> AwsConnection:
    """Clients for an emulator: its endpoint, and credentials it accepts (never the caller's own)."""
    return AwsConnection(
        endpoint_url=endpoint, region=region, access_key_id="local", secret_access_key="local", session_token="local"
    )


@dataclass
class EmbeddedAws:
    endpoint: str
    server: ThreadedMotoServer

    def connection(self) -> AwsConnection:
        """What any boto3 client needs to use this endpoint instead of real AWS."""
        return local_connection(self.endpoint)

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")).close()

    def close(self) -> None:
        self.server.stop()


def start_embedded_aws(port: int = 0) -> EmbeddedAws:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per AWS call otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return EmbeddedAws(endpoint=f"http://127.0.0.1:{server._server.server_port}", server=server)
