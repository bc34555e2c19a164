from datetime import UTC, datetime

from newsingest.discovery.filters import filter_candidates
from newsingest.discovery.model import Candidate
from newsingest.models import EntryHints, SkipReason, Source

SOURCE = Source(
    id="news",
    name="News",
    homepage="https://news.example.com/",
    section_pages=["https://www.news.example.com/world"],
    exclude=[r"/live/", r"\?page="],
    include=[r"/20\d\d/", r"/world/"],
)
WHEN = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_reasons_for_every_dropped_candidate():
    candidates = [
        Candidate("https://news.example.com/2026/11/24/story-one?utm_source=rss", "feed"),
        Candidate("mailto:desk@news.example.com", "section"),
        Candidate("https://other.example.org/2026/11/24/story", "feed"),
        Candidate("https://news.example.com/2026/11/24/live/updates", "feed"),
        Candidate("https://news.example.com/about-our-newsroom-team", "section"),
        Candidate("https://www.news.example.com/world/another-story", "section"),
    ]
    kept, skipped = filter_candidates(SOURCE, candidates)
    assert [c.url for c in kept] == [
        "https://news.example.com/2026/11/24/story-one",
        "https://www.news.example.com/world/another-story",
    ]
    assert [(c.url, reason) for c, reason, _ in skipped] == [
        ("mailto:desk@news.example.com", SkipReason.BAD_URL),
        ("https://other.example.org/2026/11/24/story", SkipReason.OFF_SOURCE),
        ("https://news.example.com/2026/11/24/live/updates", SkipReason.EXCLUDED),
        ("https://news.example.com/about-our-newsroom-team", SkipReason.EXCLUDED),
    ]
    assert "/live/" in skipped[2][2]
    assert "include" in skipped[3][2]


def test_duplicates_collapse_keeping_the_richest_hints():
    candidates = [
        Candidate("https://news.example.com/2026/11/24/story#top", "section", EntryHints(title="Story")),
        Candidate(
            "https://news.example.com/2026/11/24/story?utm_medium=x", "sitemap",
            EntryHints(title="Story: the full title", published_at=WHEN), revision="2026-11-24",
        ),
        Candidate("https://news.example.com/2026/11/24/story", "feed", EntryHints(language="en")),
    ]  # fmt: skip
    kept, skipped = filter_candidates(SOURCE, candidates)
    assert skipped == []
    assert len(kept) == 1
    only = kept[0]
    assert only.url == "https://news.example.com/2026/11/24/story"
    assert only.via == "section"  # where it was first found
    assert only.hints == EntryHints(title="Story: the full title", published_at=WHEN, language="en")
    assert only.revision == "2026-11-24"


def test_no_patterns_keep_everything_on_site():
    source = Source(id="plain", name="Plain", homepage="https://plain.example.com/")
    kept, skipped = filter_candidates(source, [Candidate("https://plain.example.com/anything", "feed")])
    assert [c.url for c in kept] == ["https://plain.example.com/anything"]
    assert skipped == []
