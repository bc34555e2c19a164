"""`newsingest dlq list | show ID | redrive`: what the pipeline gave up on, and sending it back.

The queues go by their template logical ids, as the alarms and the README runbook name them:
DiscoverDLQ and ArticleDLQ are found from the redrive policies of DiscoverQueue and ArticleQueue
(DISCOVER_QUEUE_URL, ARTICLE_QUEUE_URL); ScheduleDLQ, fed by EventBridge Scheduler rather than
a queue, from SCHEDULE_DLQ_URL (the stack output ScheduleDLQUrl) or else by name beside
DiscoverQueue. Redrive on AWS starts SQS message-move tasks; on an emulator endpoint (the local
runtime's moto has no move tasks, and answers them with retried 500s) it receives and sends.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from rich.table import Table

from newsingest.storage.dead_letters import (
    DeadLetter,
    DeadLetterError,
    DeadLetterQueue,
    RedriveMode,
    RedriveReport,
    dead_letter_queues,
    sibling_queue_url,
)

if TYPE_CHECKING:
    from newsingest.app import Application


class QueuesNotConfigured(DeadLetterError):
    """The settings name no queues: nothing to look in."""


class DlqName(StrEnum):
    DISCOVER = "DiscoverDLQ"
    ARTICLE = "ArticleDLQ"
    SCHEDULE = "ScheduleDLQ"


@dataclass(frozen=True)
class DlqSettings:
    """What the dlq commands need: the consumed queues, the scheduler's DLQ if known, the endpoint."""

    discover_queue_url: str
    article_queue_url: str
    schedule_dlq_url: str | None = None
    endpoint: str | None = None  # an emulator (local runtime, LocalStack); None: AWS itself

    @classmethod
    def of(cls, app: Application, env: Mapping[str, str] | None = None) -> DlqSettings:
        """The application's queues and endpoint; SCHEDULE_DLQ_URL from the environment (CLI only)."""
        env = os.environ if env is None else env
        return cls(
            discover_queue_url=app.settings.discover_queue_url,
            article_queue_url=app.settings.article_queue_url,
            schedule_dlq_url=env.get("SCHEDULE_DLQ_URL") or None,
            endpoint=env.get("AWS_ENDPOINT_URL_SQS") or app.aws.endpoint_url,
        )

    @property
    def move_tasks(self) -> bool:
        """Message-move tasks on AWS only (the repository still falls back if an endpoint refuses them)."""
        return self.endpoint is None


def dlq_name(text: str) -> DlqName:
    """DiscoverDLQ, ArticleDLQ, ScheduleDLQ in any case, or discover/article/schedule."""
    wanted = text.strip().lower().removesuffix("dlq")
    for name in DlqName:
        if name.value.lower().removesuffix("dlq") == wanted:
            return name
    raise DeadLetterError(f"unknown queue {text!r}; known: {', '.join(DlqName)}")


def open_queues(client, settings: DlqSettings) -> dict[DlqName, DeadLetterQueue]:
    """The deployment's dead-letter queues by name (ScheduleDLQ only when it can be found)."""
    if not (settings.discover_queue_url and settings.article_queue_url):
        raise QueuesNotConfigured(
            "no queues configured: set DISCOVER_QUEUE_URL and ARTICLE_QUEUE_URL (the stack's outputs), "
            "or start `newsingest run --keep-running` and use --local"
        )
    consumed = {DlqName.DISCOVER: settings.discover_queue_url, DlqName.ARTICLE: settings.article_queue_url}
    schedule = settings.schedule_dlq_url or sibling_queue_url(
        client, settings.discover_queue_url, "DiscoverQueue", DlqName.SCHEDULE.value
    )
    # Short polls see every message on an emulator; on real SQS a short poll samples a subset of servers.
    wait = 0 if settings.endpoint else 1
    found = dead_letter_queues(client, consumed, {DlqName.SCHEDULE: schedule} if schedule else {}, wait_seconds=wait)
    return {DlqName(name): queue for name, queue in found.items()}


def chosen(queues: dict[DlqName, DeadLetterQueue], names: list[str] | None) -> list[DeadLetterQueue]:
    if not names:
        return list(queues.values())
    picked = []
    for name in dict.fromkeys(dlq_name(n) for n in names):
        if name not in queues:
            raise DeadLetterError(f"{name} not found: set SCHEDULE_DLQ_URL (the stack output ScheduleDLQUrl)")
        picked.append(queues[name])
    return picked


def find(queues: list[DeadLetterQueue], message_id: str) -> DeadLetter | None:
    return next((m for q in queues if (m := q.find(message_id)) is not None), None)


def redrive(queues: list[DeadLetterQueue], *, use_move_task: bool, explicit: bool) -> list[RedriveReport]:
    """Every chosen queue back to its source; without --queue the scheduler's DLQ (nowhere to go) is left."""
    return [q.redrive(use_move_task=use_move_task) for q in queues if explicit or q.source_url is not None]


# -- presentation -------------------------------------------------------------------------------


def as_json(message: DeadLetter) -> dict:
    payload = message.payload()
    return {
        "queue": message.queue,
        "message_id": message.message_id,
        "sent_at": message.sent_at.isoformat() if message.sent_at else None,
        "receive_count": message.receive_count,
        "attributes": message.attributes,
        "body": payload if payload is not None else message.body,
    }


def listing_table(messages: list[DeadLetter]) -> Table:
    table = Table()
    for column in ("queue", "message id", "sent", "receives", "message"):
        table.add_column(column, justify="right" if column == "receives" else "left", overflow="fold")
    for m in messages:
        sent = f"{m.sent_at:%Y-%m-%d %H:%M:%S}" if m.sent_at else "-"
        table.add_row(m.queue, m.message_id, sent, str(m.receive_count), m.summary())
    return table


def depth_line(queues: list[DeadLetterQueue], messages: list[DeadLetter]) -> str:
    counts = {q.name: 0 for q in queues}
    for m in messages:
        counts[m.queue] += 1
    return "  ".join(f"{name}: {n}" for name, n in counts.items())


def redrive_line(report: RedriveReport) -> str:
    if report.mode is RedriveMode.MOVE_TASK:
        return (
            f"{report.queue}: message-move task {report.task_handle} started on {report.moved} messages "
            "(SQS moves them back in the background)"
        )
    return f"{report.queue}: {report.moved} messages sent back to their queue (receive and send)"


def json_line(message: DeadLetter) -> str:
    return json.dumps(as_json(message), ensure_ascii=False)
