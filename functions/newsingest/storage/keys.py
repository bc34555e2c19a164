"""The DynamoDB key design, as pure functions: one table, one Query per access pattern.

| access pattern                               | key condition                                              |
|----------------------------------------------|------------------------------------------------------------|
| article by id (latest)                       | pk = ART#{id}, sk = LATEST                                 |
| an article's versions                        | pk = ART#{id}, sk begins_with V#                           |
| article by URL                               | pk = URL#{url_key(canonical url)}, sk = URL                |
| a source's articles in a time range, newest  | GSI BySource: gsi1pk = SRC#{source}, gsi1sk BETWEEN t1 AND t2 (desc) |
| articles about an entity in a range          | pk = ENT#{entity id}, sk BETWEEN t1 AND t2 (id: geonames:N, ns:slug) |
| what the corpus taught about a name          | pk = NAME#{name key}, sk = KNOW (BatchGetItem per SQS batch) |
| first article with a text (exact duplicate)  | pk = HASH#{content_hash}, sk = HASH                        |
| near-duplicate candidates (texts of a day)   | pk = SIM#{band}#{band value}, sk = D#{yyyy-mm-dd} (BatchGetItem) |
| source state                                 | pk = SRC#{source}, sk = STATE                              |
| per-domain politeness / robots cache         | pk = DOM#{host}, sk = POLITE / ROBOTS                      |
| a source's learned boilerplate lines         | pk = SRC#{source}, sk = LINES                              |

Every item key the repositories use is built here (`*_key` return the full primary key). The
canonical entities with their article counts are a query over the records, not items
(local/analytics.py ENTITY_LISTING_SQL). A day's articles are not an index either: the records'
S3 day partition lists them (storage/archive.py day_prefix, ArticleClient.by_day), so no stored
version pays a write unit for a day index entry.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

TTL_ATTRIBUTE = "expiration"  # the table's TTL attribute (template.yaml TimeToLiveSpecification)
BY_SOURCE_INDEX = "BySource"
LATEST = "LATEST"
VERSION_PREFIX = "V#"
URL_SK = "URL"
HASH_SK = "HASH"
STATE_SK = "STATE"
LINES_SK = "LINES"
ROBOTS_SK = "ROBOTS"
POLITE_SK = "POLITE"

Key = dict[str, str]


def url_key(canonical_url: str) -> str:
    """URLs can exceed key limits and carry odd bytes: key them by a digest."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:32]


def time_sort_key(when: datetime, article_id: str) -> str:
    """ISO UTC time then id: sorts by time, unique per article."""
    return f"{when.strftime('%Y-%m-%dT%H:%M:%SZ')}#{article_id}"


def article_pk(article_id: str) -> str:
    return f"ART#{article_id}"


def version_sk(version: int) -> str:
    return f"{VERSION_PREFIX}{version:05d}"


def url_pk(canonical_url: str) -> str:
    return f"URL#{url_key(canonical_url)}"


def source_pk(source_id: str) -> str:
    return f"SRC#{source_id}"


MAX_NAME_IN_KEY = 200  # partition keys are capped at 2 KB; a longer name or id is keyed by a digest
MAX_NAME_IN_ITEM = 200  # a name stored in an index or knowledge item: a hostile page's 100 KB "name"
# would otherwise cost 100 write units per item and grow a knowledge set past the 400 KB item limit


def bounded(value: str) -> str:
    """A name or id as it goes into a key: itself, or when longer than MAX_NAME_IN_KEY a prefix and a digest."""
    if len(value) <= MAX_NAME_IN_KEY:
        return value
    return f"{value[:100]}#{hashlib.sha256(value.encode('utf-8')).hexdigest()[:16]}"


def entity_pk(entity_id: str) -> str:
    """The entity index partition: one per canonical id, whatever alias an article used."""
    return f"ENT#{bounded(entity_id)}"


KNOW = "KNOW"


def name_pk(key: str) -> str:
    """A name's corpus memory (knowledge.name_key of one written form)."""
    return f"NAME#{bounded(key)}"


def hash_pk(content_hash: str) -> str:
    return f"HASH#{content_hash}"


def simhash_band_pks(simhash_hex: str, bands: int = 4) -> list[str]:
    """Split the 64-bit SimHash into bands: texts within a few bits share at least one band."""
    width = len(simhash_hex) // bands
    return [f"SIM#{i}#{simhash_hex[i * width : (i + 1) * width]}" for i in range(bands)]


def simhash_bucket_keys(simhash_hex: str, day: str) -> list[Key]:
    """The band buckets of one day that a text with this SimHash belongs to (one item per band)."""
    return [{"pk": band, "sk": f"D#{day}"} for band in simhash_band_pks(simhash_hex)]


def domain_pk(host: str) -> str:
    return f"DOM#{host.lower()}"


def latest_key(article_id: str) -> Key:
    return {"pk": article_pk(article_id), "sk": LATEST}


def version_key(article_id: str, version: int) -> Key:
    return {"pk": article_pk(article_id), "sk": version_sk(version)}


def url_item_key(canonical_url: str) -> Key:
    return {"pk": url_pk(canonical_url), "sk": URL_SK}


def hash_key(content_hash: str) -> Key:
    return {"pk": hash_pk(content_hash), "sk": HASH_SK}


def state_key(source_id: str) -> Key:
    return {"pk": source_pk(source_id), "sk": STATE_SK}


def lines_key(source_id: str) -> Key:
    return {"pk": source_pk(source_id), "sk": LINES_SK}


def robots_key(host: str) -> Key:
    return {"pk": domain_pk(host), "sk": ROBOTS_SK}


def polite_key(host: str) -> Key:
    return {"pk": domain_pk(host), "sk": POLITE_SK}
