"""Create the stack's stateful resources on any AWS endpoint from template.yaml's own definitions.

The local runtime (embedded moto, or a real account) builds its tables, queues, bucket and
event bus by reading the template, never a second hand-written copy, so local and deployed
shapes cannot drift: key schemas, indexes, TTL, redrive policies, visibility timeouts and
batch sizes all come from the template. Parameters take their defaults; `AWS::StackName`
is the prefix. Account-level settings that do not change behaviour (encryption, PITR,
lifecycle, alarms, IAM) are left to CloudFormation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml
from botocore.exceptions import ClientError

TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
BUCKET = "AWS::S3::Bucket"
EVENT_BUS = "AWS::Events::EventBus"
FUNCTION = "AWS::Serverless::Function"


@dataclass(frozen=True)
class QueueInfo:
    logical_id: str
    url: str
    arn: str
    dlq_url: str | None  # None for a queue without a redrive policy (a DLQ itself)
    max_receive_count: int | None
    visibility_timeout: int
    batch_size: int | None  # from the consuming function's SQS event; None if nothing consumes it
    function_logical_id: str | None


@dataclass
class LocalResources:
    table_name: str
    bucket_name: str
    event_bus_name: str
    queues: dict[str, QueueInfo]
    # The template's Globals environment resolved against these resources (TABLE_NAME, ...).
    environment: dict[str, str] = field(default_factory=dict)


# ------------------------------------------------------------------------- loading


class _CloudFormationLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short-form tags (!Ref, !Sub, ...) as their long forms."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "Condition":
        return {"Condition": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: str | Path) -> dict[str, Any]:
    """Parse a CloudFormation/SAM YAML template into plain dicts (short tags in long form)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_CloudFormationLoader)


# ------------------------------------------------------------------------- resolving


class _Resolver:
    """Just enough of CloudFormation's intrinsics for the definitions we create locally."""

    def __init__(self, template: Mapping[str, Any], pseudo: Mapping[str, str]):
        self.template = template
        self.params = {
            name: spec["Default"] for name, spec in template.get("Parameters", {}).items() if "Default" in spec
        }
        self.pseudo = dict(pseudo)
        self.refs: dict[str, str] = {}  # logical id -> what Ref returns
        self.attrs: dict[tuple[str, str], str] = {}  # (logical id, attribute) -> value

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            handler = self._intrinsics.get(key)
            if handler is not None:
                return handler(self, arg)
        return {k: self(v) for k, v in value.items()}

    def ref(self, name: str) -> Any:
        for table in (self.params, self.pseudo, self.refs):
            if name in table:
                return table[name]
        raise ValueError(f"template: cannot resolve Ref {name!r} locally (not created yet or unsupported)")

    def get_att(self, arg: list[str]) -> str:
        key = (arg[0], arg[1])
        if key not in self.attrs:
            raise ValueError(f"template: cannot resolve GetAtt {'.'.join(arg)} locally")
        return self.attrs[key]

    def sub(self, arg: str | list[Any]) -> str:
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], self(arg[1]))

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return str(variables[name])
            if "." in name and name.split(".", 1)[0] not in self.params:
                return str(self.get_att(name.split(".", 1)))
            return str(self.ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def find_in_map(self, arg: list[Any]) -> Any:
        name, top, second = (self(a) for a in arg)
        return self.template["Mappings"][name][top][second]

    def join(self, arg: list[Any]) -> str:
        separator, items = arg
        return separator.join(str(i) for i in self(items))

    _intrinsics: ClassVar[dict[str, Callable[[_Resolver, Any], Any]]] = {
        "Ref": ref,
        "Fn::GetAtt": get_att,
        "Fn::Sub": sub,
        "Fn::FindInMap": find_in_map,
        "Fn::Join": join,
    }


# ------------------------------------------------------------------------- creating


def create_resources(
    template: dict[str, Any], *, clients: Mapping[str, Any], prefix: str = "newsingest-local"
) -> LocalResources:
    """Create (or reuse) every table, queue, bucket and event bus the template defines.

    `clients` holds botocore clients named dynamodb, s3, sqs and events, all on one endpoint.
    Physical names are `{prefix}-{LogicalId}` unless the template names the resource itself.
    """
    region = clients["sqs"].meta.region_name
    resolve = _Resolver(template, {"AWS::StackName": prefix, "AWS::Region": region, "AWS::Partition": "aws"})
    resources = template["Resources"]

    def of_type(kind: str) -> list[str]:
        return [lid for lid, res in resources.items() if res["Type"] == kind]

    for lid in of_type(BUCKET):
        _ensure_bucket(clients["s3"], resolve, lid, resources[lid].get("Properties", {}), prefix, region)
    for lid in of_type(TABLE):
        _ensure_table(clients["dynamodb"], resolve, lid, resources[lid]["Properties"], prefix)
    for lid in of_type(EVENT_BUS):
        _ensure_event_bus(clients["events"], resolve, lid, resources[lid]["Properties"])
    # Dead-letter queues first: a main queue's redrive policy needs its DLQ's ARN.
    queue_ids = sorted(of_type(QUEUE), key=lambda lid: "RedrivePolicy" in resources[lid].get("Properties", {}))
    for lid in queue_ids:
        _ensure_queue(clients["sqs"], resolve, lid, resources[lid].get("Properties", {}), prefix)

    queues = _queue_infos(resources, resolve, queue_ids)
    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    environment = {name: str(resolve(value)) for name, value in variables.items()}
    return LocalResources(
        table_name=resolve.ref("IndexTable"),
        bucket_name=resolve.ref("ArchiveBucket"),
        event_bus_name=resolve.ref("EventBus"),
        queues=queues,
        environment=environment,
    )


def _ensure_bucket(s3, resolve: _Resolver, lid: str, props: dict, prefix: str, region: str) -> None:
    name = resolve(props.get("BucketName")) or f"{prefix}-{lid}".lower()
    try:
        s3.head_bucket(Bucket=name)
    except ClientError:
        kwargs: dict[str, Any] = {"Bucket": name}
        if region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**kwargs)
    status = resolve(props.get("VersioningConfiguration", {})).get("Status")
    if status:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    resolve.refs[lid] = name
    resolve.attrs[(lid, "Arn")] = f"arn:aws:s3:::{name}"


def _ensure_table(dynamodb, resolve: _Resolver, lid: str, props: dict, prefix: str) -> None:
    props = resolve(props)
    name = props.get("TableName") or f"{prefix}-{lid}"
    try:
        description = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        kwargs: dict[str, Any] = {
            "TableName": name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        description = dynamodb.create_table(**kwargs)["TableDescription"]
        dynamodb.get_waiter("table_exists").wait(TableName=name)
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True}
            )
    resolve.refs[lid] = name
    resolve.attrs[(lid, "Arn")] = description["TableArn"]


def _ensure_event_bus(events, resolve: _Resolver, lid: str, props: dict) -> None:
    name = resolve(props["Name"])
    try:
        arn = events.describe_event_bus(Name=name)["Arn"]
    except events.exceptions.ResourceNotFoundException:
        arn = events.create_event_bus(Name=name)["EventBusArn"]
    resolve.refs[lid] = name
    resolve.attrs[(lid, "Arn")] = arn
    resolve.attrs[(lid, "Name")] = name


def _queue_attributes(props: dict) -> dict[str, str]:
    attributes = {
        key: str(props[key])
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds")
        if key in props
    }
    if "RedrivePolicy" in props:
        policy = props["RedrivePolicy"]
        attributes["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": policy["deadLetterTargetArn"], "maxReceiveCount": int(policy["maxReceiveCount"])}
        )
    return attributes


def _ensure_queue(sqs, resolve: _Resolver, lid: str, props: dict, prefix: str) -> None:
    props = resolve(props)
    name = props.get("QueueName") or f"{prefix}-{lid}"
    attributes = _queue_attributes(props)
    try:
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        if attributes:
            sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
    except sqs.exceptions.QueueDoesNotExist:
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    resolve.refs[lid] = url
    resolve.attrs[(lid, "Arn")] = arn
    resolve.attrs[(lid, "QueueName")] = name
    resolve.attrs[(lid, "QueueUrl")] = url


def _queue_infos(resources: dict, resolve: _Resolver, queue_ids: list[str]) -> dict[str, QueueInfo]:
    consumers: dict[str, tuple[str, dict]] = {}  # queue logical id -> (function logical id, event properties)
    for fid, res in resources.items():
        if res["Type"] != FUNCTION:
            continue
        for event in res.get("Properties", {}).get("Events", {}).values():
            if event["Type"] == "SQS":
                queue_lid = event["Properties"]["Queue"]["Fn::GetAtt"][0]
                consumers[queue_lid] = (fid, event["Properties"])
    arn_to_url = {resolve.attrs[(lid, "Arn")]: resolve.refs[lid] for lid in queue_ids}
    infos: dict[str, QueueInfo] = {}
    for lid in queue_ids:
        props = resolve(resources[lid].get("Properties", {}))
        redrive = props.get("RedrivePolicy")
        fid, event = consumers.get(lid, (None, {}))
        infos[lid] = QueueInfo(
            logical_id=lid,
            url=resolve.refs[lid],
            arn=resolve.attrs[(lid, "Arn")],
            dlq_url=arn_to_url[redrive["deadLetterTargetArn"]] if redrive else None,
            max_receive_count=int(redrive["maxReceiveCount"]) if redrive else None,
            visibility_timeout=int(props.get("VisibilityTimeout", 30)),  # SQS's default
            batch_size=int(resolve(event.get("BatchSize", 10))) if fid else None,  # 10: Lambda's default
            function_logical_id=fid,
        )
    return infos
