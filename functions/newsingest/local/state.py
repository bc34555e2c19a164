"""How other `newsingest` commands find a running `newsingest run --keep-running`: its state file.

The runtime writes `.newsingest/local.json` (endpoint, region, the stack-output settings, its pid)
when it starts and removes it when it ends; a file left by a runtime that died is recognised by
its pid and reported as such, not dialled for seconds until a connection error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from newsingest.app import Application
from newsingest.local.aws import REGION, local_connection
from newsingest.settings import Settings
from newsingest.sources import PLACEHOLDER_ALLOW_LIST
from newsingest.storage.clients import AwsConnection

STATE_DIR = Path(".newsingest")
STATE_FILE = STATE_DIR / "local.json"
START_HINT = "start `newsingest run --keep-running` in another shell"


class NoLocalRuntime(Exception):
    """There is no running local runtime to talk to (the message says what to do)."""


def read_state(path: Path = STATE_FILE) -> dict:
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NoLocalRuntime(f"no local runtime is running ({path} not found); {START_HINT}") from None
    except (OSError, ValueError) as err:
        raise NoLocalRuntime(f"{path} is unreadable ({err}); {START_HINT}") from None
    pid = state.get("pid")
    if isinstance(pid, int) and not _alive(pid):
        raise NoLocalRuntime(f"no local runtime is running (the one in {path} has ended); {START_HINT}")
    return state


def local_application(path: Path = STATE_FILE) -> Application:
    """An application over the running local runtime's resources."""
    state = read_state(path)
    region = state.get("region") or REGION
    endpoint = state.get("endpoint")
    connection = local_connection(endpoint, region) if endpoint else AwsConnection(region=region)
    return Application(
        settings=Settings.from_env(state.get("env", {})), aws=connection, env=placeholder_env(state, os.environ)
    )


def placeholder_env(state: dict, env: Mapping[str, str]) -> dict[str, str]:
    """`${NAME}` values for the sources file: the caller's own allow-listed variables, and the
    runtime's sample-site addresses (which only that process knows)."""
    sites = state.get("placeholders") or {}
    own = [name for name in env.get(PLACEHOLDER_ALLOW_LIST, "").split(",") if name]
    return {**env, **sites, PLACEHOLDER_ALLOW_LIST: ",".join([*own, *sorted(sites)])}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
