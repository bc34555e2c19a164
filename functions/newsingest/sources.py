"""Loading sources.yaml: every problem reported with its place, and a bad source never stops the rest.

Placeholders `${NAME}` in string values are filled from the environment (a staging
homepage, a private feed token); they are expanded after YAML parsing, in values only, so
a value can never inject YAML structure. Only names on the explicit allow-list
SOURCE_PLACEHOLDERS are filled: the function's environment also holds its AWS credentials,
and a source URL is sent to a stranger's host. AWS_* and the runtime's own variables are
refused even when listed.

The file is hostile input too: anchors and aliases are counted as they would expand before
anything walks the data, so a few hundred bytes of nested aliases are refused, not expanded.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from newsingest.models import Source

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
PLACEHOLDER_ALLOW_LIST = "SOURCE_PLACEHOLDERS"  # comma-separated NAMEs or PREFIX_* patterns
_NEVER_PLACEHOLDERS = ("AWS_", "_", "LAMBDA_")  # credentials and the Lambda runtime's own variables
MAX_YAML_NODES = 50_000  # nodes after alias expansion: thousands of sources, not a billion laughs


@dataclass
class SourceProblem:
    location: str  # e.g. "sources.yaml:12 sources[3] (id=foo) feeds[0]"
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


def load_sources_file(
    path: str | Path, env: Mapping[str, str] | None = None
) -> tuple[list[Source], list[SourceProblem]]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return [], [SourceProblem(str(path), f"cannot read the file: {err}")]
    return load_sources(text, origin=str(path), env=env)


def load_sources(
    text: str,
    *,
    origin: str = "sources.yaml",
    env: Mapping[str, str] | None = None,
    allowed: Collection[str] | None = None,
) -> tuple[list[Source], list[SourceProblem]]:
    """(the valid sources, enabled or not; every problem found, each with its location).

    `allowed` lists the placeholder names (or PREFIX_*) that may be filled from `env`; by
    default the comma-separated SOURCE_PLACEHOLDERS of `env`.
    """
    env = os.environ if env is None else env
    if allowed is None:
        allowed = [name.strip() for name in env.get(PLACEHOLDER_ALLOW_LIST, "").split(",") if name.strip()]
    try:
        root, data = _parse_yaml(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        return [], [SourceProblem(where, f"not valid YAML: {getattr(err, 'problem', None) or err}")]
    except _Refused as err:
        return [], [SourceProblem(origin, str(err))]
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return [], [SourceProblem(origin, "expected a mapping with a 'sources:' list at the top")]
    problems = [
        SourceProblem(f"{origin}:{_line(root, (key,))}", f"unknown top-level key {key!r} (only 'sources')")
        for key in data
        if key != "sources"
    ]
    sources: list[Source] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(data["sources"]):
        path = ("sources", index)
        label = _label(raw, index)
        where = f"{origin}:{_line(root, path)} {label}"
        if not isinstance(raw, dict):
            problems.append(SourceProblem(where, "a source must be a mapping of fields"))
            continue
        refused = sorted(_refused_placeholders(raw, allowed))
        if refused:
            names = ", ".join(refused)
            problems.append(
                SourceProblem(where, f"placeholder(s) {names} not allowed: only {PLACEHOLDER_ALLOW_LIST} "
                              "names are filled, never AWS_* or the runtime's variables")
            )  # fmt: skip
            continue
        missing = sorted(_missing_placeholders(raw, env))
        if missing:
            unknown = ", ".join(missing)
            problems.append(SourceProblem(where, f"unknown placeholder(s) {unknown}: not in the environment"))
            continue
        try:
            source = Source.model_validate(_expand(raw, env))
        except ValidationError as err:
            problems.extend(_describe(err, root, path, origin, label))
            continue
        if source.id in seen:
            problems.append(SourceProblem(where, f"duplicate id {source.id!r}: first defined at {seen[source.id]}"))
            continue
        seen[source.id] = where
        sources.append(source)
    return sources, problems


class _Refused(Exception):
    """YAML we will not construct, with the reason."""


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """(node tree for line numbers, data), refusing alias bombs and pathological nesting before
    anything is built from the nodes."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        size = _expanded_size(root, {})
        if size > MAX_YAML_NODES:
            raise _Refused(
                f"refused: anchors and aliases expand to more than {MAX_YAML_NODES} YAML nodes (an alias bomb?)"
            )
        return root, loader.construct_document(root)
    except RecursionError as err:
        raise _Refused("refused: the YAML is nested too deeply") from err
    finally:
        loader.dispose()


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """Nodes the document would have with every alias copied out; each node counted once (memoised)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = MAX_YAML_NODES + 1  # a node reached again while being counted: a cycle
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    else:
        children = []
    total = 1
    for child in children:
        total += _expanded_size(child, sizes)
        if total > MAX_YAML_NODES:
            break
    sizes[id(node)] = total
    return total


def _label(raw: Any, index: int) -> str:
    ident = raw.get("id") if isinstance(raw, dict) else None
    return f"sources[{index}]" + (f" (id={ident})" if ident else "")


def _describe(err: ValidationError, root, path: tuple, origin: str, label: str) -> list[SourceProblem]:
    problems = []
    for error in err.errors(include_url=False):
        field_path = tuple(part for part in error["loc"] if not isinstance(part, str) or "[" not in part)
        where = f"{origin}:{_line(root, path + field_path)} {label}"
        if field_path:
            where += " " + _dotted(field_path)
        message = _plain(error)
        problems.append(SourceProblem(where, message))
    return problems


def _plain(error: dict) -> str:
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling)"
    value = error.get("input")
    shown = f" (got {value!r})" if isinstance(value, str | int | float | bool) else ""
    return f"{error['msg']}{shown}"


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(node, path: tuple) -> int:
    """1-based line of the deepest node found along path (the field, else its source)."""
    for part in path:
        child = None
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def placeholder_allowed(name: str, allowed: Collection[str]) -> bool:
    if name.upper().startswith(_NEVER_PLACEHOLDERS):
        return False
    return any(name == entry or (entry.endswith("*") and name.startswith(entry[:-1])) for entry in allowed)


def _refused_placeholders(raw: dict, allowed: Collection[str]) -> set[str]:
    names = {name for text in _strings(raw) for name in _PLACEHOLDER.findall(text)}
    return {name for name in names if not placeholder_allowed(name, allowed)}


def _missing_placeholders(raw: dict, env: Mapping[str, str]) -> set[str]:
    return {name for text in _strings(raw) for name in _PLACEHOLDER.findall(text) if name not in env}


def _expand(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: env[m.group(1)], value)
    if isinstance(value, dict):
        return {key: _expand(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand(item, env) for item in value]
    return value
