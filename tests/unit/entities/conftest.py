import pytest

from newsingest.entities.spacy_tagger import SpacyTagger
from newsingest.settings import Settings


@pytest.fixture(scope="session")
def spacy_tagger() -> SpacyTagger:
    """One tagger, so the model loads once per test session (module-level cache)."""
    return SpacyTagger(Settings().spacy_model)
