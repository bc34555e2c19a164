from datetime import UTC, datetime

import pytest

from newsingest.discovery.feeds import parse_feed

FEED_URL = "https://news.example.com/feeds/main.xml"


def _urls(parsed):
    return [c.url for c in parsed.candidates]


def test_rss2_relative_links_duplicates_and_hints(fixture_bytes):
    parsed = parse_feed(fixture_bytes("rss2.xml"), FEED_URL)
    assert parsed.kind == "feed"
    assert _urls(parsed) == [
        "https://news.example.com/2026/11/24/council-approves-bridge",
        "https://news.example.com/2026/11/23/guid-only",
        "https://news.example.com/feeds/sport/match-report",
    ]
    first = parsed.candidates[0]
    assert first.via == "feed"
    assert first.hints.title == "Council approves the new bridge"
    assert first.hints.published_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert parsed.candidates[2].revision == "2026-11-24T12:30:00Z"
    assert parsed.candidates[2].hints.modified_at == datetime(2026, 11, 24, 12, 30, tzinfo=UTC)
    assert sum("duplicate" in p for p in parsed.problems) == 2  # same GUID; same URL after tracking removed
    assert any("no link" in p for p in parsed.problems)


def test_rss091_with_doctype_is_accepted(fixture_bytes):
    parsed = parse_feed(fixture_bytes("rss091.xml"), "http://old.example.com/rss")
    assert _urls(parsed) == ["http://old.example.com/stories/ninety-one.html"]
    assert parsed.problems == []


def test_rss1_rdf(fixture_bytes):
    parsed = parse_feed(fixture_bytes("rss1.rdf"), "https://rdf.example.com/index.rdf")
    assert _urls(parsed) == ["https://rdf.example.com/a/one-story"]
    assert parsed.candidates[0].hints.modified_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_atom_with_xml_base_and_offsets(fixture_bytes):
    parsed = parse_feed(fixture_bytes("atom.xml"), "https://atom.example.com/feed.atom")
    assert _urls(parsed) == [
        "https://atom.example.com/blog/posts/atom-entry-one",
        "https://atom.example.com/blog/posts/atom-entry-two",
    ]
    one = parsed.candidates[0]
    assert one.hints.published_at == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert one.hints.modified_at == datetime(2026, 11, 24, 18, 30, 2, tzinfo=UTC)
    assert one.revision == "2026-11-24T18:30:02Z"
    assert parsed.candidates[1].hints.published_at is None  # no published: not faked from updated


def test_json_feed(fixture_bytes):
    parsed = parse_feed(fixture_bytes("feed.json"), "https://json.example.com/feed.json")
    assert _urls(parsed) == [
        "https://json.example.com/2026/11/24/json-story",
        "https://json.example.com/2026/11/23/id-is-the-link",
    ]
    story = parsed.candidates[0]
    assert story.hints.published_at == datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    assert story.hints.modified_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert len(parsed.problems) == 3  # duplicate id, no url, not an object


@pytest.mark.parametrize(
    "body",
    [b'{"version": "https://jsonfeed.org/version/9", "items": []}', b"{not json", b'["a list"]'],
)
def test_not_a_json_feed(body):
    parsed = parse_feed(body, "https://json.example.com/feed.json")
    assert parsed.candidates == []
    assert parsed.problems[0].startswith("not a JSON Feed")


@pytest.mark.parametrize(
    ("name", "title"),
    [("latin1.xml", "Crème brûlée for all"), ("cp1252.xml", "“Smart” quotes – and a euro €")],
)
def test_declared_single_byte_encodings(fixture_bytes, name, title):
    parsed = parse_feed(fixture_bytes(name), FEED_URL)
    assert [c.hints.title for c in parsed.candidates] == [title]
    assert parsed.problems == []


def test_truncated_feed_keeps_what_was_readable(fixture_bytes):
    parsed = parse_feed(fixture_bytes("truncated.xml"), FEED_URL)
    assert _urls(parsed)[0] == "https://news.example.com/2026/11/24/council-approves-bridge"
    assert any(p.startswith("malformed XML") for p in parsed.problems)


@pytest.mark.parametrize("name", ["billion-laughs.xml", "xxe.xml"])
def test_entity_declarations_are_rejected(fixture_bytes, name):
    parsed = parse_feed(fixture_bytes(name), FEED_URL)
    assert parsed.candidates == []
    assert parsed.problems == [
        "rejected: the XML declares entities or external references (EntitiesForbidden)"
    ]


def test_html_served_as_a_feed(fixture_bytes):
    parsed = parse_feed(fixture_bytes("homepage.html"), FEED_URL)
    assert parsed.candidates == []
    assert parsed.problems == ["not a feed: the body is an HTML page"]


@pytest.mark.parametrize("body", [b"", b"\x00\xff\xfe garbage", b"<notafeed><x/></notafeed>", b"plain words"])
def test_garbage_gives_problems_not_exceptions(body):
    parsed = parse_feed(body, FEED_URL)
    assert parsed.candidates == []
    assert parsed.problems


def test_deeply_nested_json_is_a_problem_not_a_crash():
    parsed = parse_feed(b"[" * 100_000 + b"]" * 100_000, "https://json.example.com/feed.json")
    assert parsed.candidates == []
    assert parsed.problems[0].startswith("not a JSON Feed")


# --- one bad entry costs only itself -------------------------------------------------------------


@pytest.mark.parametrize("reference", ["&#x110000;", "&#1114112;", "&#xD800;", "&#0;", "&#99999999999999999999;"])
def test_a_character_reference_naming_no_character_does_not_lose_the_feed(reference):
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Bad {reference} title</title><link>https://news.example.com/a</link></item>"
        "<item><title>Good</title><link>https://news.example.com/b</link></item>"
        "</channel></rss>"
    ).encode()
    parsed = parse_feed(body, FEED_URL)
    assert _urls(parsed) == ["https://news.example.com/a", "https://news.example.com/b"]
    assert "\ufffd" in parsed.candidates[0].hints.title


def test_a_lone_surrogate_in_a_json_feed_url_skips_that_item_only():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": ['
        b'{"id": "1", "url": "https://news.example.com/\\ud800-bad"},'
        b'{"id": "2", "url": "https://news.example.com/good"}]}'
    )
    parsed = parse_feed(body, FEED_URL)
    assert _urls(parsed) == ["https://news.example.com/good"]
    assert any("entry 0" in p and "unusable link" in p for p in parsed.problems)
