"""newsingest: a serverless news ingestion pipeline.

Library users: ``newsingest.extract_page(html, url)`` turns a saved page into the
normalised ``Article`` record, entities included, with no AWS involved.
"""

from functools import cache

__version__ = "0.1.0"
PIPELINE_VERSION = f"newsingest/{__version__}"
_DEFAULT = object()


def extract_page(html: bytes | str, url: str, *, tagger=_DEFAULT, **kwargs):
    """Run the pure core over one saved page and return its ``Article`` record.

    Entities come from the configured tagger (spaCy unless ``TAGGER`` says otherwise), built
    once per process; pass ``tagger=None`` for a record without entities, or a tagger of your own.
    """
    from newsingest.pipeline.process import process_page

    return process_page(html, url, tagger=_default_tagger() if tagger is _DEFAULT else tagger, **kwargs)


@cache
def _default_tagger():
    from newsingest.app import Application

    return Application.from_environment().tagger


__all__ = ["PIPELINE_VERSION", "__version__", "extract_page"]
