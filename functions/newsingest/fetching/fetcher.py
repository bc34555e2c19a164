"""One bounded, SSRF-safe HTTP GET for feeds, sitemaps, robots.txt and pages.

How the address check holds against DNS rebinding: for every hop we resolve the
host once (netguard.check_url), check every address, and then open the
connection to the checked IP itself through a urllib3 pool keyed by that IP. The
name only travels as the Host header and, for TLS, as SNI and the name the
certificate is verified against (`server_hostname`/`assert_hostname`), so
certificate checking is as strict as with a normal request. We chose this over
checking `sock.getpeername()` after connecting because nothing forbidden is ever
contacted, not even with a TCP handshake. No proxy is used: with one, the
address check would be meaningless.

Time is bounded twice: the read timeout limits each wait for bytes, and a total deadline
(connect + headers + body, redirects included) stops a server that drips one byte just
inside the read timeout. The deadline is a timer that shuts the socket down, because a
blocked read cannot otherwise be interrupted.

Any HTTP status is returned: whether 404 is a skip or 503 a retry is the caller's
decision. Only policy violations (permanent, with a SkipReason) and transport
failures (retryable) raise FetchError.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from socket import gaierror
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, HTTPError, LocationParseError, NewConnectionError
from urllib3.util import parse_url

from newsingest.fetching.netguard import BlockedAddress, check_url
from newsingest.models.outcomes import SkipReason

if TYPE_CHECKING:
    from newsingest.settings import Settings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK_BYTES = 64 * 1024
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str
    connect_timeout: float
    read_timeout: float
    max_bytes: int
    max_redirects: int
    allow_hosts: tuple[str, ...] = ()
    concurrency: int = 8
    total_timeout: float = 30.0  # connect + headers + body, all hops

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            user_agent=settings.user_agent,
            connect_timeout=settings.fetch_connect_timeout,
            read_timeout=settings.fetch_read_timeout,
            max_bytes=settings.fetch_max_bytes,
            max_redirects=settings.fetch_max_redirects,
            allow_hosts=settings.allow_hosts,
            concurrency=settings.fetch_concurrency,
            total_timeout=settings.fetch_total_timeout,
        )


@dataclass
class FetchResult:
    """A response of any status. `redirects` lists each Location followed, absolute, in order."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    redirects: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    request_headers: dict[str, str] = field(default_factory=dict)  # as sent for final_url (the WARC request)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        message = Message()
        message["content-type"] = self.headers.get("content-type", "")
        return message.get_content_charset()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class FetchError(Exception):
    """A fetch that produced no response: permanent with a `reason`, or `retryable`."""

    def __init__(
        self,
        url: str,
        detail: str,
        *,
        reason: SkipReason | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{url}: {detail}")
        self.url = url
        self.detail = detail
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class _Deadline:
    """One fetch's end time, and a timer that shuts its sockets down when it comes."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        return self.at - time.monotonic()

    @property
    def passed(self) -> bool:
        return self.left() <= 0

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
        if self.passed:
            self._cut()

    def cancel(self) -> None:
        self._timer.cancel()

    def _cut(self) -> None:
        """Unblock a read in progress: the reader sees the connection end and gives up."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_DEADLINE: ContextVar[_Deadline | None] = ContextVar("fetch_deadline", default=None)


class _GuardedMixin:
    """A connection whose socket the current fetch's deadline can shut down (new or reused alike)."""

    def connect(self):
        super().connect()
        if (deadline := _DEADLINE.get()) is not None:
            deadline.watch(self.sock)

    def request(self, *args, **kwargs):
        if (deadline := _DEADLINE.get()) is not None:
            deadline.watch(self.sock)  # a reused connection: connect() is not called again
        return super().request(*args, **kwargs)


class _GuardedHTTPConnection(_GuardedMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent or bad."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no stated zone (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class Fetcher:
    """Thread-safe; keep one per process so connections to the same checked IP are reused."""

    def __init__(self, policy: FetchPolicy) -> None:
        self.policy = policy
        self._pools = urllib3.PoolManager(
            num_pools=max(10, 2 * policy.concurrency), maxsize=policy.concurrency, retries=False
        )
        self._pools.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> FetchResult:
        """One GET within the policy's total deadline; a FetchError (retryable) when it passes."""
        deadline = _Deadline(self.policy.total_timeout)
        token = _DEADLINE.set(deadline)
        try:
            return self._get(url, headers, deadline)
        except FetchError as error:
            if error.retryable and deadline.passed:
                raise FetchError(url, f"total deadline of {deadline.seconds:g} s passed", retryable=True) from error
            raise
        finally:
            deadline.cancel()
            _DEADLINE.reset(token)

    def _get(self, url: str, headers: Mapping[str, str] | None, deadline: _Deadline) -> FetchResult:
        started = time.monotonic()
        redirects: list[str] = []
        current = url
        while True:
            response = self._open(current, headers, deadline)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                break
            response.close()
            response.release_conn()
            current = self._next_hop(url, current, location, redirects)
        body = self._read_body(url, response, deadline)
        return FetchResult(
            url=url,
            final_url=current,
            status=response.status,
            headers={name.lower(): response.headers[name] for name in response.headers},
            body=body,
            fetched_at=datetime.now(UTC),
            redirects=redirects,
            elapsed=time.monotonic() - started,
            request_headers=dict(self._request_headers(current, headers).items()),
        )

    def get_many(
        self,
        requests: Sequence[tuple[str, Mapping[str, str] | None]],
        before: Callable[[str], None] | None = None,
    ) -> list[FetchResult | Exception]:
        """Fetch concurrently (at most policy.concurrency at once); results in input order.

        `before(url)` runs in the worker just before its fetch (the caller's politeness wait); what it
        raises is returned in place of the result, as a FetchError is, so one URL never fails the rest.
        """
        if not requests:
            return []
        workers = min(self.policy.concurrency, len(requests))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch") as pool:
            return list(pool.map(lambda request: self._get_or_error(*request, before), requests))

    def _get_or_error(
        self, url: str, headers: Mapping[str, str] | None, before: Callable[[str], None] | None
    ) -> FetchResult | Exception:
        try:
            if before:
                before(url)
            return self.get(url, headers)
        except FetchError as error:
            return error
        except Exception as error:
            if before is None:
                raise
            return error

    def _next_hop(self, url: str, current: str, location: str, redirects: list[str]) -> str:
        target = urljoin(current, location.strip())
        if target == url or target in redirects:
            raise FetchError(url, f"redirect loop at {target}", reason=SkipReason.TOO_MANY_REDIRECTS)
        if len(redirects) >= self.policy.max_redirects:
            raise FetchError(
                url,
                f"more than {self.policy.max_redirects} redirects",
                reason=SkipReason.TOO_MANY_REDIRECTS,
            )
        redirects.append(target)
        return target

    def _request_headers(self, url: str, headers: Mapping[str, str] | None) -> urllib3.HTTPHeaderDict:
        parsed = parse_url(url)
        request_headers = urllib3.HTTPHeaderDict(
            {"User-Agent": self.policy.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"}
        )
        request_headers.update(headers or {})
        request_headers["Host"] = parsed.netloc or (parsed.host or "").strip("[]")  # last: no caller redirects us
        return request_headers

    def _open(self, url: str, headers: Mapping[str, str] | None, deadline: _Deadline) -> urllib3.BaseHTTPResponse:
        """Check `url`, then send the request to its first checked address that accepts a connection."""
        addresses, parsed = self._check(url)
        scheme = parsed.scheme or "http"
        host = (parsed.host or "").strip("[]")
        request_headers = self._request_headers(url, headers)
        last_error: HTTPError | None = None
        for address in addresses:
            left = deadline.left()
            if left <= 0:
                break
            timeout = urllib3.Timeout(
                connect=min(self.policy.connect_timeout, left), read=min(self.policy.read_timeout, left)
            )
            pool = self._pools.connection_from_host(
                address,
                port=parsed.port or (443 if scheme == "https" else 80),
                scheme=scheme,
                pool_kwargs={"server_hostname": host, "assert_hostname": host} if scheme == "https" else None,
            )
            try:
                return pool.urlopen(
                    "GET",
                    parsed.request_uri,
                    headers=request_headers,
                    redirect=False,
                    retries=False,
                    timeout=timeout,
                    preload_content=False,
                    decode_content=True,
                    assert_same_host=False,
                )
            except (NewConnectionError, ConnectTimeoutError) as error:
                last_error = error  # try the next checked address, as a browser would
            except HTTPError as error:
                raise _transport_error(url, error) from error
        if last_error is None:
            raise FetchError(url, "total deadline passed before a connection", retryable=True)
        raise _transport_error(url, last_error) from last_error

    def _check(self, url: str) -> tuple[list[str], urllib3.util.Url]:
        try:
            parsed = parse_url(url)
            addresses = check_url(url, self.policy.allow_hosts)
        except BlockedAddress as error:
            raise FetchError(url, str(error), reason=SkipReason.BLOCKED_ADDRESS) from error
        except (ValueError, LocationParseError) as error:
            raise FetchError(url, str(error), reason=SkipReason.BAD_URL) from error
        except (gaierror, UnicodeError) as error:
            # Resolver failures are often temporary; SQS retries, then the DLQ keeps the URL.
            raise FetchError(url, f"cannot resolve host: {error}", retryable=True) from error
        return addresses, parsed

    def _read_body(self, url: str, response: urllib3.BaseHTTPResponse, deadline: _Deadline) -> bytes:
        """Read at most max_bytes, counted on the wire and after decompression.

        urllib3 (>= 2.6) inflates no more than the amount asked for per read, so a
        gzip bomb stops at the limit instead of being inflated in memory.
        """
        limit = self.policy.max_bytes
        try:
            declared = response.headers.get("content-length", "").strip()
            if declared.isdigit() and int(declared) > limit:
                raise _too_large(url, f"Content-Length {declared} exceeds {limit} bytes")
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read(CHUNK_BYTES):
                size += len(chunk)
                if size > limit or response.tell() > limit:
                    raise _too_large(url, f"body exceeds {limit} bytes")
                chunks.append(chunk)
            if deadline.passed:  # a body without a length ends when the connection does: cut, not complete
                raise FetchError(url, f"total deadline of {deadline.seconds:g} s passed", retryable=True)
            response.release_conn()
            return b"".join(chunks)
        except HTTPError as error:
            raise _transport_error(url, error) from error
        finally:
            if response.connection is not None:  # not fully read: the connection cannot be reused
                response.close()
                response.release_conn()


def _too_large(url: str, detail: str) -> FetchError:
    return FetchError(url, detail, reason=SkipReason.TOO_LARGE)


def _transport_error(url: str, error: Exception | None) -> FetchError:
    return FetchError(url, f"{type(error).__name__}: {error}", retryable=True)
