"""Fault injection for boto3 clients under moto, with botocore event hooks.

`Faults(client).after("PutItem", 2, THROTTLE)` lets the first two PutItem calls through and answers
every later one with a throttling error (`times=` limits how many fail); CRASH raises an exception
no `except Exception` catches: the process dies right before that call, leaving what it wrote.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from botocore.awsrequest import AWSResponse

THROTTLE = "throttle"
SERVER_ERROR = "500"
CRASH = "crash"
REFUSE = "refuse"  # PutEvents only: every entry comes back with an ErrorCode (FailedEntryCount > 0)
_ERRORS = {
    THROTTLE: (400, "ThrottlingException", "Rate exceeded"),
    SERVER_ERROR: (500, "InternalServerError", "We encountered an internal error"),
}


class Crash(BaseException):
    """The Lambda died here: nothing after this point ran."""


@dataclass
class _Rule:
    operation: str
    after: int
    kind: str
    times: int | None
    fired: int = 0


class Faults:
    def __init__(self, client):
        self.client = client
        self.calls: Counter = Counter()
        self.rules: list[_Rule] = []
        self.matchers: list[tuple[str, Callable[[str], bool], str]] = []
        self.hooks: list[Callable[[str, dict], None]] = []
        service = client.meta.service_model.service_name
        client.meta.events.register(f"before-call.{service}", self._before_call)

    def after(self, operation: str, calls: int, kind: str, times: int | None = None) -> Faults:
        self.rules.append(_Rule(operation, calls, kind, times))
        return self

    def when(self, operation: str, matches: Callable[[str], bool], kind: str) -> Faults:
        """Fail every call of `operation` whose request body `matches` (a fault on one item's writes)."""
        self.matchers.append((operation, matches, kind))
        return self

    def on(self, hook: Callable[[str, dict], None]) -> Faults:
        """Run `hook(operation, params)` before each call (to interleave another commit there)."""
        self.hooks.append(hook)
        return self

    def clear(self) -> None:
        self.rules.clear()
        self.matchers.clear()
        self.hooks.clear()

    def _before_call(self, model, params, **_):
        operation = model.name
        self.calls[operation] += 1
        for hook in list(self.hooks):
            hook(operation, params)
        for matched, matches, kind in self.matchers:
            if matched == operation and matches(params["body"].decode("utf-8")):
                return self._fault(kind, params)
        for rule in self.rules:
            if rule.operation != operation or self.calls[operation] <= rule.after:
                continue
            if rule.times is not None and rule.fired >= rule.times:
                continue
            rule.fired += 1
            return self._fault(rule.kind, params)
        return None

    def _fault(self, kind: str, params: dict):
        if kind == CRASH:
            raise Crash(f"crash before the call ({self.calls})")
        if kind == REFUSE:
            entries = len(json.loads(params["body"])["Entries"])
            parsed = {
                "FailedEntryCount": entries,
                "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "refused"}] * entries,
                "ResponseMetadata": {"HTTPStatusCode": 200},
            }
            return AWSResponse("http://fault", 200, {}, io.BytesIO(b"")), parsed
        status, code, message = _ERRORS[kind]
        parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
        return AWSResponse("http://fault", status, {}, io.BytesIO(b"")), parsed
