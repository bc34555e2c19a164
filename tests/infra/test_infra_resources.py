"""newsingest.local.resources under moto: what it creates is what template.yaml defines."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from newsingest.local.resources import create_resources, load_template


@pytest.fixture
def clients(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield {name: boto3.client(name, region_name="us-east-1") for name in ("dynamodb", "s3", "sqs", "events")}


def test_load_template_reads_short_form_tags_as_long_form(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        "A: !Ref P\nB: !GetAtt Q.Arn\nC: !Sub 'x-${P}'\nD: !If [Cond, !Ref P, !Ref AWS::NoValue]\n"
        "E: !FindInMap [M, K, V]\nF: !Equals [!Ref P, x]\n"
    )
    assert load_template(path) == {
        "A": {"Ref": "P"},
        "B": {"Fn::GetAtt": ["Q", "Arn"]},
        "C": {"Fn::Sub": "x-${P}"},
        "D": {"Fn::If": ["Cond", {"Ref": "P"}, {"Ref": "AWS::NoValue"}]},
        "E": {"Fn::FindInMap": ["M", "K", "V"]},
        "F": {"Fn::Equals": [{"Ref": "P"}, "x"]},
    }


def test_tables_have_the_template_keys_indexes_and_ttl(template, clients):
    made = create_resources(template, clients=clients, prefix="t")
    dynamodb = clients["dynamodb"]
    for lid, name in (("IndexTable", made.table_name),):
        defined = template["Resources"][lid]["Properties"]
        table = dynamodb.describe_table(TableName=name)["Table"]
        assert table["KeySchema"] == defined["KeySchema"]
        indexes = {i["IndexName"]: i["KeySchema"] for i in table.get("GlobalSecondaryIndexes", [])}
        assert indexes == {i["IndexName"]: i["KeySchema"] for i in defined.get("GlobalSecondaryIndexes", [])}
        ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "ENABLED"
        assert ttl["AttributeName"] == defined["TimeToLiveSpecification"]["AttributeName"]
    assert {
        i["IndexName"] for i in dynamodb.describe_table(TableName=made.table_name)["Table"]["GlobalSecondaryIndexes"]
    } == {"BySource"}


def test_queues_redrive_and_time_out_as_the_template_says(template, clients):
    made = create_resources(template, clients=clients, prefix="t")
    sqs = clients["sqs"]
    mapping = template["Mappings"]["Limits"]
    expected = {
        "DiscoverQueue": ("DiscoverDLQ", mapping["Discover"]["VisibilityTimeout"], 1, "DiscoverFunction"),
        "ArticleQueue": (
            "ArticleDLQ",
            mapping["Process"]["VisibilityTimeout"],
            template["Parameters"]["ProcessBatchSize"]["Default"],
            "ProcessFunction",
        ),
    }
    for lid, (dlq, visibility, batch_size, function) in expected.items():
        info = made.queues[lid]
        attributes = sqs.get_queue_attributes(QueueUrl=info.url, AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"] == made.queues[dlq].arn
        assert int(redrive["maxReceiveCount"]) == info.max_receive_count == 5
        assert int(attributes["VisibilityTimeout"]) == info.visibility_timeout == visibility
        assert info.dlq_url == made.queues[dlq].url
        assert (info.batch_size, info.function_logical_id) == (batch_size, function)
        assert made.queues[dlq].function_logical_id is None
    assert set(made.queues) == {"DiscoverQueue", "DiscoverDLQ", "ArticleQueue", "ArticleDLQ", "ScheduleDLQ"}


def test_bucket_bus_and_environment_exist(template, clients):
    made = create_resources(template, clients=clients, prefix="t")
    versioning = clients["s3"].get_bucket_versioning(Bucket=made.bucket_name)
    assert versioning["Status"] == "Enabled"
    assert clients["events"].describe_event_bus(Name=made.event_bus_name)["Name"] == "t-articles"
    env = made.environment
    assert env["TABLE_NAME"] == made.table_name
    assert env["ARTICLE_QUEUE_URL"] == made.queues["ArticleQueue"].url
    assert env["SOURCES_URI"] == f"s3://{made.bucket_name}/config/sources.yaml"


def test_creating_twice_reuses_what_exists(template, clients):
    first = create_resources(template, clients=clients, prefix="t")
    clients["sqs"].send_message(QueueUrl=first.queues["ArticleQueue"].url, MessageBody="kept")
    second = create_resources(template, clients=clients, prefix="t")
    assert second == first
    assert len(clients["dynamodb"].list_tables()["TableNames"]) == 1
    attributes = clients["sqs"].get_queue_attributes(
        QueueUrl=second.queues["ArticleQueue"].url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "1"
