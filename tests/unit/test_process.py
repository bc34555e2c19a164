"""The offline process step over our own fixture pages: page bytes in, Article or Skip out."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsingest import PIPELINE_VERSION, extract_page
from newsingest.entities.spacy_tagger import SpacyTagger
from newsingest.entities.tagger import TagRequest, TagResult
from newsingest.extraction.fingerprints import NEAR_DUPLICATE_BITS, hamming
from newsingest.models.lines import line_key
from newsingest.models.messages import EntryHints
from newsingest.models.outcomes import SkipReason
from newsingest.models.records import Article, Entity, EntityType, article_id_for
from newsingest.pipeline.process import ExtractionError, PageInput, Skip, process_page, process_pages
from newsingest.settings import Settings

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
FETCHED = datetime(2026, 11, 24, 12, tzinfo=UTC)
SEED_URL = "https://www.express.co.uk/news/world/1181234/putin-cuba-trump-venezuela-maduro"


@pytest.fixture(scope="session")
def spacy_tagger() -> SpacyTagger:
    return SpacyTagger(Settings().spacy_model)


def _page(name: str) -> bytes:
    return (PAGES / name).read_bytes()


def _input(name: str, url: str | None = None, source_id: str = "gazette", **kwargs) -> PageInput:
    url = url or f"https://news.example.org/{name.removesuffix('.html')}"
    return PageInput(html=_page(name), url=url, source_id=source_id, fetched_at=FETCHED, **kwargs)


@dataclass
class RecordingTagger:
    """A Tagger at the interface seam: records what it was asked, tags one entity per text."""

    name: str = "recording@1"
    calls: list[list[TagRequest]] = field(default_factory=list)

    def tag(self, requests: Sequence[TagRequest], memory=None) -> list[TagResult]:
        self.calls.append(list(requests))
        return [
            TagResult(
                entities=[Entity(name=r.title or "?", type=EntityType.EVENT, mentions=1, offsets=[0], salience=1)]
            )
            for r in requests
        ]


def test_seed_article_record():
    article = process_page(_page("seed-article.html"), SEED_URL + "?utm_source=feed", fetched_at=FETCHED)
    assert article.canonical_url == SEED_URL
    assert article.article_id == article_id_for(SEED_URL)
    assert article.url == SEED_URL + "?utm_source=feed"
    assert article.domain == "express.co.uk"
    assert article.title == "Putin’s new Cuba: How Trump lost control in Venezuela and gave Moscow upper hand"
    assert article.authors == ["Ciaran McGrath"]
    assert article.published_at == datetime(2019, 9, 23, 11, 29, tzinfo=UTC)
    assert article.modified_at == datetime(2019, 9, 23, 12, 5, tzinfo=UTC)
    assert (article.language, article.section) == ("en", "World")
    assert article.image == "https://www.express.co.uk/img/dynamic/78/750x445/1181234.jpg"
    assert article.provenance["title"] == "jsonld" and article.provenance["language"] == "text"
    assert (article.version, article.duplicate_of) == (1, None)
    assert article.pipeline_version == PIPELINE_VERSION
    assert [f.kind for f in article.flags] == ["not_tagged"]


def test_seed_body_has_no_promo_no_headline_and_every_paragraph():
    article = process_page(_page("seed-article.html"), SEED_URL, fetched_at=FETCHED)
    assert "READ MORE" not in article.text
    assert not article.text.startswith("Putin’s new Cuba")  # the headline is the title, not the body
    assert article.text.startswith("Following sanctions and aggressive diplomacy")
    assert article.text.endswith("where world leaders will all convene.")
    assert len(article.text.split("\n")) == 13
    assert article.word_count == len(article.text.split())


def test_og_only_page_with_a_multi_author_byline_and_promos():
    article = process_pages([_input("og-only.html")], tagger=None)[0]
    assert article.authors == ["Jane Doe", "John Roe", "Ana Lima"]
    assert article.published_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert article.tags == ["Riverside", "Small business", "Schools"]
    assert article.provenance["published_at"] == "opengraph"
    for promo in ("newsletter", "Share this article", "Photo:"):
        assert promo not in article.text


def test_agency_credit_is_kept_apart_from_authors():
    article = process_pages([_input("agency.html")], tagger=None)[0]
    assert (article.authors, article.credits) == (["Maria Costa"], ["Reuters"])


def test_future_date_is_clamped_to_the_fetch_and_flagged():
    article = process_pages([_input("future-date.html")], tagger=None)[0]
    assert article.published_at == FETCHED
    assert "future_date_clamped" in {f.kind for f in article.flags}


def test_paywalled_teaser_is_flagged_not_silent():
    article = process_pages([_input("paywall.html")], tagger=None)[0]
    teaser = [f for f in article.flags if f.kind == "teaser"]
    assert teaser and "isAccessibleForFree=false" in teaser[0].reason


def test_consent_wall_is_skipped_with_the_reason():
    skip = process_pages([_input("consent-wall.html")], tagger=None)[0]
    assert skip.reason is SkipReason.NO_TEXT
    assert skip.detail.startswith("consent_wall")


def test_feed_hints_fill_what_the_page_lacks():
    hints = EntryHints(published_at=datetime(2024, 5, 1, 9, tzinfo=UTC))
    article = process_pages([_input("french.html", hints=hints)], tagger=None)[0]
    assert (article.published_at, article.provenance["published_at"]) == (hints.published_at, "feed")


def test_bad_pages_become_skips_and_the_batch_goes_on():
    inputs = [
        _input("agency.html"),
        PageInput(html=b"", url="https://news.example.org/empty", source_id="s", fetched_at=FETCHED),
        PageInput(html=bytes(range(256)) * 40, url="https://news.example.org/bin", source_id="s", fetched_at=FETCHED),
        PageInput(
            html=b"<html><body><p>" + b"x" * 10_000_001 + b"</p></body></html>",
            url="https://news.example.org/huge",
            source_id="s",
            fetched_at=FETCHED,
        ),
        PageInput(
            html=b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
            url="https://news.example.org/nav",
            source_id="s",
            fetched_at=FETCHED,
        ),
        _input("og-only.html"),
    ]
    results = process_pages(inputs, tagger=None)
    assert isinstance(results[0], Article) and isinstance(results[-1], Article)
    assert [r.reason for r in results[1:-1]] == [
        SkipReason.NO_TEXT,
        SkipReason.NOT_HTML,
        SkipReason.TOO_LARGE,
        SkipReason.NOT_AN_ARTICLE,
    ]


def test_process_page_raises_extraction_error():
    with pytest.raises(ExtractionError) as caught:
        extract_page(b"\x00\x01\x02" * 1000, "https://news.example.org/bin")
    assert caught.value.reason is SkipReason.NOT_HTML


def test_one_tagger_call_per_batch_and_results_stay_aligned():
    tagger = RecordingTagger()
    inputs = [_input("agency.html"), _input("consent-wall.html"), _input("future-date.html")]
    results = process_pages(inputs, tagger=tagger)
    assert len(tagger.calls) == 1
    assert [r.title for r in tagger.calls[0]] == [results[0].title, results[2].title]
    assert isinstance(results[1], Skip)
    assert results[0].entities[0].name == "Harbour authority approves new ferry terminal"
    assert results[2].entities[0].name == "Library extends opening hours for exam season"
    assert results[0].extractor_versions["tagger"] == "recording@1"
    assert "not_tagged" not in {f.kind for f in results[0].flags}


def test_spacy_tagger_over_a_batch(spacy_tagger):
    inputs = [_input("seed-article.html", url=SEED_URL), _input("french.html")]
    seed, french = process_pages(inputs, tagger=spacy_tagger)
    names = {(e.name, e.type) for e in seed.entities}
    assert ("Venezuela", EntityType.PLACE) in names
    for entity in seed.entities:
        for offset in entity.offsets:
            assert seed.text[offset:].startswith(entity.name.split()[-1]) or entity.name in seed.text
    assert seed.extractor_versions["tagger"] == spacy_tagger.name
    assert french.language == "fr"
    assert [f.kind for f in french.flags] == ["not_tagged"]


def test_boilerplate_learned_for_a_source_applies_to_that_source_only():
    line = "Harbour authority approves new ferry terminal"  # the headline, as if it repeated
    repeated = {"gazette": {line_key("The terminal will have four berths and a covered waiting hall, and the "
                                     "authority expects the first boats to dock there in the spring of next year "
                                     "if construction stays on schedule.")}}  # fmt: skip
    mine, other = process_pages(
        [_input("agency.html"), _input("agency.html", source_id="other")], tagger=None, boilerplate=repeated
    )
    assert "four berths" not in mine.text
    assert "four berths" in other.text
    assert line not in mine.text


def test_syndicated_copy_has_the_same_hash_and_an_edited_copy_a_near_simhash():
    original = _page("seed-article.html").decode()
    restyled = original.replace("<main>", "<main class='syndicated'><p class='kicker'>World</p>")
    edited = original.replace("tomorrow where", "on Tuesday where")
    first, copy, changed = process_pages(
        [
            _input("seed-article.html", url=SEED_URL),
            PageInput(restyled.encode(), "https://partner.example.net/world/putin-cuba", "partner", FETCHED),
            PageInput(edited.encode(), SEED_URL, "express", FETCHED),
        ],
        tagger=None,
    )
    assert copy.content_hash == first.content_hash
    assert copy.canonical_url == "https://partner.example.net/world/putin-cuba"  # off-site canonical ignored
    assert changed.article_id == first.article_id and changed.content_hash != first.content_hash
    assert hamming(changed.simhash, first.simhash) <= NEAR_DUPLICATE_BITS


def test_the_headline_block_is_not_part_of_the_body():
    paragraphs = "".join(
        f"<p>Paragraph {n} of the report on the harbour works, with enough words to count as text.</p>"
        for n in range(6)
    )
    html = f"""<html><head><title>Harbour works begin</title>
    <meta property="og:title" content="Harbour works begin">
    <meta property="og:description" content="Cranes arrive at the quay on Monday.">
    </head><body><article><p class="kicker">News</p><h1>Harbour works begin</h1>
    <p class="standfirst">Cranes arrive at the quay on Monday.</p>{paragraphs}</article></body></html>"""
    article = process_page(html, "https://news.example.org/harbour-works")
    assert article.title == "Harbour works begin"
    assert article.text.startswith("Paragraph 0")
    assert "Cranes arrive" not in article.text


def test_writers_named_after_a_label_beat_a_json_ld_author_that_is_the_publisher():
    paragraphs = "".join(
        f"<p>Paragraph {n} of the report on the harbour works, with enough words to count as text.</p>"
        for n in range(6)
    )
    html = f"""<html><head><title>Harbour works begin</title>
    <script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Harbour works begin",
    "author": {{"@type": "Organization", "name": "Harbour Times"}}}}</script>
    </head><body><article><h1>Harbour works begin</h1>
    <ul class="facts"><li>3 min read</li><li>Von: <a href="/p/ann">Ann Lee</a>, <a href="/p/bo">Bo Roe</a></li></ul>
    {paragraphs}</article></body></html>"""
    article = process_page(html, "https://news.example.org/harbour-works")
    assert (article.authors, article.provenance["authors"]) == (["Ann Lee", "Bo Roe"], "labelled_byline")


def test_a_japanese_article_is_counted_by_characters_not_skipped_as_short():
    article = process_page(_page("japanese.html"), "https://wangan.example.jp/news/1", fetched_at=FETCHED)
    assert article.word_count > 100  # seven "words" by whitespace
    assert article.title == "港の新しいフェリーターミナルが承認される"  # the site's name is off the title
    assert article.language == "ja"
    assert "short_text" not in {f.kind for f in article.flags}


def test_a_live_blog_keeps_every_post_and_its_intro():
    article = process_page(_page("liveblog.html"), "https://news.example.org/live/storm", fetched_at=FETCHED)
    assert article.live_blog
    assert [(p.headline, p.published_at.isoformat()) for p in article.posts] == [
        ("Harbour bridge closed", "2026-01-05T09:15:00+00:00"),
        ("Ferries suspended", "2026-01-05T08:30:00+00:00"),
        ("Warning raised to red", "2026-01-05T07:45:00+00:00"),
    ]
    lines = article.text.split("\n")
    assert lines[0].startswith("A winter storm is reaching the coast")
    assert sum("harbour bridge to all traffic" in line for line in lines) == 1  # each post once
    assert lines[-1] == article.posts[-1].text


def test_an_ordinary_article_is_not_a_live_blog():
    article = process_page(_page("agency.html"), "https://news.example.org/agency", fetched_at=FETCHED)
    assert (article.live_blog, article.posts) == (False, [])


def test_access_is_what_the_publisher_declares_and_text_complete_what_we_got():
    teaser = process_page(_page("paywall.html"), "https://news.example.org/mill", fetched_at=FETCHED)
    assert (teaser.access, teaser.text_complete) == ("paid", False)
    free = process_page(_page("seed-article.html"), SEED_URL, fetched_at=FETCHED)
    assert (free.access, free.text_complete) == ("free", True)


def test_extract_page_returns_entities_without_being_given_a_tagger():
    article = extract_page(_page("seed-article.html"), SEED_URL, fetched_at=FETCHED)
    assert "PERSON" in {e.type for e in article.entities}
    assert "not_tagged" not in {f.kind for f in article.flags}
    assert extract_page(_page("seed-article.html"), SEED_URL, fetched_at=FETCHED, tagger=None).entities == []


def test_a_page_rendered_client_side_gives_its_body_from_the_hydration_state():
    for name in ("nextjs-hydrated.html", "nuxt-hydrated.html"):
        article = process_page(_page(name), "https://news.example.org/ferry", fetched_at=FETCHED)
        assert article.provenance["text"] == "hydration"
        assert article.text.startswith("The harbour board in Southampton approved the new ferry terminal")
        assert article.text.endswith("the waiting hall and the car park.")
        assert "Read more" not in article.text  # the main path's line cleaning applies
        assert "library" not in article.text
    seed = process_page(_page("seed-article.html"), SEED_URL, fetched_at=FETCHED)
    assert seed.provenance["text"] == "trafilatura"


def test_hydration_state_of_teasers_and_navigation_is_no_body():
    with pytest.raises(ExtractionError) as raised:
        process_page(_page("hydrated-teasers.html"), "https://news.example.org/ferry", fetched_at=FETCHED)
    assert raised.value.reason == SkipReason.NO_TEXT
    assert "no article body in hydration state" in raised.value.detail
