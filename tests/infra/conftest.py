"""Fixtures for the infrastructure tests: the raw template, its offline SAM translation, infra tools."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from newsingest.local.resources import load_template

ROOT = Path(__file__).resolve().parents[2]


def _infra_script(name: str) -> ModuleType:
    """Import a script from infra/ (tools run from make, not a package)."""
    spec = importlib.util.spec_from_file_location(f"infra_{name}", ROOT / "infra" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def template_path() -> Path:
    return ROOT / "template.yaml"


@pytest.fixture(scope="session")
def template(template_path) -> dict[str, Any]:
    return load_template(template_path)


@pytest.fixture(scope="session")
def lint_tool() -> ModuleType:
    return _infra_script("lint_template")


@pytest.fixture(scope="session")
def layer_tool() -> ModuleType:
    return _infra_script("layer_requirements")


@pytest.fixture(scope="session")
def translated(template, lint_tool) -> dict[str, Any]:
    """What SAM would hand CloudFormation (translated offline, no account)."""
    return lint_tool.translate(template)
