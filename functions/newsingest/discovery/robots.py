"""robots.txt, read as RFC 9309 says, with protego doing the matching.

Status rules: 2xx -> the rules apply; 3xx left after redirects and 4xx -> "unavailable",
everything allowed; 5xx, 429 and unreachable (status 0) -> everything disallowed until a
later fetch succeeds. 429 is counted with 5xx because a site that is shedding load has not
told us its rules are absent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

from protego import Protego

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB, and no more is needed
UNREACHABLE = 0

Mode = Literal["rules", "allow_all", "disallow_all"]


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
            text = (body or b"")[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
            return cls("rules", user_agent, text, Protego.parse(text))
        if 300 <= status < 500 and status != 429:
            return cls("allow_all", user_agent)
        return cls("disallow_all", user_agent)

    def allowed(self, url: str) -> bool:
        if self._rules is None:
            return self.mode == "allow_all"
        return self._rules.can_fetch(url, self.user_agent)

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
        rules = Protego.parse(data["text"]) if data["mode"] == "rules" else None
        return cls(data["mode"], data["user_agent"], data["text"], rules)
