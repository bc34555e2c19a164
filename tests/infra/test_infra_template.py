"""template.yaml, checked on what SAM turns it into (translated offline) and on its own text.

moto's CloudFormation drops properties and has no AWS::Scheduler::Schedule, so the
deployed shape is asserted here on the translation instead.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newsingest.models.records import Article
from newsingest.settings import Settings
from newsingest.storage import archive, keys, warc

POWERTOOLS_VARIABLES = {"POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE", "POWERTOOLS_LOG_LEVEL"}
SQS_CONSUMERS = {"DiscoverFunction": "DiscoverQueue", "ProcessFunction": "ArticleQueue"}


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template["Resources"].items() if res["Type"] == kind}


def static(template: dict[str, Any], value: Any) -> Any:
    """What a value is before deployment: parameter defaults and mappings resolved."""
    if isinstance(value, dict) and value.get("Ref") in template.get("Parameters", {}):
        return template["Parameters"][value["Ref"]]["Default"]
    if isinstance(value, dict) and "Fn::FindInMap" in value:
        name, top, second = value["Fn::FindInMap"]
        return template["Mappings"][name][top][second]
    return value


def props(template: dict[str, Any], lid: str) -> dict[str, Any]:
    return template["Resources"][lid]["Properties"]


def event_source_mapping(translated: dict[str, Any], function: str) -> dict[str, Any]:
    (mapping,) = [
        res["Properties"]
        for res in of_type(translated, "AWS::Lambda::EventSourceMapping").values()
        if res["Properties"]["FunctionName"]["Ref"] in (function, f"{function}Aliaslive")
    ]
    return mapping


def test_the_process_function_restores_from_a_snapshot_and_its_queue_invokes_that_alias(translated):
    assert props(translated, "ProcessFunction")["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    mapping = event_source_mapping(translated, "ProcessFunction")
    assert mapping["FunctionName"] == {"Ref": "ProcessFunctionAliaslive"}  # SnapStart applies to versions only


def statements(node: Any) -> list[dict[str, Any]]:
    """Every IAM statement anywhere in the template, including both branches of an Fn::If."""
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("Statement"), list):
            found.extend(s for s in node["Statement"] if isinstance(s, dict))
        for value in node.values():
            found.extend(statements(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(statements(value))
    return found


# ------------------------------------------------------------------ schedule and queues


def schedule_of(translated: dict[str, Any], function: str) -> dict[str, Any]:
    (schedule,) = [
        s["Properties"]
        for s in of_type(translated, "AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [function, "Arn"]}
    ]
    return schedule


def test_schedule_is_a_scheduler_schedule_at_the_rate_parameter(translated):
    assert len(of_type(translated, "AWS::Scheduler::Schedule")) == 2  # the tick, the compaction
    schedule = schedule_of(translated, "ScheduleFunction")
    assert schedule["ScheduleExpression"] == {"Ref": "ScheduleRate"}
    assert translated["Parameters"]["ScheduleRate"]["Default"] == "rate(15 minutes)"
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["ScheduleFunction", "Arn"]}
    assert schedule["Target"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ScheduleDLQ", "Arn"]}
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert "AWS::StackName" in json.dumps(schedule["Name"]), "schedule names are per account: prefix the stack"


def test_compaction_runs_on_its_own_schedule_with_retries_and_a_dlq(translated):
    schedule = schedule_of(translated, "CompactFunction")
    assert schedule["ScheduleExpression"] == {"Ref": "CompactSchedule"}
    assert translated["Parameters"]["CompactSchedule"]["Default"].startswith("cron(")
    assert schedule["Target"]["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["ScheduleDLQ", "Arn"]}
    assert schedule["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert "<aws.scheduler.scheduled-time>" in schedule["Target"]["Input"]


def test_the_compaction_function_may_read_records_and_write_only_the_tables(translated):
    (policy,) = [
        p
        for p in of_type(translated, "AWS::IAM::Role")["CompactFunctionRole"]["Properties"]["Policies"]
        if any(s.get("Sid") == "WriteTables" for s in p["PolicyDocument"]["Statement"])
    ]
    by_sid = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert by_sid["WriteTables"]["Resource"] == {"Fn::Sub": "${ArchiveBucket.Arn}/parquet/v1/*"}
    assert by_sid["ReadRecordsAndTables"]["Action"] == ["s3:GetObject"]
    assert set(by_sid) == {"ListRecordsAndTables", "ReadRecordsAndTables", "WriteTables"}


@pytest.mark.parametrize("function", sorted(SQS_CONSUMERS))
def test_sqs_event_sources_report_partial_failures_and_cap_concurrency(translated, function):
    mapping = event_source_mapping(translated, function)
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [SQS_CONSUMERS[function], "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    parameter = mapping["ScalingConfig"]["MaximumConcurrency"]["Ref"]
    assert translated["Parameters"][parameter]["MinValue"] >= 2  # Lambda's floor for MaximumConcurrency
    assert 1 <= static(translated, mapping["BatchSize"]) <= 10
    assert "MaximumBatchingWindowInSeconds" in mapping


@pytest.mark.parametrize("function", sorted(SQS_CONSUMERS))
def test_consumed_queues_redrive_to_a_dlq_and_outlast_six_function_timeouts(translated, function):
    queue = props(translated, SQS_CONSUMERS[function])
    redrive = queue["RedrivePolicy"]
    assert redrive["maxReceiveCount"] == 5
    dlq = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
    assert props(translated, dlq)["MessageRetentionPeriod"] == 14 * 24 * 3600
    timeout = static(translated, props(translated, function)["Timeout"])
    window = static(translated, event_source_mapping(translated, function)["MaximumBatchingWindowInSeconds"])
    assert static(translated, queue["VisibilityTimeout"]) >= 6 * timeout + window


def test_every_queue_is_encrypted(translated):
    for lid, queue in of_type(translated, "AWS::SQS::Queue").items():
        assert queue["Properties"].get("SqsManagedSseEnabled") is True, lid


# ------------------------------------------------------------------ storage


def test_bucket_is_encrypted_versioned_private_and_tls_only(translated):
    bucket = props(translated, "ArchiveBucket")
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (policy,) = of_type(translated, "AWS::S3::BucketPolicy").values()
    assert policy["Properties"]["Bucket"] == {"Ref": "ArchiveBucket"}
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::GetAtt": ["ArchiveBucket", "Arn"]} in deny["Resource"]


def test_bucket_lifecycle_ages_the_raw_archive(translated):
    rules = props(translated, "ArchiveBucket")["LifecycleConfiguration"]["Rules"]
    for prefix in (archive.RAW_PREFIX, warc.WARC_PREFIX):
        (raw,) = [r for r in rules if r.get("Prefix") == prefix]
        assert raw["Transitions"] == [{"StorageClass": "STANDARD_IA", "TransitionInDays": 30}]
        assert raw["ExpirationInDays"] == {"Ref": "RawRetentionDays"}
    assert translated["Parameters"]["RawRetentionDays"]["MinValue"] > 30
    assert any("NoncurrentVersionExpiration" in r for r in rules)
    assert any("AbortIncompleteMultipartUpload" in r for r in rules)


def test_the_table_is_on_demand_with_point_in_time_recovery_and_the_only_one(translated):
    tables = [lid for lid, r in translated["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"]
    assert tables == ["IndexTable"]  # no idempotency table: the commit is idempotent by protocol
    table = props(translated, "IndexTable")
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"] == {"SSEEnabled": True}


def test_index_table_serves_the_key_design(translated):
    table = props(translated, "IndexTable")
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    indexes = {i["IndexName"]: i["KeySchema"] for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {keys.BY_SOURCE_INDEX}  # a day's articles: the S3 day partition, no index
    assert [k["AttributeName"] for k in indexes[keys.BY_SOURCE_INDEX]] == ["gsi1pk", "gsi1sk"]
    assert {d["AttributeName"] for d in table["AttributeDefinitions"]} == {"pk", "sk", "gsi1pk", "gsi1sk"}
    assert not any("ByDay" in name for name in translated["Outputs"])
    assert table["TimeToLiveSpecification"] == {"AttributeName": keys.TTL_ATTRIBUTE, "Enabled": True}


def test_glue_table_projects_the_partitions_the_writer_uses(translated):
    table_input = props(translated, "ArticlesTable")["TableInput"]
    parameters = table_input["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert parameters["projection.dt.type"] == "date"
    assert parameters["projection.dt.format"] == "yyyy-MM-dd"
    assert parameters["projection.dt.range"].endswith(",NOW")
    assert [k["Name"] for k in table_input["PartitionKeys"]] == [archive.PARTITION_KEY]

    article = Article(
        article_id="a1", url="https://x.test/a", canonical_url="https://x.test/a", source_id="x",
        domain="x.test", fetched_at=datetime(2026, 3, 4, 5, 6, tzinfo=UTC), text="t", word_count=1,
        content_hash="h", simhash="0" * 16, pipeline_version="test",
    )  # fmt: skip
    location = parameters["storage.location.template"]["Fn::Sub"]
    partition = location.replace("${!dt}", article.day).replace("s3://${ArchiveBucket}/", "")
    assert archive.record_key(article).startswith(partition)
    assert table_input["StorageDescriptor"]["Location"] == {
        "Fn::Sub": f"s3://${{ArchiveBucket}}/{archive.RECORDS_PREFIX}"
    }


def test_glue_columns_are_the_article_fields(translated):
    columns = props(translated, "ArticlesTable")["TableInput"]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == list(Article.model_fields)


# ------------------------------------------------------------------ functions


def test_every_function_gets_every_setting_and_nothing_unknown(translated):
    settings = {name.upper() for name in Settings.model_fields}
    functions = of_type(translated, "AWS::Lambda::Function")
    assert set(functions) == {"ScheduleFunction", "DiscoverFunction", "ProcessFunction", "CompactFunction"}
    for lid, function in functions.items():
        variables = set(function["Properties"]["Environment"]["Variables"])
        assert settings - variables == set(), f"{lid} misses settings"
        assert variables - settings - POWERTOOLS_VARIABLES == set(), f"{lid} sets variables nothing reads"


def test_handlers_and_runtime(translated):
    handlers = {lid: res["Properties"]["Handler"] for lid, res in of_type(translated, "AWS::Lambda::Function").items()}
    assert handlers == {
        "ScheduleFunction": "newsingest.handlers.schedule.handler",
        "DiscoverFunction": "newsingest.handlers.discover.handler",
        "ProcessFunction": "newsingest.handlers.process.handler",
        "CompactFunction": "newsingest.handlers.compact.handler",
    }
    for function in of_type(translated, "AWS::Lambda::Function").values():
        assert function["Properties"]["Runtime"] == "python3.12"
        assert function["Properties"]["Architectures"] == ["x86_64"]


def test_only_the_process_function_carries_spacy(translated):
    layers = of_type(translated, "AWS::Lambda::LayerVersion")

    def layer_names(function: str) -> set[str]:
        refs = [ref["Ref"] for ref in props(translated, function)["Layers"]]
        return {layers[ref]["Properties"]["Content"]["S3Key"].removesuffix(".zip") for ref in refs}

    assert layer_names("ProcessFunction") == {"CoreLayer", "NlpLayer"}
    assert layer_names("DiscoverFunction") == {"CoreLayer"}
    assert layer_names("ScheduleFunction") == {"CoreLayer"}
    assert layer_names("CompactFunction") == {"CoreLayer", "AnalyticsLayer"}


def test_no_iam_statement_grants_every_action(translated):
    found = statements(translated["Resources"])
    assert len(found) > 10  # the walk does reach the roles' policies
    for statement in found:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        assert "*" not in actions, statement
        if statement["Effect"] == "Allow":
            assert not any(isinstance(a, str) and a.endswith(":*") for a in actions), statement


def test_comprehend_is_granted_only_when_it_is_the_tagger(translated):
    for lid, role in of_type(translated, "AWS::IAM::Role").items():
        text = json.dumps(role)
        if lid == "ProcessFunctionRole":
            (conditional,) = [p for p in role["Properties"]["Policies"] if "Fn::If" in p]
            assert conditional["Fn::If"][0] == "UseComprehend"
            assert "comprehend:DetectEntities" in json.dumps(conditional["Fn::If"][1])
            assert conditional["Fn::If"][2] == {"Ref": "AWS::NoValue"}
        else:
            assert "comprehend:" not in text, lid
    assert translated["Conditions"]["UseComprehend"] == {"Fn::Equals": [{"Ref": "Tagger"}, "comprehend"]}


# ------------------------------------------------------------------ alarms and outputs


def test_alarms_watch_dlqs_source_health_and_errors(translated):
    alarms = [a["Properties"] for a in of_type(translated, "AWS::CloudWatch::Alarm").values()]
    watched_queues = {a["Dimensions"][0]["Value"]["Fn::GetAtt"][0] for a in alarms if a["Namespace"] == "AWS/SQS"}
    dlqs = {q["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            for q in (r["Properties"] for r in of_type(translated, "AWS::SQS::Queue").values())
            if "RedrivePolicy" in q}  # fmt: skip
    assert dlqs <= watched_queues
    globals_env = props(translated, "ProcessFunction")["Environment"]["Variables"]
    (health,) = [a for a in alarms if a["MetricName"] == "UnhealthySources"]
    assert health["Namespace"] == globals_env["POWERTOOLS_METRICS_NAMESPACE"]
    assert health["Dimensions"] == [{"Name": "service", "Value": globals_env["POWERTOOLS_SERVICE_NAME"]}]
    assert health["ComparisonOperator"] == "GreaterThanThreshold" and health["Threshold"] == 0
    assert any(
        a["Namespace"] == "AWS/Lambda" and a["Dimensions"][0]["Value"] == {"Ref": "ProcessFunction"} for a in alarms
    )


def test_every_resource_the_functions_are_told_about_is_an_output(template):
    outputs = [o["Value"] for o in template["Outputs"].values()]
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    for name, value in variables.items():
        if isinstance(value, dict) and value.get("Ref") in template["Resources"]:
            assert value in outputs, f"{name}: no output gives {value['Ref']}"


# ------------------------------------------------------------------ lint


@pytest.fixture(scope="module")
def cfn_lint(template_path, translated, tmp_path_factory) -> dict[str, list[str]]:
    """cfn-lint's errors per file, the template and its translation linted in one run (loading
    cfn-lint's rules and schemas is most of a run). Exit code: 2 is set by an error, 1 by a crash."""
    translation = tmp_path_factory.mktemp("cfn-lint") / "translated.json"
    translation.write_text(json.dumps(translated))
    exe = Path(sys.executable).parent / "cfn-lint"
    files = {"template": str(template_path), "translation": str(translation)}
    result = subprocess.run([str(exe), "--format", "parseable", "--", *files.values()], capture_output=True, text=True)
    assert result.returncode & 1 == 0, result.stdout + result.stderr
    found = [line.split(":", 6) for line in result.stdout.splitlines()]  # path:line:col:line:col:rule:message
    errors = {name: [f for f in found if f[0] == path and f[5].startswith("E")] for name, path in files.items()}
    assert bool(result.returncode & 2) == any(errors.values()), result.stdout + result.stderr  # each error placed
    return errors


def test_cfn_lint_finds_no_error_in_the_template(cfn_lint):
    assert cfn_lint["template"] == []


def test_cfn_lint_finds_no_error_in_the_translation(cfn_lint):
    assert cfn_lint["translation"] == []


def test_the_placeholder_allow_list_is_a_stack_parameter(translated):
    """Operators fill `${NAME}` in sources.yaml by listing NAME here, per stack, without editing the template."""
    assert translated["Parameters"]["SourcePlaceholders"]["Default"] == ""
    for function in of_type(translated, "AWS::Lambda::Function").values():
        assert function["Properties"]["Environment"]["Variables"]["SOURCE_PLACEHOLDERS"] == {
            "Ref": "SourcePlaceholders"
        }
