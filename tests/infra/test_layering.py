"""The layers of the code, as imports: the pure core reaches no AWS, only entry points reach handlers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "newsingest"
PURE = ["discovery", "extraction", "entities/knowledge.py", "entities/resolve.py", "pipeline/process.py", "models"]
# Who may import a handler module: the handlers themselves, and the local runtime standing in for Lambda.
HANDLER_IMPORTERS = ("handlers/", "local/runner.py")
OUTSIDE_THE_CORE = ("newsingest.storage", "newsingest.app", "boto3", "botocore")


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def modules(part: str) -> list[Path]:
    target = PACKAGE / part
    return sorted(target.rglob("*.py")) if target.is_dir() else [target]


@pytest.mark.parametrize("part", PURE)
def test_the_pure_core_imports_no_storage_and_no_aws(part):
    for path in modules(part):
        bad = {
            m for m in imports_of(path) if m.startswith(("newsingest.storage", "boto3", "botocore", "newsingest.app"))
        }
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_nothing_but_the_entry_points_imports_the_handlers():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith(HANDLER_IMPORTERS):
            continue
        handlers = {m for m in imports_of(path) if m.startswith("newsingest.handlers")}
        assert not handlers, f"{relative} imports {sorted(handlers)}: go through newsingest.app instead"
