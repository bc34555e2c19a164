"""The bundled offline sample of the web: our own news sites served from ``sample_sites/`` on 127.0.0.1.

Each site gets its own HTTP server on an ephemeral port, so every site is a distinct origin (robots.txt,
crawl delays and politeness are per origin, as on the real web). Pages are plain files under
``sample_sites/<site>/``; ``{{BASE}}`` in a text file is replaced at serve time by that site's base URL and
``{{SITE:other-id}}`` by another site's. ``set_edition(2)`` switches every site to its second edition:
files under ``<site>/_edition2/`` then take precedence over (or add to) the site's own files.

Per-site behaviour that a plain file cannot express lives in ``<site>/_site.json``:
``redirects`` (path -> path, answered 301), ``slow`` (paths answered after ``SLOW_SECONDS``) and
``stale_validators`` (paths whose ETag and Last-Modified stay those of edition 1 after the content
changed: the "lying ETag" that a body-hash guard must catch).

The default root is ``<repo>/sample_sites`` found from the package location
(``functions/newsingest/__init__.py`` -> ``parents[2]``), which holds for a source checkout or an
editable install; pass ``root`` explicitly otherwise.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

import newsingest

DEFAULT_ROOT = Path(newsingest.__file__).resolve().parents[2] / "sample_sites"
SLOW_SECONDS = 1.5
# Fixed dates keep Last-Modified reproducible across checkouts (file mtimes are not).
EDITION_MODIFIED = {
    1: datetime(2026, 11, 23, 18, 0, tzinfo=UTC),
    2: datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".pdf": "application/pdf",
}
_PLACEHOLDER = re.compile(r"\{\{(BASE|SITE:([a-z0-9-]+))\}\}")


@dataclass(frozen=True)
class RequestLog:
    site: str
    method: str
    path: str
    status: int
    conditional: bool  # the request carried If-None-Match or If-Modified-Since


@dataclass(frozen=True)
class _Representation:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime


@dataclass
class _Site:
    id: str
    directory: Path
    redirects: dict[str, str] = field(default_factory=dict)
    slow: frozenset[str] = frozenset()
    stale_validators: frozenset[str] = frozenset()

    @classmethod
    def load(cls, directory: Path) -> _Site:
        config_file = directory / "_site.json"
        config = json.loads(config_file.read_text("utf-8")) if config_file.is_file() else {}
        return cls(
            id=directory.name,
            directory=directory,
            redirects=config.get("redirects", {}),
            slow=frozenset(config.get("slow", [])),
            stale_validators=frozenset(config.get("stale_validators", [])),
        )

    def find(self, path: str, edition: int) -> tuple[Path, int] | None:
        """The file serving ``path`` and the edition it belongs to; ``_``/``.`` names are never served."""
        parts = [p for p in unquote(path).split("/") if p]
        if any(p.startswith(("_", ".")) for p in parts):
            return None
        rel = "/".join(parts)
        candidates = [f"{rel}/index.html" if rel else "index.html"]
        if rel and not path.endswith("/"):
            candidates = [rel, f"{rel}.html", f"{rel}.pdf", *candidates]
        for candidate in candidates:
            for number in range(edition, 0, -1):
                base = self.directory / f"_edition{number}" if number > 1 else self.directory
                if (base / candidate).is_file():
                    return base / candidate, number
        return None


class SampleSites:
    """The running sample sites. Use as a context manager, or call ``close()``."""

    def __init__(self, root: Path, host: str) -> None:
        self.requests: list[RequestLog] = []
        self._edition = 1
        self._lock = threading.Lock()
        site_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
        if not site_dirs:
            raise FileNotFoundError(f"no sample sites under {root}")
        self._servers: dict[str, _SiteServer] = {}
        self._threads: list[threading.Thread] = []
        for directory in site_dirs:
            server = _SiteServer((host, 0), _Handler, _Site.load(directory), self)
            self._servers[directory.name] = server
            thread = threading.Thread(target=server.serve_forever, name=f"sample-site-{directory.name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.base_urls = {
            site_id: f"http://{host}:{server.server_address[1]}" for site_id, server in self._servers.items()
        }
        self.env = {"SITE_" + site_id.upper().replace("-", "_"): base for site_id, base in self.base_urls.items()}

    @property
    def edition(self) -> int:
        return self._edition

    def set_edition(self, n: int) -> None:
        if n not in EDITION_MODIFIED:
            raise ValueError(f"edition must be one of {sorted(EDITION_MODIFIED)}, not {n!r}")
        self._edition = n

    def close(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> SampleSites:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _record(self, entry: RequestLog) -> None:
        with self._lock:
            self.requests.append(entry)

    def _render(self, site: _Site, path: str, edition: int) -> _Representation | None:
        found = site.find(path, edition)
        if found is None:
            return None
        file, file_edition = found
        content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        body = file.read_bytes()
        if "charset=utf-8" in content_type:
            body = _PLACEHOLDER.sub(lambda m: self._substitute(site, m), body.decode("utf-8")).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return _Representation(body, content_type, etag, EDITION_MODIFIED[file_edition])

    def _substitute(self, site: _Site, match: re.Match[str]) -> str:
        other = match.group(2)
        if other is None:
            return self.base_urls[site.id]
        if other not in self.base_urls:
            raise KeyError(f"{site.id}: placeholder names unknown site {other!r}")
        return self.base_urls[other]


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[_Handler], site: _Site, sites: SampleSites) -> None:
        self.site = site
        self.sites = sites
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the request log is ``SampleSites.requests``."""

    def _answer(self, send_body: bool) -> None:
        site, sites = self.server.site, self.server.sites
        path = urlsplit(self.path).path or "/"
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        self._log_entry = (site.id, self.command, path, conditional)
        if path in site.slow:
            time.sleep(SLOW_SECONDS)
        self._respond(site, sites, path, send_body)

    def _respond(self, site: _Site, sites: SampleSites, path: str, send_body: bool) -> int:
        if path in site.redirects:
            location = sites.base_urls[site.id] + site.redirects[path]
            return self._send(HTTPStatus.MOVED_PERMANENTLY, b"Moved\n", send_body, {"Location": location})
        edition = sites.edition
        current = sites._render(site, path, edition)
        if current is None:
            return self._send(HTTPStatus.NOT_FOUND, b"Not found\n", send_body)
        advertised = current
        if path in site.stale_validators and edition > 1:
            advertised = sites._render(site, path, 1) or current
        validators = {
            "ETag": advertised.etag,
            "Last-Modified": format_datetime(advertised.last_modified, usegmt=True),
            "Vary": "Accept-Encoding",
        }
        if self._not_modified(current):
            return self._send(HTTPStatus.NOT_MODIFIED, b"", False, validators)
        body, headers = current.body, {"Content-Type": current.content_type, **validators}
        if _accepts_gzip(self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        return self._send(HTTPStatus.OK, body, send_body, headers)

    def _not_modified(self, current: _Representation) -> bool:
        """Decided on the true validators, so even a lying resource answers 200 once it changed."""
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or current.etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if if_modified_since is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and current.last_modified <= since

    def _send(self, status: HTTPStatus, body: bytes, send_body: bool, headers: dict[str, str] | None = None) -> int:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != HTTPStatus.NOT_MODIFIED:
            if "Content-Type" not in (headers or {}):
                self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        # Logged before the client can see the answer, so a client never reads a log that lags behind it.
        site_id, method, path, conditional = self._log_entry
        self.server.sites._record(RequestLog(site_id, method, path, int(status), conditional))
        self.end_headers()
        if send_body and status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(body)
        return int(status)


def _accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in {"gzip", "*"}:
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def start_sample_sites(root: Path | None = None, host: str = "127.0.0.1") -> SampleSites:
    """Start every site under ``root`` (default: the repo's ``sample_sites``) on its own port."""
    return SampleSites(root or DEFAULT_ROOT, host)
