"""The application layer: one object that builds the adapters and offers the use cases.

Lambda handlers, the CLI, the Python client, replay and the local runtime all go through it.
"""

from newsingest.app.application import Application
from newsingest.app.sources import SourceCatalog, SourceSet

__all__ = ["Application", "SourceCatalog", "SourceSet"]
