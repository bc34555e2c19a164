import re
import socket

import pytest

from newsingest.fetching.netguard import BlockedAddress, check_ip, check_url


def fake_resolver(monkeypatch, answers: dict[str, list[str]]) -> None:
    """Answer chosen names with chosen addresses; anything else goes to the real resolver."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    ("ip", "label"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.0.1", "private"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "link-local"),
        ("169.254.0.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "shared (CGNAT)"),
        ("100.127.255.254", "shared (CGNAT)"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("::ffff:127.0.0.1", "loopback (embedded in IPv6)"),
        ("::ffff:10.0.0.1", "private (embedded in IPv6)"),
        ("::ffff:169.254.169.254", "link-local (embedded in IPv6)"),
        ("2002:a00:1::", "private (embedded in IPv6)"),  # 6to4 of 10.0.0.1
        ("fec0::1", "site-local"),
        ("192.0.2.1", "private"),  # documentation (TEST-NET-1)
        ("2001:db8::1", "private"),  # documentation
        ("198.18.0.1", "private"),  # benchmarking
        ("0.1.2.3", "private"),  # "this network"
    ],
)
def test_non_public_addresses_are_blocked_with_their_class(ip, label):
    with pytest.raises(BlockedAddress, match=re.escape(f"{ip} is a {label} address")):
        check_ip(ip)


@pytest.mark.parametrize("ip", ["8.8.8.8", "93.184.215.14", "2606:4700:4700::1111", "2002:808:808::"])
def test_public_addresses_pass(ip):
    check_ip(ip)


@pytest.mark.parametrize(
    ("ip", "allow"),
    [
        ("127.0.0.1", ["127.0.0.1"]),
        ("10.20.30.40", ["10.0.0.0/8"]),
        ("::ffff:127.0.0.1", ["127.0.0.1"]),
        ("127.0.0.1", ["allowed.test"]),
    ],
)
def test_allow_entries_exempt_an_address(monkeypatch, ip, allow):
    fake_resolver(monkeypatch, {"allowed.test": ["127.0.0.1"]})
    check_ip(ip, allow)


@pytest.mark.parametrize(
    ("ip", "allow"),
    [
        ("127.0.0.2", ["127.0.0.1"]),
        ("192.168.1.1", ["10.0.0.0/8"]),
        ("::1", ["127.0.0.0/8"]),
        ("10.0.0.1", ["allowed.test", "nonexistent.invalid"]),
    ],
)
def test_allow_entries_exempt_nothing_else(monkeypatch, ip, allow):
    fake_resolver(monkeypatch, {"allowed.test": ["127.0.0.1"]})
    with pytest.raises(BlockedAddress):
        check_ip(ip, allow)


@pytest.mark.parametrize(
    ("ip", "port", "allow", "passes"),
    [
        ("127.0.0.1", 8001, ["127.0.0.1:8001"], True),
        ("127.0.0.1", 5000, ["127.0.0.1:8001", "127.0.0.1:8002"], False),  # the embedded AWS endpoint's port
        ("127.0.0.1", None, ["127.0.0.1:8001"], False),
        ("::1", 8001, ["[::1]:8001"], True),
        ("::1", 8002, ["[::1]:8001"], False),
        ("::1", 8002, ["::1"], True),  # an IPv6 address without brackets names no port
        ("127.0.0.1", 8001, ["allowed.test:8001"], True),
        ("10.1.2.3", 8001, ["10.0.0.0/8:8001"], True),
    ],
)
def test_allow_entries_with_a_port_exempt_that_port_only(monkeypatch, ip, port, allow, passes):
    fake_resolver(monkeypatch, {"allowed.test": ["127.0.0.1"]})
    if passes:
        check_ip(ip, allow, port)
    else:
        with pytest.raises(BlockedAddress):
            check_ip(ip, allow, port)


def test_check_url_judges_the_port_of_the_url(monkeypatch):
    allow = ["127.0.0.1:8001"]
    assert check_url("http://127.0.0.1:8001/a", allow) == ["127.0.0.1"]
    with pytest.raises(BlockedAddress):
        check_url("http://127.0.0.1:8002/a", allow)
    with pytest.raises(BlockedAddress):
        check_url("http://127.0.0.1/a", allow)  # port 80


def test_check_url_returns_every_resolved_address(monkeypatch):
    fake_resolver(monkeypatch, {"news.test": ["93.184.215.14", "2606:2800:21f::1", "93.184.215.14"]})
    assert check_url("https://news.test/a?b=1") == ["93.184.215.14", "2606:2800:21f::1"]


def test_one_private_address_among_public_ones_blocks_the_host(monkeypatch):
    fake_resolver(monkeypatch, {"mixed.test": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(BlockedAddress, match=re.escape("10.0.0.7")):
        check_url("http://mixed.test/")


def test_a_name_that_resolves_to_loopback_is_blocked():
    with pytest.raises(BlockedAddress, match="loopback"):
        check_url("http://localhost:8080/")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/", "javascript:alert(1)", "//x.test/"],
)
def test_only_http_and_https_are_accepted(url):
    with pytest.raises(ValueError, match="only http and https"):
        check_url(url)


@pytest.mark.parametrize("url", ["http:///path", "http://example.com:99999/", "http://example.com:abc/"])
def test_malformed_urls_are_rejected_clearly(url):
    with pytest.raises(ValueError, match="bad URL"):
        check_url(url)
