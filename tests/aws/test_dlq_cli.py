"""`newsingest dlq list | show | redrive` under in-process moto, with the queues the template defines."""

from __future__ import annotations

import json

import pytest
from test_dead_letters import ARTICLES, depth, fail_into_dlq

from newsingest.cli import main

STAGE_FAILURE = [{"source_id": "civic-wire", "tick": "2026-11-24T06:00:00+00:00"}]


EMULATOR = "https://sqs.us-east-1.amazonaws.com"  # moto answers here too; named, it marks an emulator endpoint


@pytest.fixture
def cli(aws, monkeypatch):
    """The CLI's environment pointing at the moto resources, as the stack outputs would. As on an emulator
    endpoint (short polls, no move tasks) unless a test deletes AWS_ENDPOINT_URL_SQS to be on AWS itself."""
    q = aws.resources.queues
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", EMULATOR)
    monkeypatch.setenv("TABLE_NAME", aws.resources.table_name)  # configured AWS: no local state file is read
    monkeypatch.setenv("DISCOVER_QUEUE_URL", q["DiscoverQueue"].url)
    monkeypatch.setenv("ARTICLE_QUEUE_URL", q["ArticleQueue"].url)
    monkeypatch.delenv("SCHEDULE_DLQ_URL", raising=False)
    return aws


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["dlq", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, *argv: str) -> list[dict]:
    code, out, _ = run(capsys, "list", "--format", "jsonl", *argv)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


def test_list_shows_every_dlq_message_by_queue_and_leaves_it_there(cli, capsys):
    sqs, q = cli.clients["sqs"], cli.resources.queues
    fail_into_dlq(sqs, q["ArticleQueue"].url, ARTICLES[:3])
    fail_into_dlq(sqs, q["DiscoverQueue"].url, STAGE_FAILURE)
    sqs.send_message(
        QueueUrl=q["ScheduleDLQ"].url,
        MessageBody="{}",
        MessageAttributes={"ERROR_CODE": {"DataType": "String", "StringValue": "AccessDeniedException"}},
    )

    rows = listed(capsys)
    assert sorted(r["queue"] for r in rows) == ["ArticleDLQ"] * 3 + ["DiscoverDLQ", "ScheduleDLQ"]
    assert {r["body"]["url"] for r in rows if r["queue"] == "ArticleDLQ"} == {a["url"] for a in ARTICLES[:3]}
    assert next(r for r in rows if r["queue"] == "ScheduleDLQ")["attributes"] == {"ERROR_CODE": "AccessDeniedException"}
    assert depth(sqs, q["ArticleDLQ"].url) == 3  # listing moved nothing
    assert [r["queue"] for r in listed(capsys, "--queue", "discover")] == ["DiscoverDLQ"]


def test_list_as_a_table_counts_each_queue(cli, capsys):
    fail_into_dlq(cli.clients["sqs"], cli.resources.queues["ArticleQueue"].url, ARTICLES[:2])
    code, out, _ = run(capsys, "list", "--format", "table")
    assert code == 0
    assert "DiscoverDLQ: 0  ArticleDLQ: 2  ScheduleDLQ: 0" in out
    assert ARTICLES[0]["url"] in " ".join(out.split())


def test_show_prints_one_message_and_an_unknown_id_is_an_error(cli, capsys):
    fail_into_dlq(cli.clients["sqs"], cli.resources.queues["ArticleQueue"].url, ARTICLES[:2])
    wanted = listed(capsys)[1]
    code, out, _ = run(capsys, "show", wanted["message_id"])
    assert code == 0
    shown = json.loads(out)
    assert shown["body"] == wanted["body"] and shown["receive_count"] >= 5
    assert shown["attributes"] == {"correlation_id": "tick-1"}

    code, out, err = run(capsys, "show", "no-such-id")
    assert (code, out) == (1, "")
    assert "no message no-such-id" in err and "Traceback" not in err


def test_redrive_sends_every_message_back_where_moto_has_no_move_tasks(cli, capsys, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL_SQS")  # AWS: a move task is tried first; moto has none
    sqs, q = cli.clients["sqs"], cli.resources.queues
    fail_into_dlq(sqs, q["ArticleQueue"].url, ARTICLES[:4])
    sqs.send_message(QueueUrl=q["ScheduleDLQ"].url, MessageBody="{}")
    code, out, _ = run(capsys, "redrive")
    assert code == 0
    assert "ArticleDLQ: 4 messages sent back to their queue (receive and send)" in out
    assert "DiscoverDLQ: 0 messages" in out and "ScheduleDLQ" not in out  # nowhere to send it: left alone
    assert (depth(sqs, q["ArticleDLQ"].url), depth(sqs, q["ArticleQueue"].url)) == (0, 4)
    assert depth(sqs, q["ScheduleDLQ"].url) == 1


def test_on_an_emulator_endpoint_redrive_receives_and_sends(cli, capsys):
    sqs, q = cli.clients["sqs"], cli.resources.queues
    fail_into_dlq(sqs, q["ArticleQueue"].url, ARTICLES[:2])
    code, out, _ = run(capsys, "redrive", "--queue", "article")
    assert code == 0 and out.splitlines() == ["ArticleDLQ: 2 messages sent back to their queue (receive and send)"]
    assert depth(sqs, q["ArticleQueue"].url) == 2


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["redrive", "--queue", "ScheduleDLQ"], "ScheduleDLQ: no source queue to redrive to"),
        (["list", "--queue", "nope"], "unknown queue 'nope'; known: DiscoverDLQ, ArticleDLQ, ScheduleDLQ"),
    ],
)
def test_impossible_requests_are_one_line_errors(cli, capsys, argv, said):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert said in " ".join(err.split()) and "Traceback" not in err


def test_without_queue_settings_the_error_says_what_to_set(cli, capsys, monkeypatch):
    monkeypatch.setenv("DISCOVER_QUEUE_URL", "")
    code, _, err = run(capsys, "list")
    assert code == 3  # what the command needs is not there
    assert "set DISCOVER_QUEUE_URL and ARTICLE_QUEUE_URL" in " ".join(err.split())


def test_the_schedulers_dlq_comes_from_its_setting_when_given(cli, capsys, monkeypatch):
    sqs = cli.clients["sqs"]
    other = sqs.create_queue(QueueName="elsewhere-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody='{"why": "throttled"}')
    monkeypatch.setenv("SCHEDULE_DLQ_URL", other)
    assert [r["body"] for r in listed(capsys, "--queue", "ScheduleDLQ")] == [{"why": "throttled"}]
