"""Named entities: the configured tagger plus document-level resolution (resolve.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from newsingest.entities.tagger import Tagger, TagRequest, TagResult
from newsingest.settings import Settings

__all__ = ["TagRequest", "TagResult", "Tagger", "make_tagger"]

TAGGERS = ("spacy", "comprehend", "none")


def make_tagger(settings: Settings, comprehend: Callable[[], Any] | None = None) -> Tagger | None:
    """The tagger settings.tagger names. Imports are deferred so a Comprehend deployment
    never imports spaCy and a spaCy one never builds an AWS client (`comprehend` builds it)."""
    match settings.tagger:
        case "spacy":
            from newsingest.entities.spacy_tagger import SpacyTagger

            return SpacyTagger(settings.spacy_model)
        case "comprehend":
            from newsingest.entities.comprehend import ComprehendTagger

            if comprehend is None:
                raise ValueError("TAGGER=comprehend needs an AWS connection (the application provides one)")
            return ComprehendTagger(comprehend())
        case "none":
            return None
        case other:
            raise ValueError(f"unknown tagger {other!r} (TAGGER must be one of: {', '.join(TAGGERS)})")
