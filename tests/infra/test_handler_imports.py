"""Schedule and discover run without the NLP layer, and their init pays only for what they use."""

import subprocess
import sys

import pytest

PROBE = """
import sys
import newsingest.handlers.{name} as module
module.handler  # what the Lambda runtime reads at init: the application is built then
heavy = [m for m in ("spacy", "pycld2", "newsingest.extraction", "newsingest.pipeline.process") if m in sys.modules]
print(",".join(heavy))
"""


@pytest.mark.parametrize("name", ["schedule", "discover"])
def test_light_handlers_import_neither_spacy_nor_the_extraction_core(name):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PATH": ""},
    )
    assert result.stdout.strip() == ""
