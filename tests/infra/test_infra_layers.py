"""The Lambda layers carry exactly the locked pins, and everything the deployed code imports."""

from __future__ import annotations

import ast
import sys
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "newsingest"
LOCAL_ONLY = ("local", "cli.py")  # the local runtime and CLI never run in Lambda


def test_layer_requirements_are_derived_from_the_lock(layer_tool, capsys):
    assert layer_tool.main(["--check"]) == 0, capsys.readouterr().err


def test_layer_pins_are_the_lock_pins(layer_tool):
    lock = layer_tool.lock_pins()
    for name, text in layer_tool.layer_files().items():
        if name.endswith("requirements.txt"):
            for line in text.splitlines()[1:]:
                dist = canonicalize_name(line.split("==")[0])
                assert lock[dist] == line, f"{name}: {line} is not the lock's pin"


def _third_party_imports() -> dict[str, list[str]]:
    """Top-level modules imported by the deployed package -> files importing them."""
    found: dict[str, list[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in LOCAL_ONLY:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "newsingest" and top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, []).append(str(relative))
    return found


def test_every_import_of_the_deployed_code_is_in_a_layer_or_the_runtime(layer_tool):
    provided = set(layer_tool.RUNTIME_PROVIDED)
    for name, text in layer_tool.layer_files().items():
        if name.endswith("requirements.txt"):
            provided |= {canonicalize_name(line.split("==")[0]) for line in text.splitlines()[1:]}
    distributions = metadata.packages_distributions()
    imports = _third_party_imports()
    assert "aws_lambda_powertools" in imports  # the walk does see the handlers' imports
    for module, files in imports.items():
        dists = {canonicalize_name(d) for d in distributions.get(module, [])}
        assert dists & provided, (
            f"{module} (imported by {files[0]}) is in no layer: add it to infra/layer_requirements.py"
        )
