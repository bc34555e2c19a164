"""The deployment's DLQs as the `dlq` commands see them: named as the template names them, the
scheduler's found beside DiscoverQueue or from its setting, redriven where they can be."""

from __future__ import annotations

import pytest
from test_dead_letters import ARTICLES, depth, fail_into_dlq

from newsingest.dlq import DlqName, DlqSettings, chosen, dlq_name, find, open_queues, redrive, redrive_line
from newsingest.storage.dead_letters import DeadLetterError, RedriveMode, RedriveReport, sibling_queue_url


def settings(aws, **fields) -> DlqSettings:
    q = aws.resources.queues
    return DlqSettings(q["DiscoverQueue"].url, q["ArticleQueue"].url, **fields)


def test_the_three_dlqs_by_their_template_names(aws):
    q = aws.resources.queues
    queues = open_queues(aws.clients["sqs"], settings(aws))
    assert {name: dlq.url for name, dlq in queues.items()} == {
        DlqName.DISCOVER: q["DiscoverDLQ"].url,
        DlqName.ARTICLE: q["ArticleDLQ"].url,
        DlqName.SCHEDULE: q["ScheduleDLQ"].url,  # by name, beside DiscoverQueue
    }
    assert queues[DlqName.SCHEDULE].source_url is None


def test_the_schedulers_dlq_by_name_follows_cloudformation_names_and_refuses_ambiguity(aws):
    sqs = aws.clients["sqs"]
    own = sqs.create_queue(QueueName="stack-dev-DiscoverQueue-1A2B3C")["QueueUrl"]
    wanted = sqs.create_queue(QueueName="stack-dev-ScheduleDLQ-9Z8Y7X")["QueueUrl"]
    assert sibling_queue_url(sqs, own, "DiscoverQueue", "ScheduleDLQ") == wanted
    sqs.create_queue(QueueName="stack-dev-ScheduleDLQ-OTHER")
    assert sibling_queue_url(sqs, own, "DiscoverQueue", "ScheduleDLQ") is None
    assert sibling_queue_url(sqs, wanted, "DiscoverQueue", "ScheduleDLQ") is None  # not a DiscoverQueue name


def test_an_unfound_schedulers_dlq_is_left_out_and_asking_for_it_says_what_to_set(aws):
    sqs = aws.clients["sqs"]
    elsewhere = sqs.create_queue(QueueName="renamed-discover")["QueueUrl"]
    article = aws.resources.queues["ArticleQueue"].url
    queues = open_queues(sqs, DlqSettings(elsewhere, article))
    assert set(queues) == {DlqName.ARTICLE}  # a queue without a redrive policy has no DLQ either
    with pytest.raises(DeadLetterError, match="SCHEDULE_DLQ_URL"):
        chosen(queues, ["ScheduleDLQ"])
    given = open_queues(sqs, DlqSettings(elsewhere, article, schedule_dlq_url=aws.resources.queues["ScheduleDLQ"].url))
    assert set(given) == {DlqName.ARTICLE, DlqName.SCHEDULE}


@pytest.mark.parametrize("text", ["ArticleDLQ", "articledlq", "article", " Article "])
def test_queue_names_in_any_case_with_or_without_the_suffix(text):
    assert dlq_name(text) is DlqName.ARTICLE


def test_an_unknown_queue_name_lists_the_known_ones():
    with pytest.raises(DeadLetterError, match="known: DiscoverDLQ, ArticleDLQ, ScheduleDLQ"):
        dlq_name("process")


def test_find_looks_in_every_chosen_queue(aws):
    sqs = aws.clients["sqs"]
    fail_into_dlq(sqs, aws.resources.queues["DiscoverQueue"].url, ARTICLES[:1])
    queues = open_queues(sqs, settings(aws, endpoint="http://emulator"))
    wanted = queues[DlqName.DISCOVER].peek()[0]
    assert find(list(queues.values()), wanted.message_id).queue == DlqName.DISCOVER
    assert find(chosen(queues, ["article"]), wanted.message_id) is None


def test_redrive_leaves_the_schedulers_dlq_unless_it_is_asked_for(aws):
    sqs = aws.clients["sqs"]
    q = aws.resources.queues
    fail_into_dlq(sqs, q["ArticleQueue"].url, ARTICLES[:3])
    sqs.send_message(QueueUrl=q["ScheduleDLQ"].url, MessageBody="{}")
    queues = open_queues(sqs, settings(aws, endpoint="http://emulator"))
    reports = redrive(chosen(queues, None), use_move_task=False, explicit=False)
    assert [(r.queue, r.mode, r.moved) for r in reports] == [
        (DlqName.DISCOVER, RedriveMode.RECEIVE_AND_SEND, 0),
        (DlqName.ARTICLE, RedriveMode.RECEIVE_AND_SEND, 3),
    ]
    assert depth(sqs, q["ScheduleDLQ"].url) == 1
    with pytest.raises(DeadLetterError, match="no source queue"):
        redrive(chosen(queues, ["schedule"]), use_move_task=False, explicit=True)


def test_in_process_moto_has_no_move_tasks_and_redrive_falls_back(aws):
    sqs = aws.clients["sqs"]
    fail_into_dlq(sqs, aws.resources.queues["ArticleQueue"].url, ARTICLES[:2])
    queues = open_queues(sqs, settings(aws))
    assert settings(aws).move_tasks and not settings(aws, endpoint="http://emulator").move_tasks
    report = queues[DlqName.ARTICLE].redrive(use_move_task=True)  # moto raises NotImplementedError
    assert (report.mode, report.moved) == (RedriveMode.RECEIVE_AND_SEND, 2)


def test_settings_come_from_the_application_and_move_tasks_only_on_aws():
    from newsingest.app import Application
    from newsingest.settings import Settings
    from newsingest.storage.clients import AwsConnection

    settings = Settings.from_env({"DISCOVER_QUEUE_URL": "https://q/d", "ARTICLE_QUEUE_URL": "https://q/a"})
    on_aws = DlqSettings.of(Application(settings=settings), env={"SCHEDULE_DLQ_URL": "https://q/s"})
    assert (on_aws.discover_queue_url, on_aws.article_queue_url, on_aws.schedule_dlq_url) == (
        "https://q/d",
        "https://q/a",
        "https://q/s",
    )
    assert on_aws.move_tasks
    local = DlqSettings.of(
        Application(settings=settings, aws=AwsConnection(endpoint_url="http://127.0.0.1:5000")), env={}
    )
    assert (local.endpoint, local.move_tasks, local.schedule_dlq_url) == ("http://127.0.0.1:5000", False, None)


def test_a_started_move_task_is_reported_as_running_in_the_background():
    report = RedriveReport(DlqName.ARTICLE, RedriveMode.MOVE_TASK, 4, "task-7")
    assert redrive_line(report) == (
        "ArticleDLQ: message-move task task-7 started on 4 messages (SQS moves them back in the background)"
    )
