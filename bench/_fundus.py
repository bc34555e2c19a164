"""The Fundus parser test pages (../shared/datasets/fundus-parser-tests), read in place.

Layout (its SOURCE.txt): data/<country>/meta.info maps <Publisher>_<YYYY_MM_DD>.html.gz to
its URL and crawl date; data/<country>/<Publisher>.json holds the ground truth per parser
version. A publisher's versions pair with its pages in date order (oldest page = first
version); publishers whose counts differ are skipped. The page's language is not in the
ground truth: it is identified from the ground-truth title and body, never from our output.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from newsingest.extraction.language import identify

DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "fundus-parser-tests"
_VERSION = re.compile(r"\d+")


@dataclass(frozen=True)
class Truth:
    title: str
    authors: list[str] | None  # None: the parser has no author field for this publisher
    published: datetime | None
    body: list[str]  # summary, then each section's headline and paragraphs, in reading order


@dataclass(frozen=True)
class FundusPage:
    id: str  # <country>/<file name>
    country: str
    publisher: str
    url: str
    crawled_at: datetime
    html: bytes
    language: str
    truth: Truth

    @property
    def body(self) -> str:
        return "\n".join(self.truth.body)


def available() -> bool:
    return (DATASET / "data").is_dir()


def require_dataset() -> Path:
    if not available():
        print(f"skipped: fundus dataset not found at {DATASET}")
        sys.exit(0)
    return DATASET


def load_pages() -> Iterator[FundusPage]:
    root = require_dataset() / "data"
    for country_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        meta = json.loads((country_dir / "meta.info").read_text(encoding="utf-8"))
        by_publisher: dict[str, list[str]] = {}
        for name in meta:
            by_publisher.setdefault(name.rsplit("_", 3)[0], []).append(name)
        for publisher, files in sorted(by_publisher.items()):
            versions = json.loads((country_dir / f"{publisher}.json").read_text(encoding="utf-8"))
            if len(versions) != len(files):
                continue
            ordered = sorted(versions, key=lambda v: [int(n) for n in _VERSION.findall(v)])
            for name, version in zip(sorted(files), ordered, strict=True):
                truth = _truth(versions[version])
                yield FundusPage(
                    id=f"{country_dir.name}/{name}",
                    country=country_dir.name,
                    publisher=publisher,
                    url=meta[name]["url"],
                    crawled_at=datetime.fromisoformat(meta[name]["crawl_date"]),
                    html=gzip.decompress((country_dir / name).read_bytes()),
                    language=identify(truth.title + "\n" + "\n".join(truth.body)) or "un",
                    truth=truth,
                )


def _truth(raw: dict) -> Truth:
    body = list(raw.get("body", {}).get("summary", []))
    for section in raw.get("body", {}).get("sections", []):
        body += section.get("headline", []) + section.get("paragraphs", [])
    published = raw.get("publishing_date")
    return Truth(
        title=raw.get("title") or "",
        authors=raw.get("authors"),
        published=datetime.fromisoformat(published) if published else None,
        body=[p for p in body if p.strip()],
    )
