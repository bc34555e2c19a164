"""The bundled sample sites serve what expected.json promises, and speak HTTP the way the pipeline needs."""

from __future__ import annotations

import gzip
import html
import http.client
import json
import string
from collections import Counter
from datetime import datetime
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml
from defusedxml import ElementTree
from protego import Protego

from newsingest.local.sites import DEFAULT_ROOT, SampleSites, start_sample_sites
from newsingest.models.outcomes import SkipReason
from newsingest.models.records import EntityType
from newsingest.models.source import SourcesFile

EXPECTED = json.loads((DEFAULT_ROOT / "expected.json").read_text("utf-8"))
ARTICLES = EXPECTED["articles"]
UPDATED = next(a for a in ARTICLES if a["updated_in_edition"] == 2)
LYING = EXPECTED["stale_validators"][0]


@pytest.fixture(scope="module")
def sites():
    with start_sample_sites() as running:
        yield running


@pytest.fixture(autouse=True)
def edition_one(sites: SampleSites):
    sites.set_edition(1)
    yield
    sites.set_edition(1)


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    """One request, no redirect following, any status returned rather than raised."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def url(sites: SampleSites, site: str, path: str) -> str:
    return sites.base_urls[site] + path


def sources(sites: SampleSites) -> SourcesFile:
    text = string.Template((DEFAULT_ROOT / "sources.yaml").read_text("utf-8")).substitute(sites.env)
    return SourcesFile.model_validate(yaml.safe_load(text))


def discovery_documents(sites: SampleSites, site: str) -> str:
    """Every feed, sitemap, section page and homepage of a site, concatenated, in the current edition."""
    source = next(s for s in sources(sites).sources if s.id == site)
    bodies = []
    for doc_url in [source.homepage, *source.feeds, *source.sitemaps, *source.section_pages]:
        status, _, body = fetch(str(doc_url))
        assert status == 200, doc_url
        bodies.append(html.unescape(body.decode("utf-8")))
    return "\n".join(bodies)


def test_every_expected_article_is_an_html_page_in_its_edition(sites):
    for edition in (1, 2):
        sites.set_edition(edition)
        for article in (a for a in ARTICLES if a["edition"] == edition):
            status, headers, body = fetch(url(sites, article["site"], article["path"]))
            assert status == 200, article["path"]
            assert headers["Content-Type"] == "text/html; charset=utf-8"
            page = html.unescape(body.decode("utf-8"))
            assert article["title"] in page
            assert "{{" not in page, "placeholder left unreplaced"
            for name in article["authors"] + [e["name"] for e in article["entities"]]:
                assert name in page, (article["path"], name)
            for boilerplate in article["body_must_not_contain"]:
                assert boilerplate in page, (article["path"], boilerplate)


def test_edition_two_articles_do_not_exist_in_edition_one(sites):
    new = [a for a in ARTICLES if a["edition"] == 2]
    assert len(new) == 2
    for article in new:
        assert fetch(url(sites, article["site"], article["path"]))[0] == 404


@pytest.mark.parametrize("edition", [1, 2])
def test_feeds_and_sitemaps_parse(sites, edition):
    sites.set_edition(edition)
    for source in sources(sites).sources:
        for feed_url in source.feeds:
            status, headers, body = fetch(str(feed_url))
            assert status == 200
            assert headers["Content-Type"].split(";")[0] in {"application/rss+xml", "application/atom+xml"}
            ElementTree.fromstring(body)
            parsed = feedparser.parse(body)
            assert not parsed.bozo and len(parsed.entries) >= 9
        for sitemap_url in source.sitemaps:
            status, headers, body = fetch(str(sitemap_url))
            assert headers["Content-Type"] == "application/xml; charset=utf-8"
            root = ElementTree.fromstring(body)
            ns = {
                "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
                "n": "http://www.google.com/schemas/sitemap-news/0.9",
            }
            assert len(root.findall("s:url/n:news/n:publication_date", ns)) >= 9


def test_conditional_get_answers_304_and_is_logged(sites):
    feed = url(sites, "harbour-times", "/feeds/latest.rss")
    _, headers, _ = fetch(feed)
    status, _, body = fetch(feed, headers={"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")
    status, _, _ = fetch(feed, headers={"If-Modified-Since": headers["Last-Modified"]})
    assert status == 304
    status, _, _ = fetch(feed, headers={"If-None-Match": '"something-else"'})
    assert status == 200
    assert sites.requests[-1].conditional and sites.requests[-1].status == 200
    assert sites.requests[-3].path == "/feeds/latest.rss" and sites.requests[-3].status == 304


def test_gzip_and_head(sites):
    page = url(sites, ARTICLES[0]["site"], ARTICLES[0]["path"])
    _, plain_headers, plain = fetch(page)
    _, headers, packed = fetch(page, headers={"Accept-Encoding": "gzip, deflate"})
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed) == plain
    assert headers["ETag"] == plain_headers["ETag"]
    status, head_headers, body = fetch(page, method="HEAD")
    assert (status, body) == (200, b"")
    assert int(head_headers["Content-Length"]) == len(plain)


def test_edition_two_updates_one_article_and_the_lying_feed_keeps_its_etag(sites):
    article = url(sites, UPDATED["site"], UPDATED["path"])
    lying = url(sites, LYING["site"], LYING["path"])
    honest = url(sites, "harbour-times", "/feeds/latest.rss")
    _, article_headers, first_text = fetch(article)
    _, lying_headers, lying_first = fetch(lying)
    _, honest_headers, _ = fetch(honest)

    sites.set_edition(2)
    _, new_headers, second_text = fetch(article)
    assert second_text != first_text and b"600 jobs" in second_text
    assert new_headers["ETag"] != article_headers["ETag"]
    assert fetch(honest, headers={"If-None-Match": honest_headers["ETag"]})[0] == 304

    status, headers, body = fetch(lying, headers={"If-None-Match": lying_headers["ETag"]})
    assert status == 200 and body != lying_first
    assert headers["ETag"] == lying_headers["ETag"]
    assert headers["Last-Modified"] == lying_headers["Last-Modified"]
    new_paths = [a["path"] for a in ARTICLES if a["edition"] == 2 and a["site"] == LYING["site"]]
    assert new_paths and all(path.encode() in body for path in new_paths)


def test_set_edition_rejects_unknown_editions(sites):
    with pytest.raises(ValueError, match="edition"):
        sites.set_edition(3)


def test_missing_redirected_slow_pdf_and_robots_cases(sites):
    skipped = {s["reason"]: s for s in EXPECTED["skipped"]}
    missing = skipped["http_client_error"]
    assert fetch(url(sites, missing["site"], missing["path"]))[0] == 404

    redirect = EXPECTED["redirects"][0]
    status, headers, _ = fetch(url(sites, redirect["site"], redirect["from_path"]))
    assert status == 301
    assert headers["Location"] == url(sites, redirect["site"], redirect["to_path"])

    pdf = skipped["not_html"]
    status, headers, body = fetch(url(sites, pdf["site"], pdf["path"]))
    assert status == 200 and headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")

    private = skipped["robots_disallowed"]
    _, _, robots_txt = fetch(url(sites, private["site"], "/robots.txt"))
    robots = Protego.parse(robots_txt.decode())
    assert not robots.can_fetch(url(sites, private["site"], private["path"]), "newsingest")
    assert robots.crawl_delay("newsingest") == 0.2
    assert fetch(url(sites, private["site"], private["path"]))[0] == 200  # only robots.txt keeps it out

    # The slow page is an ordinary article (fetched, slowly, by the first test), so it must succeed.
    slow = EXPECTED["slow"][0]
    assert (slow["site"], slow["path"]) in {(a["site"], a["path"]) for a in ARTICLES}


def test_internal_files_are_never_served(sites):
    for path in ["/_site.json", "/_edition2/feed.atom", "/../expected.json"]:
        assert fetch(url(sites, "northern-ledger", path))[0] == 404


def test_expected_json_is_consistent_with_the_sites(sites):
    assert len(ARTICLES) >= 27
    assert sum(a["edition"] == 1 for a in ARTICLES) >= 25
    per_site = Counter(a["site"] for a in ARTICLES)
    assert set(per_site) == set(sites.base_urls) and min(per_site.values()) >= 8
    assert len({(a["site"], a["path"]) for a in ARTICLES}) == len(ARTICLES)
    keys = {(a["site"], a["path"]) for a in ARTICLES}
    duplicates = [a for a in ARTICLES if a["duplicate_of"]]
    assert len(duplicates) == 1
    assert (duplicates[0]["duplicate_of"]["site"], duplicates[0]["duplicate_of"]["path"]) in keys
    for article in ARTICLES:
        assert datetime.fromisoformat(article["published_at"]).utcoffset().total_seconds() == 0
        assert 3 <= len(article["entities"]) <= 6
        assert {e["type"] for e in article["entities"]} <= set(EntityType)
    assert {s["reason"] for s in EXPECTED["skipped"]} <= set(SkipReason)

    redirected = {(r["site"], r["to_path"]): r["from_path"] for r in EXPECTED["redirects"]}
    for edition in (1, 2):
        sites.set_edition(edition)
        documents = {site: discovery_documents(sites, site) for site in sites.base_urls}
        for article in (a for a in ARTICLES if a["edition"] == edition):
            base = sites.base_urls[article["site"]]
            linked = [base + article["path"]]
            if (article["site"], article["path"]) in redirected:
                linked.append(base + redirected[(article["site"], article["path"])])
            assert any(link in documents[article["site"]] for link in linked), article["path"]
        for skip in EXPECTED["skipped"]:
            assert sites.base_urls[skip["site"]] + skip["path"] in documents[skip["site"]]


def test_sources_yaml_names_every_site_and_the_env_fills_it(sites):
    parsed = sources(sites)
    assert {s.id for s in parsed.sources} == set(sites.base_urls)
    assert set(sites.env) == {"SITE_" + s.upper().replace("-", "_") for s in sites.base_urls}
    civic = next(s for s in parsed.sources if s.id == "civic-wire")
    assert not civic.feeds and not civic.sitemaps and len(civic.section_pages) == 2
