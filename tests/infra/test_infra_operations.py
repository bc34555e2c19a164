"""What operators rely on, checked on the offline SAM translation: alarms that reach someone,
a dashboard of what matters, logs that expire, and stacks that live side by side.

Conditions and names are evaluated here for concrete parameter values and stack names, so a
test fails when, say, an alarm would notify a topic that the chosen parameters never create.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ROOT / "functions" / "newsingest" / "handlers"


def of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {lid: res for lid, res in template["Resources"].items() if res["Type"] == kind}


# ------------------------------------------------------------------ a small CloudFormation evaluator


class Stack:
    """The template as CloudFormation would evaluate it for one stack name and parameter values.

    A resource without a name property gets a generated one that, as in CloudFormation,
    contains the stack name and the logical id.
    """

    def __init__(self, template: dict[str, Any], name: str, **parameters: str):
        self.template = template
        self.name = name
        self.params = {p: str(s.get("Default", "")) for p, s in template["Parameters"].items()} | parameters
        self.conditions = {c: self.condition(c) for c in template.get("Conditions", {})}

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template["Conditions"][name]))

    def exists(self, lid: str) -> bool:
        condition = self.template["Resources"][lid].get("Condition")
        return condition is None or self.conditions[condition]

    def ref(self, name: str) -> str:
        if name in self.params:
            return self.params[name]
        if name == "AWS::StackName":
            return self.name
        if name.startswith("AWS::"):
            return {"AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}.get(name, name)
        assert self.exists(name), f"Ref {name}: the resource does not exist with these parameters"
        named = physical_name(self.template["Resources"][name])
        return str(self.value(named)) if named is not None else f"{self.name}-{name}-GENERATED"

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.value(v) for v in node if v != {"Ref": "AWS::NoValue"}]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Condition":
                return self.conditions[arg]
            if key == "Fn::GetAtt":
                lid, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return f"{self.ref(lid)}.{attribute}"
            if key == "Fn::Sub":
                return re.sub(r"\$\{([^}!]+)\}", lambda m: self._sub(m.group(1)), arg)
            if key == "Fn::Join":
                return arg[0].join(str(v) for v in self.value(arg[1]))
            if key == "Fn::Split":
                return str(self.value(arg[1])).split(arg[0])
            if key == "Fn::Equals":
                left, right = self.value(arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::If":
                return self.value(arg[1] if self.conditions[arg[0]] else arg[2])
        return {k: self.value(v) for k, v in node.items()}

    def _sub(self, name: str) -> str:
        if "." in name and not name.startswith("AWS::"):
            return self.value({"Fn::GetAtt": name.split(".", 1)})
        return self.ref(name)


NAME_PROPERTIES = (
    "Name", "FunctionName", "TableName", "QueueName", "BucketName", "LayerName", "LogGroupName",
    "DashboardName", "TopicName", "AlarmName", "RoleName",
)  # fmt: skip


def physical_name(resource: dict[str, Any]) -> Any:
    props = resource.get("Properties", {})
    for nested in ("DatabaseInput", "TableInput"):
        if nested in props:
            return props[nested].get("Name")
    if resource["Type"] == "AWS::Lambda::Alias":
        return None  # named within its function
    return next((props[key] for key in NAME_PROPERTIES if key in props), None)


def names_in_account(stack: Stack) -> set[tuple[str, str]]:
    """(type, name) of every resource with a name set in the template; scoped names carry their scope."""
    names = set()
    for lid, resource in stack.template["Resources"].items():
        name = physical_name(resource)
        if name is None or not stack.exists(lid):
            continue
        props = resource["Properties"]
        scope = props.get("DatabaseName") if resource["Type"] == "AWS::Glue::Table" else None
        names.add((resource["Type"], f"{stack.value(scope) if scope else ''}/{stack.value(name)}"))
    return names


# ------------------------------------------------------------------ environments


def test_two_stacks_share_no_name_in_one_account(translated):
    dev = names_in_account(Stack(translated, "newsingest-dev", Stage="dev"))
    prod = names_in_account(Stack(translated, "newsingest-prod", Stage="prod"))
    kinds = {kind for kind, _ in dev}
    assert {
        "AWS::Glue::Database",
        "AWS::Events::EventBus",
        "AWS::Logs::LogGroup",
        "AWS::CloudWatch::Dashboard",
    } <= kinds
    assert dev & prod == set()


def test_the_glue_database_is_a_valid_glue_name_derived_from_the_stack(translated):
    stack = Stack(translated, "newsingest-prod", Stage="prod")
    (database,) = of_type(translated, "AWS::Glue::Database").values()
    name = stack.value(database["Properties"]["DatabaseInput"]["Name"])
    assert name == "newsingest_prod"
    assert re.fullmatch(r"[a-z0-9_]+", name)


def _tagging_types() -> dict[str, bool]:
    cache: dict[str, bool] = {}

    def supports(kind: str) -> bool:
        if kind not in cache:
            schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region="us-east-1", resource_type=kind)
            cache[kind] = "Tags" in schema.schema.get("properties", {})
        return cache[kind]

    return supports


def _tags(tags: Any) -> dict[str, Any]:
    if isinstance(tags, list):
        return {t["Key"]: t["Value"] for t in tags}
    return dict(tags or {})


# SAM's SQS event has no Tags property and PropagateTags does not reach the mapping it generates:
# the stack tags samconfig.toml sets (CloudFormation applies them to every resource) tag it.
TAGGED_BY_THE_STACK = {"AWS::Lambda::EventSourceMapping"}


def test_everything_taggable_carries_the_stage(translated):
    supports_tags = _tagging_types()
    checked = []
    for lid, resource in translated["Resources"].items():
        if not supports_tags(resource["Type"]) or resource["Type"] in TAGGED_BY_THE_STACK:
            continue
        tags = _tags(resource.get("Properties", {}).get("Tags"))
        assert tags.get("stage") == {"Ref": "Stage"}, f"{lid} ({resource['Type']}) is not tagged with the stage"
        assert tags.get("project") == "newsingest", lid
        checked.append(resource["Type"])
    assert {"AWS::SQS::Queue", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::CloudWatch::Alarm"} <= set(checked)


def test_stage_is_a_parameter_a_tag_can_carry(translated):
    stage = translated["Parameters"]["Stage"]
    assert stage["Default"] == "dev"
    assert re.fullmatch(stage["AllowedPattern"], "prod") and not re.fullmatch(stage["AllowedPattern"], "Prod-1")


@pytest.fixture(scope="module")
def samconfig() -> dict[str, Any]:
    return tomllib.loads((ROOT / "samconfig.toml").read_text())


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_samconfig_deploys_each_environment_as_its_own_stack(samconfig, template, env):
    deploy = samconfig[env]["deploy"]["parameters"]
    assert samconfig[env]["global"]["parameters"]["stack_name"] == f"newsingest-{env}"
    assert deploy["capabilities"] == "CAPABILITY_IAM" and deploy["resolve_s3"] is True
    overrides = dict(item.split("=", 1) for item in deploy["parameter_overrides"])
    assert set(overrides) <= set(template["Parameters"]), "samconfig sets a parameter the template lacks"
    assert overrides["Stage"] == env
    assert overrides["ScheduleRate"].startswith('"')  # quoted: SAM splits values on spaces
    assert f"stage={env}" in deploy["tags"].split()
    for name, value in overrides.items():
        allowed = template["Parameters"][name].get("AllowedValues")
        if allowed:
            assert value in {str(v) for v in allowed}, f"{env}: {name}={value} is not allowed"


def test_a_bare_sam_deploy_is_dev_never_prod(samconfig):
    assert samconfig["default"] == samconfig["dev"]


# ------------------------------------------------------------------ alarms reach someone


def alarm_targets(stack: Stack) -> dict[str, tuple[list[str], list[str]]]:
    return {
        lid: (
            stack.value(res["Properties"].get("AlarmActions", [])),
            stack.value(res["Properties"].get("OKActions", [])),
        )
        for lid, res in of_type(stack.template, "AWS::CloudWatch::Alarm").items()
    }


def test_every_alarm_notifies_the_stacks_topic_on_alarm_and_on_ok(translated):
    stack = Stack(translated, "newsingest-prod")
    assert stack.exists("AlarmTopic")
    topic = stack.ref("AlarmTopic")
    targets = alarm_targets(stack)
    assert len(targets) >= 9
    for lid, (on_alarm, on_ok) in targets.items():
        assert on_alarm == [topic] and on_ok == [topic], lid


def test_an_existing_topic_replaces_the_stacks_own(translated):
    existing = "arn:aws:sns:us-east-1:123456789012:pager"
    stack = Stack(translated, "newsingest-prod", ExistingAlarmTopicArn=existing)
    assert not stack.exists("AlarmTopic")
    for lid, (on_alarm, on_ok) in alarm_targets(stack).items():  # Ref AlarmTopic would raise here
        assert on_alarm == [existing] and on_ok == [existing], lid
    output = stack.value(translated["Outputs"]["AlarmTopicArn"]["Value"])
    assert output == existing
    assert re.fullmatch(translated["Parameters"]["ExistingAlarmTopicArn"]["AllowedPattern"], existing)


@pytest.mark.parametrize("existing", ["", "arn:aws:sns:us-east-1:123456789012:pager"])
def test_the_email_parameter_subscribes_to_the_topic_in_use(translated, existing):
    (lid,) = of_type(translated, "AWS::SNS::Subscription")
    without = Stack(translated, "s", ExistingAlarmTopicArn=existing)
    assert not without.exists(lid)
    stack = Stack(translated, "s", ExistingAlarmTopicArn=existing, AlarmEmail="oncall@example.com")
    assert stack.exists(lid)
    subscription = stack.value(translated["Resources"][lid]["Properties"])
    assert subscription["Protocol"] == "email" and subscription["Endpoint"] == "oncall@example.com"
    assert subscription["TopicArn"] == stack.value(translated["Outputs"]["AlarmTopicArn"]["Value"])


def test_cloudwatch_may_publish_to_the_stacks_topic(translated):
    stack = Stack(translated, "s")
    (policy,) = of_type(translated, "AWS::SNS::TopicPolicy").values()
    policy = stack.value(policy["Properties"])
    assert policy["Topics"] == [stack.ref("AlarmTopic")]
    (allow,) = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and allow["Action"] == "sns:Publish"


def test_every_alarm_is_in_the_runbook(translated):
    readme = (ROOT / "README.md").read_text()
    runbook = readme[readme.index("### Runbook") :]
    for lid in of_type(translated, "AWS::CloudWatch::Alarm"):
        assert f"| `{lid}` |" in runbook, f"{lid} has no runbook entry"


# ------------------------------------------------------------------ dashboard


@pytest.fixture(scope="module")
def dashboard(translated) -> dict[str, Any]:
    (resource,) = of_type(translated, "AWS::CloudWatch::Dashboard").values()
    stack = Stack(translated, "newsingest-prod")
    return json.loads(stack.value(resource["Properties"]["DashboardBody"]))


def widget_metrics(dashboard: dict[str, Any]) -> list[list[Any]]:
    return [m for w in dashboard["widgets"] for m in w["properties"].get("metrics", [])]


def emitted_metric_names() -> set[str]:
    """Metric names the handlers emit: the Metric enum they emit with."""
    from newsingest.models.metrics import Metric

    return {str(m) for m in Metric}


def test_dashboard_shows_per_source_outcomes_of_this_stack(translated, dashboard):
    searches = [m[0]["expression"] for m in widget_metrics(dashboard) if isinstance(m[0], dict)]
    per_source = {}
    for expression in searches:
        match = re.fullmatch(
            r"SEARCH\('\{newsingest,service,source\} MetricName=\"(\w+)\" service=\"([^\"]+)\"', 'Sum', 300\)",
            expression,
        )
        assert match, expression
        per_source[match.group(1)] = match.group(2)
    assert {"ArticlesStored", "ArticlesSkipped", "ArticlesFailed"} <= set(per_source)
    assert set(per_source) <= emitted_metric_names(), "the dashboard searches for a metric nobody emits"
    service = Stack(translated, "newsingest-prod").value(
        translated["Resources"]["ProcessFunction"]["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
    )
    assert set(per_source.values()) == {service}


def test_dashboard_shows_every_queue_every_function_and_source_health(translated, dashboard):
    stack = Stack(translated, "newsingest-prod")
    plain = [m for m in widget_metrics(dashboard) if isinstance(m[0], str)]
    series = {(m[0], m[1], m[3]) for m in plain}
    queues = {stack.value({"Fn::GetAtt": [lid, "QueueName"]}) for lid in of_type(translated, "AWS::SQS::Queue")}
    dlq_ids = {
        q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for q in of_type(translated, "AWS::SQS::Queue").values()
        if "RedrivePolicy" in q["Properties"]
    } | {"ScheduleDLQ"}  # the scheduler's dead letters
    dlqs = {stack.value({"Fn::GetAtt": [lid, "QueueName"]}) for lid in dlq_ids}
    functions = {stack.ref(lid) for lid in of_type(translated, "AWS::Lambda::Function")}
    assert {q for _, metric, q in series if metric == "ApproximateAgeOfOldestMessage"} == queues
    assert {q for _, metric, q in series if metric == "ApproximateNumberOfMessagesVisible"} == dlqs
    assert {f for _, metric, f in series if metric == "Throttles"} == functions
    (duration,) = [w for w in dashboard["widgets"] if "Duration" in json.dumps(w.get("properties", {}).get("metrics"))]
    assert duration["properties"]["stat"] == "p95"
    assert stack.ref("ProcessFunction") in {f for _, metric, f in series if metric == "Duration"}
    assert ("newsingest", "UnhealthySources", "newsingest-prod") in series
    (alarms,) = [w for w in dashboard["widgets"] if w["type"] == "alarm"]
    assert set(alarms["properties"]["alarms"]) == {
        f"{stack.ref(a)}.Arn" for a in of_type(translated, "AWS::CloudWatch::Alarm")
    }


# ------------------------------------------------------------------ logs


def test_every_function_logs_to_a_group_the_stack_owns_with_the_retention_parameter(translated):
    functions = of_type(translated, "AWS::Lambda::Function")
    groups = of_type(translated, "AWS::Logs::LogGroup")
    used = set()
    for lid, function in functions.items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert groups[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}, lid
        used.add(group)
    assert used == set(groups) and len(used) == len(functions)
    retention = translated["Parameters"]["LogRetentionDays"]
    assert retention["Default"] == 30 and 30 in retention["AllowedValues"]


def test_the_log_level_parameter_is_the_powertools_level(translated):
    for lid, function in of_type(translated, "AWS::Lambda::Function").items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["POWERTOOLS_LOG_LEVEL"] == {"Ref": "LogLevel"}, lid
        assert "LOG_LEVEL" not in variables  # one way to set it
