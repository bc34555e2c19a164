"""Serialising and batching helpers, against moto's DynamoDB."""

import boto3
import pytest
from moto import mock_aws

from newsingest.storage import dynamo


@pytest.fixture
def client():
    with mock_aws():
        c = boto3.client("dynamodb", region_name="eu-west-1")
        c.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield c


def test_round_trip_keeps_ints_floats_and_drops_none():
    item = dynamo.to_item({"pk": "a", "n": 3, "f": 0.25, "gone": None, "l": ["x"]})
    assert "gone" not in item
    assert dynamo.from_item(item) == {"pk": "a", "n": 3, "f": 0.25, "l": ["x"]}


def test_batch_write_and_get_use_one_request_per_chunk(client):
    items = [{"pk": f"P#{i}", "sk": "S", "i": i} for i in range(260)]
    assert dynamo.batch_write(client, "t", items) == 11  # ceil(260 / 25)
    calls = []
    client.meta.events.register("before-call.dynamodb.BatchGetItem", lambda **kw: calls.append(1))
    found = dynamo.batch_get(client, "t", [{"pk": f"P#{i}", "sk": "S"} for i in range(260)])
    assert sorted(f["i"] for f in found) == list(range(260))
    assert len(calls) == 3  # ceil(260 / 100)


def test_query_all_follows_pages(client):
    dynamo.batch_write(client, "t", [{"pk": "same", "sk": f"{i:04d}", "blob": "x" * 5000} for i in range(300)])
    calls = []
    client.meta.events.register("before-call.dynamodb.Query", lambda **kw: calls.append(1))
    got = list(
        dynamo.query_all(
            client, TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "same"}}
        )
    )
    assert len(got) == 300
    assert len(calls) > 1  # 1.5 MB of items: DynamoDB pages at 1 MB
