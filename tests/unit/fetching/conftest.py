"""A real HTTP server on 127.0.0.1 with the misbehaviours the fetcher must survive."""

from __future__ import annotations

import contextlib
import gzip
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from newsingest.fetching.fetcher import Fetcher, FetchPolicy

MAX_BYTES = 100_000
READ_TIMEOUT = 0.8  # short enough for the timeout tests, long enough for a server thread on a busy machine
PAGE = b"<html><head><title>Hello</title></head><body><p>Hello, world.</p></body></html>"
RETRY_DATE = "Wed, 21 Oct 2015 07:28:00 GMT"
DRIP_SECONDS = 6.0  # how long a drip lasts if the client lets it: far past any deadline a test sets


def _bomb(inflated_bytes: int) -> bytes:
    """Gzip of `inflated_bytes` zeros, built in pieces so the test never holds the inflated size."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = b"\0" * (1 << 20)
    parts = [compressor.compress(zeros) for _ in range(inflated_bytes >> 20)]
    return b"".join([*parts, compressor.flush()])


BOMB_INFLATED = 64 << 20
BOMB = _bomb(BOMB_INFLATED)


@dataclass
class Site:
    """State the tests read back: what the server saw, not what the client claims."""

    MAX_BYTES = MAX_BYTES
    PAGE = PAGE
    RETRY_DATE = RETRY_DATE
    BOMB_INFLATED = BOMB_INFLATED
    BOMB_WIRE = len(BOMB)
    DRIP_SECONDS = DRIP_SECONDS

    port: int = 0
    seen: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    barrier: threading.Barrier | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class Handler(BaseHTTPRequestHandler):
    site: Site  # set per server

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def do_GET(self):
        site = self.site
        with site.lock:
            site.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            site.in_flight += 1
            site.max_in_flight = max(site.max_in_flight, site.in_flight)
        try:
            route = ROUTES.get(self.path.split("?")[0].rstrip("0123456789"))
            if route is None:
                self.reply(404, b"not found")
            else:
                route(self)
        finally:
            with site.lock:
                site.in_flight -= 1

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8", **headers):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def number(self) -> int:
        return int(self.path.rsplit("/", 1)[1])


def _ok(h: Handler) -> None:
    h.reply(200, PAGE)


def _gzip(h: Handler) -> None:
    assert "gzip" in h.headers.get("Accept-Encoding", "")
    h.reply(200, gzip.compress(PAGE), Content_Encoding="gzip")


def _bomb_route(h: Handler) -> None:
    h.reply(200, BOMB, Content_Encoding="gzip")


def _declared_too_large(h: Handler) -> None:
    """Promise a huge body and send none: a client that starts reading hits its read timeout."""
    h.send_response(200)
    h.send_header("Content-Length", str(MAX_BYTES + 1))
    h.end_headers()
    h.wfile.flush()
    time.sleep(READ_TIMEOUT * 3)


def _stream_too_large(h: Handler) -> None:
    """No Content-Length: the body ends when the connection closes (HTTP/1.0)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/plain")
    h.end_headers()
    with contextlib.suppress(OSError):  # the client hung up at its limit
        for _ in range(MAX_BYTES // 1000 + 10):
            h.wfile.write(b"x" * 1000)


def _binary(h: Handler) -> None:
    h.reply(200, b"%PDF-1.7\n\0\1\2\3", content_type="application/pdf")


def _chain(h: Handler) -> None:
    """/chain/N redirects to /chain/N-1 in turn by relative, absolute-path and absolute URLs."""
    n = h.number()
    if n == 0:
        return h.reply(200, PAGE)
    location = [f"{n - 1}", f"/chain/{n - 1}", h.site.url(f"/chain/{n - 1}")][n % 3]
    h.reply(302, Location=location)


def _loop(h: Handler) -> None:
    h.reply(301, Location="/loop/")


def _redirect_to(location: str) -> Callable[[Handler], None]:
    return lambda h: h.reply(302, Location=location)


def _conditional(h: Handler) -> None:
    if h.headers.get("If-None-Match") == '"v1"' and h.headers.get("If-Modified-Since"):
        return h.reply(304, ETag='"v1"')
    h.reply(200, PAGE, ETag='"v1"', Last_Modified="Tue, 24 Nov 2026 10:00:00 GMT")


def _slow(h: Handler) -> None:
    time.sleep(READ_TIMEOUT * 3)
    with contextlib.suppress(OSError):  # the client gave up, as it should
        h.reply(200, PAGE)


def _drip(h: Handler, data: bytes) -> None:
    """One byte every READ_TIMEOUT / 3: each read is quick, the whole never ends in time."""
    pause = READ_TIMEOUT / 3
    with contextlib.suppress(OSError):  # the client hung up at its deadline
        for i in range(min(len(data), int(DRIP_SECONDS / pause))):
            h.wfile.write(data[i : i + 1])
            h.wfile.flush()
            time.sleep(pause)


def _drip_headers(h: Handler) -> None:
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    _drip(h, b"X-Padding: " + b"a" * 1000 + b"\r\n\r\n")


def _drip_body(h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "1000")
    h.end_headers()
    h.wfile.flush()
    _drip(h, b"x" * 1000)


def _drip_unframed(h: Handler) -> None:
    """No Content-Length, no chunking: a cut connection would look like the body's end."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Connection", "close")
    h.end_headers()
    h.wfile.flush()
    _drip(h, b"x" * 1000)


def _concurrent(h: Handler) -> None:
    """Answer only once `parties` requests are in flight together, so overlap is proven server-side."""
    assert h.site.barrier is not None
    try:
        h.site.barrier.wait()
    except threading.BrokenBarrierError:
        return h.reply(500, b"requests did not overlap")
    h.reply(200, str(h.number()).encode())


ROUTES: dict[str, Callable[[Handler], None]] = {
    "/ok": _ok,
    "/gzip": _gzip,
    "/bomb": _bomb_route,
    "/declared-too-large": _declared_too_large,
    "/stream-too-large": _stream_too_large,
    "/binary": _binary,
    "/chain/": _chain,
    "/loop/": _loop,
    "/to-metadata": _redirect_to("http://169.254.169.254/latest/meta-data/"),
    "/to-ipv6-loopback": _redirect_to("http://[::1]/"),
    "/to-file": _redirect_to("file:///etc/passwd"),
    "/conditional": _conditional,
    "/retry-seconds": lambda h: h.reply(429, b"slow down", Retry_After="120"),
    "/retry-date": lambda h: h.reply(503, b"later", Retry_After=RETRY_DATE),
    "/missing": lambda h: h.reply(404, b"gone"),
    "/slow": _slow,
    "/drip-headers": _drip_headers,
    "/drip-body": _drip_body,
    "/drip-unframed": _drip_unframed,
    "/to-drip": _redirect_to("/drip-body"),
    "/concurrent/": _concurrent,
}


@contextlib.contextmanager
def _serve(tls: ssl.SSLContext | None = None) -> Iterator[Site]:
    state = Site()
    handler = type("BoundHandler", (Handler,), {"site": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    with _serve() as state:
        yield state


@pytest.fixture
def tls_site(tmp_path, monkeypatch) -> Iterator[Site]:
    """HTTPS on 127.0.0.1 with a certificate for news.test from a CA the client is made to trust."""
    ca_key, ca_cert = _certificate("newsingest test CA")
    key, cert = _certificate("news.test", issuer=(ca_key, ca_cert))
    pem = serialization.Encoding.PEM
    (tmp_path / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(pem))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))  # read by OpenSSL's default paths
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    with _serve(context) as state:
        yield state


def _certificate(name: str, issuer=None):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    signing_key, issuer_cert = issuer or (key, None)
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
    )
    if issuer is None:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
        builder = builder.add_extension(usage, critical=True)
    else:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    return key, builder.sign(signing_key, hashes.SHA256())


def _policy(allow: tuple[str, ...], **overrides) -> FetchPolicy:
    values = {
        "user_agent": "newsingest-test/1.0 (+https://example.test/bot)",
        "connect_timeout": 0.5,
        "read_timeout": READ_TIMEOUT,
        "max_bytes": MAX_BYTES,
        "max_redirects": 4,
        "allow_hosts": allow,
        "concurrency": 4,
    } | overrides
    return FetchPolicy(**values)


@pytest.fixture
def make_fetcher() -> Callable[..., Fetcher]:
    """Fetcher with short timeouts; `allow` defaults to 127.0.0.1 only, as the local runtime uses."""
    return lambda allow=("127.0.0.1",), **overrides: Fetcher(_policy(allow, **overrides))


@pytest.fixture
def fetcher(make_fetcher) -> Fetcher:
    return make_fetcher()


@pytest.fixture
def strict_fetcher(make_fetcher) -> Fetcher:
    """The production setting: no allow-list at all."""
    return make_fetcher(allow=())
