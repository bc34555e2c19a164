"""spaCy imported without its command line: a tagger loads a pipeline, it never runs `spacy download`.

spaCy's package `__init__` imports its CLI only to re-export `spacy.info` (`from .cli.info import
info`), and `spacy.cli` imports every subcommand with typer, click, rich, pygments, weasel, httpx and
jinja2: about 350 modules and a tenth of a second or more of every process function's cold start.
Any `spacy.*` import runs that `__init__` first, so loading a pipeline through `spacy.util` or
`spacy.language` does not avoid it.

So, while spaCy is first imported, `spacy.cli` and `spacy.cli.info` are placeholders whose `info`
imports the real one when called. They are removed as soon as spaCy is in: a later `import
spacy.cli` (spaCy's own CLI, a benchmark) gets the real package. If a spaCy version wants more
from `spacy.cli` at import, the placeholder raises ImportError and spaCy is imported as it is.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

_CLI = "spacy.cli"
_INFO = "spacy.cli.info"


def import_spacy() -> ModuleType:
    """The `spacy` package, imported without `spacy.cli` unless something imported it already."""
    if "spacy" in sys.modules or _CLI in sys.modules:
        return importlib.import_module("spacy")
    placeholders = {_CLI: _placeholder(_CLI, is_package=True), _INFO: _placeholder(_INFO)}
    placeholders[_INFO].info = _info
    sys.modules.update(placeholders)
    try:
        return importlib.import_module("spacy")
    except ImportError as err:
        if not (err.name or "").startswith(_CLI):  # not ours: spaCy itself cannot be imported
            raise
        _remove(placeholders)
        return importlib.import_module("spacy")  # this spaCy needs more of its CLI: the plain import
    finally:
        _remove(placeholders)


def _placeholder(name: str, is_package: bool = False) -> ModuleType:
    module = ModuleType(name, "placeholder while spaCy is imported (newsingest.entities.spacy_runtime)")
    if is_package:
        module.__path__ = []  # a submodule other than info: not found, so the plain import below
    return module


def _info(*args, **kwargs):
    """`spacy.info`, from the real CLI on first use."""
    return importlib.import_module(_INFO).info(*args, **kwargs)


def _remove(placeholders: dict[str, ModuleType]) -> None:
    for name, module in placeholders.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]
    spacy = sys.modules.get("spacy")
    if spacy is not None and spacy.__dict__.get("cli") is placeholders[_CLI]:
        del spacy.cli
