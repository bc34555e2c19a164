"""Just enough IAM evaluation to hold the template's grants against calls: Allow statements,
`*`/`?` wildcards in actions and resources, CloudFormation intrinsics resolved from given names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]

    def allows(self, action: str, resource: str) -> bool:
        return any(fnmatchcase(action.lower(), a.lower()) for a in self.actions) and any(
            fnmatchcase(resource, r) for r in self.resources
        )


def function_statements(
    translated: dict, function: str, refs: Mapping[str, str], attrs: Mapping[tuple[str, str], str]
) -> list[Statement]:
    """The inline Allow statements of `function`'s role (conditions false: Comprehend is optional)."""
    role = translated["Resources"][f"{function}Role"]["Properties"]
    statements = []
    for policy in role.get("Policies", []):
        policy = _resolve(policy, refs, attrs)
        if policy is None:
            continue
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            actions, resources = tuple(_list(statement["Action"])), tuple(_list(statement["Resource"]))
            statements.append(Statement(statement.get("Sid", ""), actions, resources))
    return statements


def allowed(statements: list[Statement], action: str, resource: str) -> bool:
    return any(s.allows(action, resource) for s in statements)


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def _resolve(value: Any, refs: Mapping[str, str], attrs: Mapping[tuple[str, str], str]) -> Any:
    if isinstance(value, list):
        resolved = [_resolve(v, refs, attrs) for v in value]
        return [v for v in resolved if v is not None]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        name = value["Ref"]
        return None if name == "AWS::NoValue" else PSEUDO.get(name) or refs[name]
    if set(value) == {"Fn::GetAtt"}:
        logical, attribute = value["Fn::GetAtt"]
        return attrs[(logical, attribute)]
    if set(value) == {"Fn::Sub"}:
        text, names = (value["Fn::Sub"], {}) if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"]

        def one(match: re.Match) -> str:
            name = match.group(1)
            if name in names:
                return _resolve(names[name], refs, attrs)
            if name in PSEUDO:
                return PSEUDO[name]
            if "." in name:
                return attrs[tuple(name.split(".", 1))]
            return refs[name]

        return _SUB.sub(one, text)
    if set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return separator.join(_resolve(parts, refs, attrs))
    if set(value) == {"Fn::If"}:
        _condition, _when_true, when_false = value["Fn::If"]
        return _resolve(when_false, refs, attrs)
    return {key: _resolve(item, refs, attrs) for key, item in value.items()}
