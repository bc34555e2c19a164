"""`FETCH_ALLOW_HOSTS=127.0.0.1:PORT newsingest run --no-sample-sites`: the caller's own local sites are fetchable."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from newsingest.local.runner import REPO_ROOT, LocalRuntime


class _Page(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<html><body><p>hello</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_the_callers_allow_list_is_kept_and_reaches_the_handlers_fetcher(tmp_path, monkeypatch):
    from newsingest.fetching.fetcher import Fetcher, FetchPolicy
    from newsingest.settings import Settings

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("FETCH_ALLOW_HOSTS", f"127.0.0.1:{server.server_port}")
    try:
        with LocalRuntime(
            sources_path=REPO_ROOT / "sample_sites" / "sources.yaml",
            sample_sites=False,
            log_path=tmp_path / "handlers.jsonl",
        ):
            fetcher = Fetcher(FetchPolicy.from_settings(Settings()))  # the environment the handlers get
            assert fetcher.get(f"http://127.0.0.1:{server.server_port}/story").ok
    finally:
        server.shutdown()
        server.server_close()
