"""End to end on real pages: the Fundus test pages served as three news sites, `newsingest run` over
them, the exported records scored against the ground truth.

The pages are split over three origins on 127.0.0.1 (one HTTP server each, like the sample
sites): one announces its pages in an RSS feed, one in a Google News sitemap, one as links on a
section page. Feed and sitemap entries carry only the link (no title or date: those would be
the ground truth's, handed to the pipeline). Each page keeps its original path, so a date or
slug in its URL tells the pipeline what it told the offline bench; its host is ours.

`newsingest run --sources FILE --no-sample-sites --export OUT` runs as a subprocess (the CLI is
the interface; the local runtime's classes are not used), with FETCH_ALLOW_HOSTS naming the three
servers' host:port: the local runtime adds the caller's entries to its sample sites' ports, the
one way its fetches reach 127.0.0.1 (should no request reach these servers, the bench says so
instead of printing zeros). Records are
matched to pages by their fetched URL and scored with the metadata bench's metrics (title,
authors, date, body F1 per language); a page without a record scores zero. The same pages at the
same URLs through the offline process step are printed beside, so what the deployed path loses
(discovery, fetching, queues, storage) shows as the difference.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape

import _fundus
import metadata_bench
from _fundus import FundusPage
from rich.console import Console

from newsingest.discovery.links import is_article_url
from newsingest.models.records import Article

RUN_TIMEOUT = 1800  # seconds for the whole run; a hang is a failure, not a wait
ROBOTS = b"User-agent: *\nAllow: /\n"


@dataclass
class Site:
    """One origin: its pages by path and the discovery document that lists them."""

    id: str
    kind: str  # "feed", "sitemap" or "section"
    pages: dict[str, FundusPage] = field(default_factory=dict)  # unquoted path -> page
    server: ThreadingHTTPServer | None = None
    requests: Counter = field(default_factory=Counter)  # "robots", "listing", "page", "missing"

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def netloc(self) -> str:
        return urlsplit(self.base).netloc

    def url(self, path: str) -> str:
        return self.base + quote(path, safe="/%:@!$&'()*+,;=-._~")

    def listing(self) -> tuple[str, bytes, str]:
        """(path, body, content type) of the document that announces this site's pages."""
        links = [self.url(path) for path in self.pages]
        if self.kind == "feed":
            items = "".join(f"<item><link>{escape(u)}</link><guid>{escape(u)}</guid></item>" for u in links)
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{self.id}</title>{items}</channel></rss>'
            return "/feed.rss", body.encode(), "application/rss+xml"
        if self.kind == "sitemap":
            entries = "".join(
                f"<url><loc>{escape(u)}</loc><news:news><news:publication><news:name>{self.id}</news:name>"
                "</news:publication></news:news></url>"
                for u in links
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
                f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>'
            )
            return "/news-sitemap.xml", body.encode(), "application/xml"
        anchors = "".join(f'<li><a href="{escape(u)}">Story {n}</a></li>' for n, u in enumerate(links, 1))
        body = f"<!doctype html><html><head><title>{self.id}</title></head><body><ul>{anchors}</ul></body></html>"
        return "/news/", body.encode(), "text/html; charset=utf-8"


def split_into_sites(pages: list[FundusPage]) -> list[Site]:
    """Round-robin over the three kinds; a page whose path does not look like an article link goes to
    the feed or the sitemap (a section page's links are picked by that look, as on the real web)."""
    sites = [Site("e2e-feed", "feed"), Site("e2e-sitemap", "sitemap"), Site("e2e-section", "section")]
    for n, page in enumerate(pages):
        path = unquote(urlsplit(page.url).path) or "/"
        site = sites[n % 3]
        if site.kind == "section" and not is_article_url(page.url):
            site = sites[n % 2]
        while path in site.pages or path in ("/robots.txt", "/feed.rss", "/news-sitemap.xml", "/news/"):
            path = f"/{n}{path}"
        site.pages[path] = page
    return sites


def serve(site: Site) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            listing_path, listing, listing_type = site.listing()
            if path == "/robots.txt":
                site.requests["robots"] += 1
                self._send(ROBOTS, "text/plain")
            elif path == listing_path:
                site.requests["listing"] += 1
                self._send(listing, listing_type)
            elif path in site.pages:
                site.requests["page"] += 1
                self._send(site.pages[path].html, "text/html")
            else:
                site.requests["missing"] += 1
                self._send(b"Not found\n", "text/plain", HTTPStatus.NOT_FOUND)

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body, mtime=0)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    site.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site.server.daemon_threads = True
    threading.Thread(target=site.server.serve_forever, daemon=True).start()


def sources_yaml(sites: list[Site]) -> str:
    lines = ["sources:"]
    for site in sites:
        path = site.listing()[0]
        key = {"feed": "feeds", "sitemap": "sitemaps", "section": "section_pages"}[site.kind]
        lines += [
            f"  - id: {site.id}",
            f"    name: {site.id}",
            f"    homepage: {site.base}/",
            f"    {key}:",
            f"      - {site.base}{path}",
            "    fetch_interval_minutes: 15",
            "    crawl_delay: 0",
            "    enabled: true",
        ]
    return "\n".join(lines) + "\n"


def run_pipeline(sites: list[Site], workdir: Path, console: Console) -> tuple[list[Article], float]:
    sources = workdir / "sources.yaml"
    sources.write_text(sources_yaml(sites), encoding="utf-8")
    export = workdir / "records.jsonl"
    command = [
        str(Path(sys.executable).with_name("newsingest")), "run", "--ticks", "1", "--sources", str(sources),
        "--no-sample-sites", "--export", str(export),
    ]  # fmt: skip
    env = {**os.environ, "FETCH_ALLOW_HOSTS": ",".join(s.netloc for s in sites)}
    console.print(f"[dim]{' '.join(command)}  (FETCH_ALLOW_HOSTS={env['FETCH_ALLOW_HOSTS']}, cwd {workdir})[/]")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    elapsed = time.perf_counter() - started
    if not export.is_file():
        console.print(done.stdout[-3000:], done.stderr[-3000:])
        raise SystemExit(f"newsingest run exited {done.returncode} without writing {export}")
    records = [Article.model_validate_json(line) for line in export.read_text(encoding="utf-8").splitlines() if line]
    return records, elapsed


def predictions(sites: list[Site], records: list[Article]) -> dict[str, metadata_bench.Prediction]:
    by_url = {}
    for record in records:
        site = next((s for s in sites if record.url.startswith(s.base + "/")), None)
        if site is not None:
            by_url[(site.id, unquote(urlsplit(record.url).path))] = record
    predicted = {}
    for site in sites:
        for path, page in site.pages.items():
            record = by_url.get((site.id, path))
            predicted[page.id] = (
                metadata_bench.Prediction(skipped="no record")
                if record is None
                else metadata_bench.Prediction(
                    title=record.title,
                    authors=[*record.authors, *record.credits],
                    published=record.published_at,
                    body=record.text,
                    text_complete=record.text_complete,
                    access=record.access,
                    live_blog=record.live_blog,
                )
            )
    return predicted


def main() -> None:
    console = Console(width=160)
    if not _fundus.available():
        console.print(f"skipped: end-to-end bench needs the fundus dataset at {_fundus.DATASET}")
        return
    pages = list(_fundus.load_pages())
    sites = split_into_sites(pages)
    for site in sites:
        serve(site)
    try:
        with tempfile.TemporaryDirectory(prefix="newsingest-e2e-") as workdir:
            records, elapsed = run_pipeline(sites, Path(workdir), console)
    finally:
        for site in sites:
            site.server.shutdown()
            site.server.server_close()
    if not any(site.requests for site in sites):
        console.print(
            "[bold red]not measured[/]: `newsingest run` made no request to the bench's sites. The local runtime "
            "must add the caller's FETCH_ALLOW_HOSTS (host:port of these servers) to the allow-list it gives "
            "the handlers; without it every fetch to 127.0.0.1 is refused as a loopback address."
        )
        return
    e2e = predictions(sites, records)
    served = [replace(page, url=site.url(path)) for site in sites for path, page in site.pages.items()]
    offline = metadata_bench.ours(served)
    title = f"End to end: {len(pages)} Fundus pages as 3 local sites, `newsingest run` records / offline process step"
    metadata_bench.report(pages, {"e2e": e2e, "offline, same URLs": offline}, console, title=title)
    missing = Counter(s.kind for s in sites for p in s.pages.values() if e2e[p.id].skipped)
    per_site = ", ".join(
        f"{s.kind} {len(s.pages) - missing[s.kind]}/{len(s.pages)} ({s.requests['page']} page requests)" for s in sites
    )
    console.print(f"records stored per site: {per_site}; run took {elapsed:.0f} s ({datetime.now():%H:%M})")


if __name__ == "__main__":
    main()
