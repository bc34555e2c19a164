"""newsingest: a serverless news ingestion pipeline.

Library users: ``newsingest.extract_page(html, url)`` turns a saved page into the
normalised ``Article`` record with no AWS involved.
"""

__version__ = "0.1.0"
PIPELINE_VERSION = f"newsingest/{__version__}"


def extract_page(html: bytes | str, url: str, **kwargs):
    """Run the pure core over one saved page and return its ``Article`` record."""
    from newsingest.pipeline.process import process_page

    return process_page(html, url, **kwargs)


__all__ = ["PIPELINE_VERSION", "__version__", "extract_page"]
