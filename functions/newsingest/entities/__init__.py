"""Named entities: the configured tagger plus document-level resolution (resolve.py)."""

from __future__ import annotations

from newsingest.entities.tagger import Tagger, TagRequest, TagResult
from newsingest.settings import Settings

__all__ = ["TagRequest", "TagResult", "Tagger", "make_tagger"]

TAGGERS = ("spacy", "comprehend", "none")


def make_tagger(settings: Settings) -> Tagger | None:
    """The tagger settings.tagger names. Imports are deferred so a Comprehend deployment
    never imports spaCy and a spaCy one never builds an AWS client."""
    match settings.tagger:
        case "spacy":
            from newsingest.entities.spacy_tagger import SpacyTagger

            return SpacyTagger(settings.spacy_model)
        case "comprehend":
            import boto3

            from newsingest.entities.comprehend import ComprehendTagger

            return ComprehendTagger(boto3.client("comprehend"))
        case "none":
            return None
        case other:
            raise ValueError(f"unknown tagger {other!r} (TAGGER must be one of: {', '.join(TAGGERS)})")
