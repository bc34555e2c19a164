import pytest
from courlan import clean_url

from newsingest.discovery.urls import canonicalize, prefer_page_canonical, same_site


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.COM:80/a/b", "http://www.example.com/a/b"),
        ("https://example.com:443/x", "https://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("https://example.com/x#comments", "https://example.com/x"),
        ("https://example.com/x?utm_source=a&utm_medium=b&id=3", "https://example.com/x?id=3"),
        ("https://example.com/x?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&msclkid=5", "https://example.com/x"),
        ("https://example.com/x?b=2&a=1", "https://example.com/x?a=1&b=2"),
        ("https://example.com/news/story/amp", "https://example.com/news/story"),
        ("https://example.com/2026/11/story/amp/", "https://example.com/2026/11/story/"),
        ("https://example.com/x?amp=1", "https://example.com/x"),
        ("https://example.com/x?outputType=amp&id=3", "https://example.com/x?id=3"),
        ("https://example.com/x?game=1&gallery=2&source=3", "https://example.com/x?gallery=2&game=1&source=3"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ("https://example.com/champion-amped", "https://example.com/champion-amped"),
    ],
)
def test_canonical_spelling(url, expected):
    assert canonicalize(url) == expected


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a", "mailto:a@example.com", "javascript:void(0)", "https://exa mple.com/",
            "https://example.com:99999/", "https:///nohost", "", "//"]
)  # fmt: skip
def test_not_http_urls_give_none(url):
    assert canonicalize(url) is None


def test_relative_urls_resolve_against_base():
    assert canonicalize("../b?x=1#top", base="https://example.com/a/c/d") == "https://example.com/a/b?x=1"
    assert canonicalize("//cdn.example.com/x", base="https://example.com/") == "https://cdn.example.com/x"


def test_courlan_alone_would_keep_fragments_and_drop_real_parameters():
    """Why canonicalize filters queries itself: these courlan behaviours would lose or split articles."""
    assert clean_url("https://example.com/x#frag") == "https://example.com/x#frag"
    assert clean_url("https://example.com/x?gallery=2") == "https://example.com/x"


def test_same_site_ignores_www_and_scheme_but_not_port():
    assert same_site("https://www.example.com/a", "http://example.com/b")
    assert same_site("https://example.com:443/a", "https://example.com/b")
    assert not same_site("http://localhost:8001/a", "http://localhost:8002/a")
    assert not same_site("https://news.example.com/a", "https://example.com/a")
    assert not same_site("not a url", "https://example.com/")


def test_page_canonical_collapses_www_variants():
    for fetched in ("https://www.example.com/a?utm_source=x", "http://example.com/a"):
        assert prefer_page_canonical(fetched, "https://example.com/a") == "https://example.com/a"


def test_relative_page_canonical_is_resolved():
    assert prefer_page_canonical("https://example.com/a?p=1", "/a") == "https://example.com/a"


@pytest.mark.parametrize("canonical", [None, "", "https://other.example/a", "javascript:alert(1)"])
def test_unusable_page_canonical_falls_back_to_the_fetched_url(canonical):
    assert prefer_page_canonical("https://Example.com/a#x", canonical) == "https://example.com/a"
