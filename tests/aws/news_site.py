"""A small news site on 127.0.0.1 for the use-case tests: a feed of N entries and their pages."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsingest.models.source import Source

TICK = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
PAGE = "<html lang='en'><head><title>{n}</title></head><body><article><h1>Story {n}</h1>{body}</article></body></html>"
SUBJECTS = [
    "The harbour board",
    "A ferry operator",
    "The city council",
    "Local fishermen",
    "The port authority",
    "A shipping union",
    "The coastguard",
    "Residents of the old town",
    "The regional museum",
    "Dock workers",
]
ACTIONS = ["approved a new terminal", "complained about dredging", "published its annual accounts",
           "asked for a public inquiry", "opened a visitor centre", "delayed the winter timetable",
           "hired forty apprentices", "rejected the bridge proposal"]  # fmt: skip


def page(path: str) -> str:
    """A distinct article per path: its own sentences, so no two pages are duplicates or share lines."""
    n = sum(path.encode())
    sentences = [
        f"<p>{SUBJECTS[(n + i) % len(SUBJECTS)]} {ACTIONS[(n * 3 + i) % len(ACTIONS)]} on day {i} of story {path}, "
        f"officials said in a statement numbered {n * 7 + i}.</p>"
        for i in range(8)
    ]
    return PAGE.format(n=path, body="".join(sentences))


def serve(answer: Callable[[str], tuple[bytes, str]], fetched: list[str]) -> tuple[ThreadingHTTPServer, str]:
    """A site on 127.0.0.1 answering GET path -> (body, content type), 404 for an empty body; every
    path asked for is appended to `fetched`. Returns the server (shut it down) and its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            fetched.append(self.path)
            body, kind = answer(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class Site:
    """A news site on 127.0.0.1: a feed of `entries` and their pages; counts what was fetched."""

    def __init__(self, entries: int, title: str = "Story"):
        self.entries = entries
        self.title = title  # entry 0's title
        self.updated = "2026-11-23T08:00:00Z"  # every entry's revision
        self.fetched: list[str] = []
        self.replaced: dict[str, tuple[bytes, str]] = {}  # path -> what it serves from now on
        self.server, self.base = serve(self.answer, self.fetched)

    def answer(self, path: str) -> tuple[bytes, str]:
        if path in self.replaced:
            return self.replaced[path]
        if path == "/feed.xml":
            return self.feed().encode(), "application/rss+xml"
        if path.startswith("/news/"):
            return page(path).encode(), "text/html"
        return b"", "text/plain"

    def feed(self) -> str:
        items = "".join(
            f"<item><title>{self.title if n == 0 else 'Story'} {n}</title><link>{self.base}/news/{n}</link>"
            f"<pubDate>Mon, 23 Nov 2026 0{n % 10}:00:00 GMT</pubDate>"
            f"<atom:updated xmlns:atom='http://www.w3.org/2005/Atom'>{self.updated}</atom:updated></item>"
            for n in range(self.entries)
        )
        return f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}</channel></rss>"

    def source(self) -> Source:
        return Source(id="harbour", name="Harbour", homepage=f"{self.base}/", feeds=[f"{self.base}/feed.xml"])


@pytest.fixture
def site():
    sites: list[Site] = []

    def make(entries: int, title: str = "Story") -> Site:
        sites.append(Site(entries, title))
        return sites[-1]

    yield make
    for s in sites:
        s.server.shutdown()
