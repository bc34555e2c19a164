"""robots.txt, read as RFC 9309 says, with protego doing the matching.

Status rules: 2xx -> the rules apply; 3xx left after redirects and 4xx -> "unavailable",
everything allowed; 5xx, 429 and unreachable (status 0) -> everything disallowed until a
later fetch succeeds. 429 is counted with 5xx because a site that is shedding load has not
told us its rules are absent.

A robots.txt is written by a stranger, so it is bounded before protego sees it: the first
500 KiB (RFC 9309 2.5), decoded by its BOM (UTF-8 or UTF-16) or as UTF-8 with a Latin-1
fallback; then only the groups that can apply to our user agent are kept, at most
MAX_RULES rules of which MAX_WILDCARD_RULES with `*` or `$` (protego's cost per check grows
with every rule, and ten times faster with wildcard rules: 20,000 of them cost 7 s to parse
and 130 ms a check). What is kept is what the DynamoDB cache stores, so the item stays far
below DynamoDB's 400 KB, and each distinct text is parsed once per process.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal
from urllib.parse import urljoin, urlsplit

from protego import Protego

from newsingest.discovery.urls import same_site
from newsingest.models.source import Source

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB, and no more is needed
MAX_RULES = 500
MAX_WILDCARD_RULES = 100
MAX_ROBOTS_SITEMAPS = 20  # robots.txt sitemaps a run starts from (their children count against MAX_CHILD_DOCUMENTS)
UNREACHABLE = 0

Mode = Literal["rules", "allow_all", "disallow_all"]

_FIELD = re.compile(r"^\s*([A-Za-z-]+)\s*:\s*(.*?)\s*$")
_RULE_FIELDS = frozenset({"allow", "disallow"})
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


@dataclass(frozen=True)
class Robots:
    mode: Mode
    user_agent: str
    text: str = ""
    _rules: Protego | None = field(default=None, repr=False, compare=False)

    @classmethod
    def parse(cls, body: bytes | None, status: int, user_agent: str) -> Robots:
        """status is the final HTTP status, or UNREACHABLE when no response came."""
        if 200 <= status < 300:
            text = applicable_rules(decode_robots(body or b""), user_agent)
            return cls("rules", user_agent, text, _parsed(text))
        if 300 <= status < 500 and status != 429:
            return cls("allow_all", user_agent)
        return cls("disallow_all", user_agent)

    def allowed(self, url: str) -> bool:
        """False for a URL that cannot even be spelled as bytes (a lone surrogate): it is never fetched."""
        if self._rules is None:
            return self.mode == "allow_all"
        try:
            return self._rules.can_fetch(url, self.user_agent)
        except (ValueError, UnicodeError):
            return False

    @property
    def crawl_delay(self) -> float | None:
        return self._rules.crawl_delay(self.user_agent) if self._rules else None

    @property
    def sitemaps(self) -> list[str]:
        return list(self._rules.sitemaps) if self._rules else []

    def to_text(self) -> str:
        """Cacheable form (the DynamoDB robots item stores this string)."""
        return json.dumps({"mode": self.mode, "user_agent": self.user_agent, "text": self.text})

    @classmethod
    def from_text(cls, cached: str) -> Robots:
        data = json.loads(cached)
        rules = _parsed(data["text"]) if data["mode"] == "rules" else None
        return cls(data["mode"], data["user_agent"], data["text"], rules)


@lru_cache(maxsize=512)
def _parsed(text: str) -> Protego:
    """One parse per distinct (already bounded) text per process; protego objects are only read."""
    return Protego.parse(text)


def decode_robots(body: bytes) -> str:
    """The first MAX_ROBOTS_BYTES as text: by BOM, else UTF-8, else Latin-1 (every byte is a character)."""
    body = body[:MAX_ROBOTS_BYTES]
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def applicable_rules(text: str, user_agent: str) -> str:
    """The lines that can matter to `user_agent`: sitemaps, and the groups naming it or `*`, bounded.

    A group is one or more user-agent lines and the lines after them (RFC 9309 2.1). Keeping
    the user-agent lines whose token occurs in our agent string (and `*`), with their groups'
    rules, leaves protego's choice of group for us unchanged.
    """
    agent = user_agent.lower()
    kept: list[str] = []
    sitemaps: list[str] = []
    rules = wildcards = 0
    in_agents = keep_group = False
    for line in text.splitlines():
        match = _FIELD.match(line.split("#", 1)[0])
        if not match:
            continue
        name, value = match.group(1).lower(), match.group(2)
        if name == "sitemap":
            if len(sitemaps) < MAX_RULES:
                sitemaps.append(f"Sitemap: {value}")
            continue
        if name == "user-agent":
            keep_group = keep_group and in_agents  # the first user-agent line starts a new group
            in_agents = True
            token = value.lower()
            if token == "*" or (token and token in agent):
                keep_group = True
                kept.append(f"User-agent: {value}")
            continue
        in_agents = False
        if not keep_group:
            continue
        wild = name in _RULE_FIELDS and ("*" in value or "$" in value)
        if rules >= MAX_RULES or (wild and wildcards >= MAX_WILDCARD_RULES):
            continue
        rules += 1
        wildcards += wild
        kept.append(f"{match.group(1)}: {value}")
    return "\n".join([*kept, *sitemaps]) + "\n"


def robots_url(page_url: str) -> str:
    parts = urlsplit(page_url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def listed_sitemaps(robots: Robots, site_url: str) -> list[str]:
    """The `Sitemap:` URLs of the site's robots.txt, absolute, http(s) and on the site itself, in order.

    A relative URL is resolved against robots.txt; one on another site is ignored (a robots.txt
    does not get to send discovery elsewhere); at most MAX_ROBOTS_SITEMAPS.
    """
    found: list[str] = []
    base = robots_url(site_url)
    for listed in robots.sitemaps:
        url = urljoin(base, listed.strip())
        if urlsplit(url).scheme in ("http", "https") and same_site(url, site_url) and url not in found:
            found.append(url)
    return found[:MAX_ROBOTS_SITEMAPS]


def sitemaps_to_read(robots: Robots, source: Source, *, backfill: bool) -> list[str]:
    """robots.txt's sitemaps to read besides the source's own documents: on a backfill always (a
    feed-only source then reaches its older articles), on a scheduled run when the source sets
    `robots_sitemaps`. Sitemaps the source already lists are not repeated."""
    if not (backfill or source.robots_sitemaps):
        return []
    own = {str(u) for u in source.sitemaps}
    return [url for url in listed_sitemaps(robots, str(source.homepage)) if url not in own]
