import socket
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest

from newsingest.fetching.fetcher import FetchError, FetchPolicy, FetchResult, retry_after_seconds
from newsingest.models.outcomes import SkipReason
from newsingest.settings import Settings


def permanent(error: FetchError, reason: SkipReason) -> bool:
    return error.reason is reason and not error.retryable


# --- responses -------------------------------------------------------------------------------


def test_200_is_returned_with_lowercase_headers_and_an_identifiable_agent(fetcher, site):
    result = fetcher.get(site.url("/ok"))

    assert (result.status, result.ok, result.body) == (200, True, site.PAGE)
    assert result.url == result.final_url == site.url("/ok")
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.headers["content-length"] == str(len(site.PAGE))
    assert result.redirects == []
    assert result.fetched_at.tzinfo is UTC
    (_, sent), *_ = site.seen
    assert sent["user-agent"] == fetcher.policy.user_agent
    assert sent["host"] == f"127.0.0.1:{site.port}"


def test_gzip_body_is_decompressed(fetcher, site):
    result = fetcher.get(site.url("/gzip"))

    assert result.body == site.PAGE
    assert result.headers["content-encoding"] == "gzip"
    assert "deflate" in site.seen[0][1]["accept-encoding"]


def test_error_statuses_are_returned_not_raised(fetcher, site):
    result = fetcher.get(site.url("/missing"))

    assert (result.status, result.ok, result.body) == (404, False, b"gone")


def test_binary_body_is_returned_for_the_caller_to_judge(fetcher, site):
    result = fetcher.get(site.url("/binary"))

    assert result.content_type == "application/pdf"
    assert result.charset is None
    assert result.body.startswith(b"%PDF")


def test_conditional_headers_are_sent_and_304_returned(fetcher, site):
    first = fetcher.get(site.url("/conditional"))
    again = fetcher.get(
        site.url("/conditional"),
        {"If-None-Match": first.headers["etag"], "If-Modified-Since": first.headers["last-modified"]},
    )

    assert (first.status, first.not_modified) == (200, False)
    assert (again.status, again.not_modified, again.body) == (304, True, b"")
    assert site.seen[1][1]["if-none-match"] == '"v1"'


def test_caller_headers_cannot_change_the_host(fetcher, site):
    fetcher.get(site.url("/ok"), {"Host": "169.254.169.254"})

    assert site.seen[0][1]["host"] == f"127.0.0.1:{site.port}"


@pytest.mark.parametrize(("path", "status", "wait"), [("/retry-seconds", 429, 120.0), ("/retry-date", 503, 90.0)])
def test_429_and_503_come_back_with_a_usable_retry_after(fetcher, site, path, status, wait):
    result = fetcher.get(site.url(path))
    now = datetime(2015, 10, 21, 7, 26, 30, tzinfo=UTC)

    assert result.status == status
    assert retry_after_seconds(result.headers["retry-after"], now) == wait


# --- size limits -----------------------------------------------------------------------------


def test_gzip_bomb_is_too_large_and_never_inflated_in_memory(fetcher, site):
    assert site.BOMB_WIRE < site.MAX_BYTES < site.BOMB_INFLATED  # only the inflated size is over
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetcher.get(site.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert permanent(caught.value, SkipReason.TOO_LARGE)
    assert peak < 16 * site.MAX_BYTES < site.BOMB_INFLATED


def test_declared_content_length_over_the_limit_is_refused_before_reading(fetcher, site):
    # The server promises a body and sends none: reading would end in a read timeout instead.
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/declared-too-large"))

    assert permanent(caught.value, SkipReason.TOO_LARGE)
    assert "Content-Length" in caught.value.detail


def test_streamed_body_without_length_stops_at_the_limit(fetcher, site):
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/stream-too-large"))

    assert permanent(caught.value, SkipReason.TOO_LARGE)


def test_body_at_the_limit_is_accepted(make_fetcher, site):
    result = make_fetcher(max_bytes=len(site.PAGE)).get(site.url("/ok"))

    assert result.body == site.PAGE


# --- redirects -------------------------------------------------------------------------------


def test_redirect_chain_is_followed_with_relative_and_absolute_locations(fetcher, site):
    result = fetcher.get(site.url("/chain/4"))

    assert result.status == 200
    assert result.redirects == [site.url(f"/chain/{n}") for n in (3, 2, 1, 0)]
    assert result.final_url == site.url("/chain/0")
    assert [path for path, _ in site.seen] == [f"/chain/{n}" for n in (4, 3, 2, 1, 0)]


def test_too_many_redirects(fetcher, site):
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/chain/5"))

    assert permanent(caught.value, SkipReason.TOO_MANY_REDIRECTS)
    assert len(site.seen) == fetcher.policy.max_redirects + 1


def test_redirect_loop(fetcher, site):
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/loop/"))

    assert permanent(caught.value, SkipReason.TOO_MANY_REDIRECTS)
    assert "loop" in caught.value.detail


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/to-metadata", SkipReason.BLOCKED_ADDRESS),
        ("/to-ipv6-loopback", SkipReason.BLOCKED_ADDRESS),  # only 127.0.0.1 is allowed
        ("/to-file", SkipReason.BAD_URL),
    ],
)
def test_every_redirect_target_is_checked_again(make_fetcher, site, path, reason):
    fetcher = make_fetcher(allow=("127.0.0.1",))

    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url(path))

    assert permanent(caught.value, reason)


# --- transport failures ----------------------------------------------------------------------


def test_response_slower_than_the_read_timeout_is_retryable(fetcher, site):
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/slow"))

    assert caught.value.retryable
    assert caught.value.reason is None


@pytest.mark.parametrize("path", ["/drip-headers", "/drip-body", "/drip-unframed", "/to-drip"])
def test_a_dripping_server_is_cut_off_at_the_total_deadline(make_fetcher, site, path):
    """Each byte arrives well inside the read timeout; only the total deadline can end the fetch."""
    fetcher = make_fetcher(total_timeout=1.0)
    started = time.monotonic()

    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url(path))

    assert caught.value.retryable and "total deadline" in caught.value.detail
    assert time.monotonic() - started < site.DRIP_SECONDS / 2  # the drip itself would last DRIP_SECONDS


def test_a_fast_fetch_after_a_cut_one_reuses_the_fetcher(make_fetcher, site):
    fetcher = make_fetcher(total_timeout=1.0)
    with pytest.raises(FetchError):
        fetcher.get(site.url("/drip-body"))

    assert fetcher.get(site.url("/ok")).body == site.PAGE
    time.sleep(1.2)  # past the first fetch's deadline: no stale timer cuts a later fetch's connection
    assert fetcher.get(site.url("/ok")).body == site.PAGE


def test_refused_connection_is_retryable(fetcher):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # bound, not listening: connections are refused

        with pytest.raises(FetchError) as caught:
            fetcher.get(f"http://127.0.0.1:{port}/")

    assert caught.value.retryable


def test_unresolvable_host_is_retryable(fetcher):
    with pytest.raises(FetchError) as caught:
        fetcher.get("http://no-such-host.invalid/")

    assert caught.value.retryable
    assert "resolve" in caught.value.detail


def test_connection_goes_to_the_checked_address_not_a_second_lookup(monkeypatch, make_fetcher, site):
    """DNS rebinding: the first answer is checked; a later answer must never be used."""
    real = socket.getaddrinfo
    answers = iter(["127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = next(answers, "10.255.255.1")  # any later lookup would point into the VPC
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    result = make_fetcher(allow=("127.0.0.1",)).get(site.url("/ok", host="rebind.test"))

    assert result.body == site.PAGE
    assert site.seen[0][1]["host"] == f"rebind.test:{site.port}"


# --- SSRF: one test per blocked address class, allow-list empty ------------------------------


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://127.0.0.1:{port}/ok", id="loopback-v4"),
        pytest.param("http://localhost:{port}/ok", id="loopback-by-name"),
        pytest.param("http://[::1]:{port}/ok", id="loopback-v6"),
        pytest.param("http://10.0.0.1/", id="private-10"),
        pytest.param("http://172.16.0.1/", id="private-172.16"),
        pytest.param("http://192.168.1.1/", id="private-192.168"),
        pytest.param("http://[fd00::1]/", id="private-v6-ula"),
        pytest.param("http://169.254.169.254/latest/meta-data/", id="link-local-metadata"),
        pytest.param("http://[fe80::1]/", id="link-local-v6"),
        pytest.param("http://100.64.0.1/", id="cgnat"),
        pytest.param("http://0.0.0.0:{port}/ok", id="unspecified-v4"),
        pytest.param("http://[::]:{port}/ok", id="unspecified-v6"),
        pytest.param("http://224.0.0.1/", id="multicast-v4"),
        pytest.param("http://[ff02::1]/", id="multicast-v6"),
        pytest.param("http://[::ffff:127.0.0.1]:{port}/ok", id="ipv4-mapped-loopback"),
        pytest.param("http://[::ffff:169.254.169.254]/", id="ipv4-mapped-metadata"),
        pytest.param("http://240.0.0.1/", id="reserved"),
        pytest.param("http://192.0.2.1/", id="documentation"),
        pytest.param("http://2130706433:{port}/ok", id="loopback-as-decimal"),
    ],
)
def test_ssrf_blocked_address(strict_fetcher, site, url):
    with pytest.raises(FetchError) as caught:
        strict_fetcher.get(url.format(port=site.port))

    assert permanent(caught.value, SkipReason.BLOCKED_ADDRESS)
    assert site.seen == []  # nothing reached the server


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("file:///etc/passwd", id="file"),
        pytest.param("ftp://example.com/pub/file", id="ftp"),
        pytest.param("gopher://127.0.0.1:{port}/", id="gopher"),
        pytest.param("not a url", id="no-scheme"),
    ],
)
def test_ssrf_non_http_scheme(strict_fetcher, site, url):
    with pytest.raises(FetchError) as caught:
        strict_fetcher.get(url.format(port=site.port))

    assert permanent(caught.value, SkipReason.BAD_URL)
    assert site.seen == []


# --- concurrency -----------------------------------------------------------------------------

# The server holds the first request until its partners arrive: on a busy machine that can take
# longer than the suite's 0.3 s read timeout, which would fail the fetch, not the overlap.
OVERLAP_WAIT = 5.0


def test_get_many_overlaps_requests_and_keeps_input_order(make_fetcher, site):
    site.barrier = threading.Barrier(4, timeout=5)  # the server answers only when 4 are in flight
    fetcher = make_fetcher(concurrency=4, read_timeout=OVERLAP_WAIT)
    requests = [(site.url(f"/concurrent/{n}"), None) for n in range(4)]
    requests.insert(2, ("http://169.254.169.254/", None))

    results = fetcher.get_many(requests)

    assert [r.body for r in results if isinstance(r, FetchResult)] == [b"0", b"1", b"2", b"3"]
    assert isinstance(results[2], FetchError)
    assert results[2].reason is SkipReason.BLOCKED_ADDRESS
    assert site.max_in_flight == 4


def test_get_many_stays_within_the_concurrency_limit(make_fetcher, site):
    site.barrier = threading.Barrier(2, timeout=5)
    fetcher = make_fetcher(concurrency=2, read_timeout=OVERLAP_WAIT)

    results = fetcher.get_many([(site.url(f"/concurrent/{n}"), None) for n in range(6)])

    assert [r.status for r in results] == [200] * 6
    assert site.max_in_flight == 2


def test_get_many_runs_the_callers_hook_before_each_fetch_and_returns_what_it_raises(make_fetcher, site):
    fetcher = make_fetcher(read_timeout=OVERLAP_WAIT)

    class Busy(Exception):
        pass

    waited = []

    def before(url: str) -> None:
        waited.append(url)
        if url.endswith("/1"):
            raise Busy(url)

    site.barrier = threading.Barrier(2, timeout=5)  # the two URLs that are fetched overlap
    results = fetcher.get_many([(site.url(f"/concurrent/{n}"), None) for n in range(3)], before=before)

    assert sorted(waited) == sorted(site.url(f"/concurrent/{n}") for n in range(3))
    assert isinstance(results[1], Busy)
    assert [results[0].status, results[2].status] == [200, 200]
    assert len(site.seen) == 2  # the URL whose hook raised was never asked for


def test_get_many_of_nothing(fetcher):
    assert fetcher.get_many([]) == []


# --- policy and Retry-After ------------------------------------------------------------------


def test_policy_from_settings():
    settings = Settings(
        fetch_allow_hosts=" 127.0.0.1, 10.0.0.0/8 ,", fetch_max_bytes=123, fetch_concurrency=3, fetch_total_timeout=7
    )

    policy = FetchPolicy.from_settings(settings)

    assert policy.allow_hosts == ("127.0.0.1", "10.0.0.0/8")
    assert (policy.max_bytes, policy.concurrency, policy.total_timeout) == (123, 3, 7.0)
    assert policy.user_agent == settings.user_agent


NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ((NOW + timedelta(seconds=45)).strftime("%a, %d %b %Y %H:%M:%S GMT"), 45.0),
        ("Tue, 24 Nov 2026 12:01:00 -0000", 60.0),
        ("Tue, 24 Nov 2026 11:00:00 GMT", 0.0),  # already past: retry now
        (None, None),
        ("", None),
        ("-5", None),
        ("soon", None),
    ],
)
def test_retry_after_seconds(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


# --- TLS: connected by IP, verified by name ----------------------------------------------------


def test_https_is_verified_against_the_host_name_not_the_ip(monkeypatch, make_fetcher, tls_site):
    real = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host in ("news.test", "other.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    fetcher = make_fetcher(allow=("127.0.0.1",))

    result = fetcher.get(f"https://news.test:{tls_site.port}/ok")
    with pytest.raises(FetchError) as caught:  # same server, but its certificate is not for this name
        fetcher.get(f"https://other.test:{tls_site.port}/ok")

    assert result.body == tls_site.PAGE
    assert tls_site.seen[0][1]["host"] == f"news.test:{tls_site.port}"
    assert caught.value.retryable
    assert "doesn't match 'news.test'" in caught.value.detail
