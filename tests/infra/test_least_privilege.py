"""Least privilege per function, read from the translated template (what CloudFormation would create).

The process function parses hostile HTML, so it gets the narrowest S3 rights: put under warc/
and articles/, read warc/, raw/ (archived before WARC) and the sources file; no delete, ACL or bucket configuration. No
function may write config/ (only the operator uploads sources.yaml). tests/aws/
test_least_privilege_calls.py holds the other direction: every call the handlers make is granted.
"""

from __future__ import annotations

import pytest
from iam_policy import allowed, function_statements

FUNCTIONS = ("ScheduleFunction", "DiscoverFunction", "ProcessFunction")
BUCKET = "arn:aws:s3:::archivebucket"
ARN_BY_TYPE = {
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:us-east-1:123456789012:table/{}",
    "AWS::SQS::Queue": "arn:aws:sqs:us-east-1:123456789012:{}",
    "AWS::S3::Bucket": "arn:aws:s3:::{}",
    "AWS::Events::EventBus": "arn:aws:events:us-east-1:123456789012:event-bus/{}",
}
TABLES = {"IndexTable": "arn:aws:dynamodb:us-east-1:123456789012:table/indextable"}
S3_CONFIGURATION = (
    "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutBucketAcl",
    "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration", "s3:PutEncryptionConfiguration",
    "s3:PutBucketVersioning", "s3:PutBucketPublicAccessBlock", "s3:DeleteBucket", "s3:PutBucketOwnershipControls",
    "s3:PutObjectRetention", "s3:BypassGovernanceRetention",
)  # fmt: skip
DYNAMO_WRITES = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")


class _Names(dict):
    """Physical names for the template's logical ids: the id in lower case; parameters their default."""

    def __init__(self, template: dict, attrs: bool = False):
        super().__init__()
        self.template, self.attrs = template, attrs

    def __missing__(self, key):
        if self.attrs:
            logical, attribute = key
            kind = self.template["Resources"][logical]["Type"]
            pattern = ARN_BY_TYPE.get(kind, "arn:aws:other:us-east-1:123456789012:{}")
            return logical.lower() if attribute in ("QueueName", "Name") else pattern.format(logical.lower())
        parameter = self.template.get("Parameters", {}).get(key)
        return str(parameter["Default"]) if parameter else key.lower()


@pytest.fixture(scope="module")
def grants(translated, template):
    refs, attrs = _Names(template), _Names(template, attrs=True)
    return {f: function_statements(translated, f, refs, attrs) for f in FUNCTIONS}, refs["SourcesKey"]


def test_the_process_function_writes_only_under_warc_and_articles(grants):
    statements = grants[0]["ProcessFunction"]
    assert allowed(statements, "s3:PutObject", f"{BUCKET}/warc/2026-11-24/20261124T090000Z-abc.warc.gz")
    assert allowed(statements, "s3:PutObject", f"{BUCKET}/articles/v1/dt=2026-11-24/a.json")
    for key in ("config/sources.yaml", "raw/a.html.gz", "warcx/a", "parquet/v1/a", "other/a", "articles", "index.html"):
        assert not allowed(statements, "s3:PutObject", f"{BUCKET}/{key}"), key


def test_the_process_function_reads_only_raw_pages_and_the_sources_file(grants):
    statements, sources_key = grants[0]["ProcessFunction"], grants[1]
    assert allowed(statements, "s3:GetObject", f"{BUCKET}/warc/2026-11-24/a.warc.gz")
    assert allowed(statements, "s3:GetObject", f"{BUCKET}/raw/a.html.gz")  # archived before WARC
    assert allowed(statements, "s3:GetObject", f"{BUCKET}/{sources_key}")
    for key in ("articles/v1/dt=2026-11-24/a.json", "config/other.yaml", "exports/x"):
        assert not allowed(statements, "s3:GetObject", f"{BUCKET}/{key}"), key
    assert not allowed(statements, "s3:ListBucket", BUCKET)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_function_may_delete_change_acls_or_configure_the_bucket(grants, function):
    statements = grants[0][function]
    for action in S3_CONFIGURATION:
        for resource in (BUCKET, f"{BUCKET}/raw/a", f"{BUCKET}/articles/a", f"{BUCKET}/config/sources.yaml"):
            assert not allowed(statements, action, resource), (action, resource)


def test_no_role_in_the_stack_can_write_config(translated, template):
    refs, attrs = _Names(template), _Names(template, attrs=True)
    roles = [name.removesuffix("Role") for name, r in translated["Resources"].items() if r["Type"] == "AWS::IAM::Role"]
    assert {f"{f}" for f in FUNCTIONS} <= set(roles)
    for role in roles:
        statements = function_statements(translated, role, refs, attrs)
        for action in ("s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"):
            assert not allowed(statements, action, f"{BUCKET}/config/sources.yaml"), (role, action)


def test_each_function_reaches_only_the_tables_its_code_uses(grants):
    reach = {
        function: {table for table, arn in TABLES.items() for s in statements if any(arn in r for r in s.resources)}
        for function, statements in grants[0].items()
    }
    assert reach == {
        "ScheduleFunction": {"IndexTable"},
        "DiscoverFunction": {"IndexTable"},  # dedup is conditional writes: no idempotency table
        "ProcessFunction": {"IndexTable"},  # idempotent by the commit protocol (docs/commit.md)
    }


def test_the_schedule_function_only_reads_the_index(grants):
    statements = grants[0]["ScheduleFunction"]
    assert allowed(statements, "dynamodb:BatchGetItem", TABLES["IndexTable"])
    for action in DYNAMO_WRITES:
        assert not allowed(statements, action, TABLES["IndexTable"]), action


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_grant_uses_a_service_wide_wildcard(translated, function, grants):
    for statement in grants[0][function]:
        assert not any(action.endswith(":*") or action == "*" for action in statement.actions), statement
        if statement.sid != "ComprehendEntities":
            assert "*" not in statement.resources, statement
