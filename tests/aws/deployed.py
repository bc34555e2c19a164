"""A deployment in miniature for the handler tests: the Lambda handlers built over one application
on in-process moto, as a Lambda container builds them, and the sample sites on 127.0.0.1."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from newsingest.app import Application
from newsingest.handlers import discover, process, schedule
from newsingest.local.runner import REPO_ROOT
from newsingest.local.sites import SampleSites, start_sample_sites

SAMPLE_SOURCES = REPO_ROOT / "sample_sites" / "sources.yaml"


@dataclass
class Deployed:
    """A deployment in miniature: the handlers over one application, its moto account, the sites."""

    app: Application
    handlers: dict
    clients: dict
    resources: object
    sites: SampleSites | None


def deploy(aws, sources: Path, sites: SampleSites | None = None, allow: tuple[str, ...] = ()) -> Deployed:
    hosts = [*allow, *(urlsplit(u).netloc for u in (sites.base_urls.values() if sites else []))]
    placeholders = {**(sites.env if sites else {}), "SOURCE_PLACEHOLDERS": ",".join(sites.env if sites else [])}
    app = aws.application(sources_uri=str(sources), fetch_allow_hosts=",".join(hosts), default_crawl_delay=0.05)
    app.env = placeholders
    handlers = {name: module.build(app) for name, module in (("schedule", schedule), ("discover", discover),
                                                              ("process", process))}  # fmt: skip
    return Deployed(app, handlers, aws.clients, aws.resources, sites)


@pytest.fixture
def sites():
    running = start_sample_sites()
    yield running
    running.close()
