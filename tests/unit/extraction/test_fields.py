from datetime import UTC, datetime

import pytest

from newsingest.extraction.fields import (
    CLOCK_SKEW,
    hint_signals,
    parse_datetime,
    reconcile,
    site_label,
    split_byline,
)
from newsingest.extraction.signals import Signals
from newsingest.models.messages import EntryHints

FETCHED = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
URL = "https://news.example.org/story"
ENGLISH = "The council met on Monday evening to discuss the budget for the coming year. " * 5


def _reconcile(*signals: Signals, text: str = ENGLISH, declared: str | None = None):
    return reconcile(signals, text=text, url=URL, fetched_at=FETCHED, declared_language=declared)


@pytest.mark.parametrize(
    ("byline", "people", "credits"),
    [
        ("By Jane Doe", ["Jane Doe"], []),
        ("BY JANE DOE", ["JANE DOE"], []),
        ("Jane Doe, John Roe and Ana Lima", ["Jane Doe", "John Roe", "Ana Lima"], []),
        ("By Jane Doe & John Roe", ["Jane Doe", "John Roe"], []),
        ("Jane Doe; John Roe", ["Jane Doe", "John Roe"], []),
        ("Jane Doe, Reuters", ["Jane Doe"], ["Reuters"]),
        ("Associated Press", [], ["Associated Press"]),
        ("AP", [], ["AP"]),
        ("AFP", [], ["AFP"]),
        ("Gazette Staff", [], ["Gazette Staff"]),
        ("Newsroom", [], ["Newsroom"]),
        ("Express.co.uk", [], ["Express.co.uk"]),
        ("Jane Doe, Political Correspondent", ["Jane Doe"], []),
        ("jane@example.org", [], []),
        ("Analysis by Chris Doe", ["Chris Doe"], []),
        ("JILL ROE Associated Press", ["JILL ROE"], ["Associated Press"]),
        ("Sandee Doe, CNN", ["Sandee Doe"], ["CNN"]),
        ("Ilana Doe, MS, RDN", ["Ilana Doe"], []),
        ("Jeff Roe Monday, November", ["Jeff Roe"], []),
        ("Carrie Doe November", ["Carrie Doe"], []),
        ("Theresa May", ["Theresa May"], []),
    ],
)
def test_split_byline(byline, people, credits):
    assert split_byline(byline) == (people, credits)


@pytest.mark.parametrize(
    ("byline", "url", "credits"),
    [
        ("Gazette Sport", "https://www.gazette.co.uk/sport/1", ["Gazette Sport"]),
        ("Valley Gazette", "https://valleygazette.com/a", ["Valley Gazette"]),
        ("Gazette Sport", "https://other.example.org/a", []),
    ],
)
def test_a_byline_naming_the_site_is_a_credit(byline, url, credits):
    assert split_byline(byline, site_label(url))[1] == credits


def test_authors_come_from_one_signal_in_order_of_trust():
    jsonld = Signals("jsonld", authors=["Ann Lee"], credits=["Reuters"])
    meta = Signals("meta", authors=["Someone Else"])
    fields = _reconcile(jsonld, meta)
    assert (fields.authors, fields.credits, fields.provenance["authors"]) == (["Ann Lee"], ["Reuters"], "jsonld")


def test_staff_only_byline_gives_credit_and_no_people():
    fields = _reconcile(Signals("meta", authors=["By Gazette Staff"]))
    assert (fields.authors, fields.credits) == ([], ["Gazette Staff"])


def test_first_signal_with_a_value_wins_per_field_and_is_recorded():
    fields = _reconcile(
        Signals("jsonld", title="From JSON-LD"),
        Signals("opengraph", title="From OG", description="OG description", image="/img/a.jpg"),
        Signals("trafilatura", title="From trafilatura", tags=["x", "X", " y "]),
    )
    assert (fields.title, fields.description) == ("From JSON-LD", "OG description")
    assert fields.image == "https://news.example.org/img/a.jpg"
    assert fields.tags == ["x", "y"]
    assert fields.provenance == {
        "title": "jsonld",
        "description": "opengraph",
        "image": "opengraph",
        "tags": "trafilatura",
        "language": "text",
    }


def test_dates_are_utc():
    fields = _reconcile(Signals("opengraph", published="2024-03-05T09:30:00-05:00"))
    assert fields.published_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert fields.provenance["published_at"] == "opengraph"


def test_unparseable_date_falls_through_to_the_next_signal():
    fields = _reconcile(Signals("jsonld", published="yesterday-ish"), Signals("meta", published="2024-05-01"))
    assert fields.published_at == datetime(2024, 5, 1, tzinfo=UTC)
    assert fields.provenance["published_at"] == "meta"


def test_future_date_beyond_skew_is_clamped_and_flagged():
    fields = _reconcile(Signals("jsonld", published="2031-01-01T00:00:00Z"))
    assert fields.published_at == FETCHED
    assert [f.kind for f in fields.flags] == ["future_date_clamped"]
    assert "2031-01-01" in fields.flags[0].reason


def test_date_within_skew_is_kept():
    within = FETCHED + CLOCK_SKEW / 2
    fields = _reconcile(Signals("jsonld", published=within.isoformat()))
    assert (fields.published_at, fields.flags) == (within, [])


def test_modified_before_published_is_dropped():
    fields = _reconcile(Signals("jsonld", published="2024-05-02T00:00:00Z", modified="2024-05-01T00:00:00Z"))
    assert fields.modified_at is None
    assert "modified_at" not in fields.provenance


def test_feed_hints_are_the_last_resort():
    hints = EntryHints(title="Feed title", published_at=datetime(2024, 4, 1, 8, tzinfo=UTC))
    fields = _reconcile(Signals("jsonld", title="Page title"), hint_signals(hints))
    assert fields.title == "Page title"
    assert (fields.published_at, fields.provenance["published_at"]) == (hints.published_at, "feed")


def test_language_from_text_overrides_a_wrong_declaration():
    french = "La mairie a annoncé lundi la rénovation complète du marché couvert, fermé depuis l'hiver. " * 4
    fields = _reconcile(Signals("meta"), text=french, declared="en")
    assert (fields.language, fields.provenance["language"]) == ("fr", "text")


def test_short_text_takes_the_declared_language():
    fields = _reconcile(Signals("meta"), text="Ja.", declared="de-AT")
    assert (fields.language, fields.provenance["language"]) == ("de", "html_lang")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-11-18T10:00:00Z", datetime(2019, 11, 18, 10, tzinfo=UTC)),
        ("2019-11-18", datetime(2019, 11, 18, tzinfo=UTC)),
        ("Mon, 18 Nov 2019 10:00:00 EST", datetime(2019, 11, 18, 15, tzinfo=UTC)),
        ("Mon, 18 Nov 2019 10:00:00 +0100", datetime(2019, 11, 18, 9, tzinfo=UTC)),
        ("not a date", None),
        ("1970-01-01T00:00:00Z", None),
        ("", None),
    ],
)
def test_parse_datetime(value, expected):
    assert parse_datetime(value) == expected


def test_an_organisation_after_names_joined_by_and_is_a_credit():
    assert split_byline("By Eleanor Whitcombe and Tom Reyes, Harbour Times") == (
        ["Eleanor Whitcombe", "Tom Reyes"],
        ["Harbour Times"],
    )
    assert split_byline("By Ann Lee, Bo Chan and Cy Diaz") == (["Ann Lee", "Bo Chan", "Cy Diaz"], [])


@pytest.mark.parametrize(
    ("byline", "people", "credits"),
    [
        ("von David Straub", ["David Straub"], []),
        ("Autor: Monika Bolliger", ["Monika Bolliger"], []),
        ("Felix Schröder und Jörg Soldwisch", ["Felix Schröder", "Jörg Soldwisch"], []),
        ("Trine Jørgensen og Tôrtia Reimer", ["Trine Jørgensen", "Tôrtia Reimer"], []),
        ("Elena Oberholzer (obe), Oliver Maksan (oma)", ["Elena Oberholzer", "Oliver Maksan"], []),
        ("The Associated Press", [], ["The Associated Press"]),
        ("Magazin Von Jemima Roe", ["Jemima Roe"], []),
        ("Ursula von der Leyen", ["Ursula von der Leyen"], []),
        ("牛镛、岳弘彬", ["牛镛", "岳弘彬"], []),
    ],
)
def test_split_byline_in_other_languages(byline, people, credits):
    assert split_byline(byline) == (people, credits)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Dax falls again | Börsen-Zeitung", "Dax falls again"),
        ("Samsung must destroy phones - Golem.de", "Samsung must destroy phones"),
        ("Kyiv prepares | DW | 28.04.2023", "Kyiv prepares"),
        ("津波注意報 気象庁：朝日新聞デジタル", "津波注意報 気象庁"),
        ("Harbour Times | ferry terminal approved", "ferry terminal approved"),
        ("Sport: Bayern win - and what it means", "Sport: Bayern win - and what it means"),
        ("Edwards wins - Dwight stays", "Edwards wins - Dwight stays"),  # "dw" is a word, not a substring
    ],
)
def test_site_affixes_leave_the_title(title, expected):
    from newsingest.extraction.fields import strip_site_affixes

    names = ["börsenzeitung", "golem", "dw", "朝日新聞デジタル", "harbourtimes"]
    assert strip_site_affixes(title, names) == expected


def test_title_is_another_signals_title_without_its_tail():
    fields = _reconcile(
        Signals("jsonld", title="Ferry terminal approved &#8211; Island Post"),
        Signals("headline", title="Ferry terminal approved"),
    )
    assert fields.title == "Ferry terminal approved"


def test_fields_are_decoded_and_share_prompts_dropped():
    fields = _reconcile(
        Signals("jsonld", title="BIDEN&amp;#8217;S AMERICA\u200b", description="Share this on WhatsApp  A new   plan")
    )
    assert (fields.title, fields.description) == ("BIDEN’S AMERICA", "A new plan")


def test_a_visible_byline_beats_a_jsonld_author_that_is_the_site():
    fields = _reconcile(
        Signals("jsonld", authors=["Harbour Times"], site_names=["Harbour Times"]),
        Signals("byline", authors=["By Mira Holm"]),
    )
    assert (fields.authors, fields.provenance["authors"]) == (["Mira Holm"], "byline")


def test_a_lone_word_below_a_site_credit_is_not_a_byline():
    fields = _reconcile(Signals("jsonld", credits=["Gazette"]), Signals("byline", authors=["Red, Frankfurt"]))
    assert (fields.authors, fields.credits) == ([], ["Gazette"])


def test_a_date_takes_its_time_from_a_less_trusted_signal_on_the_same_day():
    fields = _reconcile(Signals("jsonld", published="2024-03-02"), Signals("time", published="2024-03-02T20:48+0000"))
    assert fields.published_at == datetime(2024, 3, 2, 20, 48, tzinfo=UTC)
    assert fields.provenance["published_at"] == "time"


def test_a_time_on_another_day_is_not_borrowed():
    fields = _reconcile(Signals("jsonld", published="2024-03-02"), Signals("time", published="2024-03-05T20:48+0000"))
    assert fields.published_at == datetime(2024, 3, 2, tzinfo=UTC)


def test_a_zoneless_time_takes_the_zone_of_a_signal_with_the_same_wall_clock():
    fields = _reconcile(
        Signals("jsonld", published="2023-04-28 18:11:01.0"), Signals("meta", published="2023-04-28T18:11:01+02:00")
    )
    assert fields.published_at == datetime(2023, 4, 28, 16, 11, 1, tzinfo=UTC)


def test_a_zoneless_time_ahead_of_the_fetch_by_hours_is_a_local_time_not_a_future_date():
    fields = _reconcile(Signals("jsonld", published="2024-06-01T15:00:00"))  # fetched 12:00 UTC
    assert fields.published_at == datetime(2024, 6, 1, 15, tzinfo=UTC)
    assert not fields.flags


def test_meta_keys_match_whatever_their_punctuation():
    from lxml.html import document_fromstring

    from newsingest.extraction.signals import opengraph_signals

    tree = document_fromstring(
        '<html><head><meta property="article:published:time" content="2024-10-23T15:48:15+00:00">'
        "</head><body><p>x</p></body></html>"
    )
    assert opengraph_signals(tree).published == "2024-10-23T15:48:15+00:00"


def test_the_title_shown_on_the_page_wins_over_a_different_seo_headline():
    fields = _reconcile(
        Signals("jsonld", title="Storm hits coast: what we know"),
        Signals("opengraph", title="Storm batters the coast overnight"),
        Signals("meta", title="Storm hits coast: what we know | Coast News"),
        Signals(
            "headline",
            headings=["Weather Storm batters the coast overnight", "Weather", "Storm batters the coast overnight"],
        ),
    )
    assert (fields.title, fields.provenance["title"]) == ("Storm batters the coast overnight", "opengraph")


def test_json_ld_and_og_agreeing_beat_a_different_visible_heading():
    fields = _reconcile(
        Signals("jsonld", title="Talks stall again"),
        Signals("opengraph", title="Talks stall again"),
        Signals("meta", title="Leader says talks stall: live"),
        Signals("headline", title="Leader says talks stall: live", headings=["Leader says talks stall: live"]),
    )
    assert fields.title == "Talks stall again"


def test_no_title_shown_on_the_page_keeps_the_most_trusted():
    fields = _reconcile(
        Signals("jsonld", title="From JSON-LD"),
        Signals("opengraph", title="From OG"),
        Signals("headline", headings=["Something else entirely"]),
    )
    assert fields.title == "From JSON-LD"


@pytest.mark.parametrize(
    ("byline", "credits"),
    [("BR24 Redaktion", ["BR24 Redaktion"]), ("IN-Redaktion", ["IN-Redaktion"]), ("Updated 12.05.2024", [])],
)
def test_a_newsroom_name_with_digits_is_a_credit_and_a_date_is_nothing(byline, credits):
    assert split_byline(byline) == ([], credits)


@pytest.mark.parametrize(
    ("byline", "people", "credits"),
    [
        ("Quelle: sid/dpa", [], ["sid", "dpa"]),  # a source line credits agencies
        ("Source: AP", [], ["AP"]),
        ("Daniel Roe Redakteur", ["Daniel Roe"], []),  # a job title after the name
        ("Ann Lee und Bo Roe, Sweidah 05.01.2025, 15:23", ["Ann Lee", "Bo Roe"], ["Sweidah"]),  # date at the end
        ("Veröffentlicht am 27.04.24 um 10:00 Uhr", [], []),
        ("Jane Doe (www.example.com)", ["Jane Doe"], []),
    ],
)
def test_split_byline_sources_roles_dates_and_domain_notes(byline, people, credits):
    assert split_byline(byline) == (people, credits)


def test_a_name_without_spaces_in_chinese_japanese_or_korean_is_a_full_name():
    fields = _reconcile(
        Signals("jsonld", credits=["毎日新聞"]),
        Signals("byline", authors=["松岡大地"]),
        text="停戦交渉は最終段階に入った。" * 20,
    )
    assert (fields.authors, fields.credits) == (["松岡大地"], [])


def test_below_a_site_credit_a_lone_latin_word_is_no_byline():
    fields = _reconcile(Signals("jsonld", credits=["Gazette"]), Signals("byline", authors=["Frankfurt"]))
    assert (fields.authors, fields.credits) == ([], ["Gazette"])


def test_a_kicker_before_the_shared_title_is_a_label_when_the_page_shows_the_title_alone():
    signals = (
        Signals("jsonld", title="Olympic Games: Germany beats France"),
        Signals("opengraph", title="Germany beats France"),
        Signals("headline", headings=["Olympic Games Germany beats France", "Olympic Games", "Germany beats France"]),
    )
    assert _reconcile(*signals).title == "Germany beats France"
    hidden = (*signals[:2], Signals("headline", headings=["Olympic Games: Germany beats France"]))
    assert _reconcile(*hidden).title == "Olympic Games: Germany beats France"


def test_a_visible_byline_naming_json_lds_writer_and_more_is_the_whole_list():
    fields = _reconcile(Signals("jsonld", authors=["Bo Roe"]), Signals("byline", authors=["Ann Lee, Bo Roe"]))
    assert fields.authors == ["Ann Lee", "Bo Roe"]
    other = _reconcile(Signals("jsonld", authors=["Bo Roe"]), Signals("byline", authors=["Ann Lee"]))
    assert other.authors == ["Bo Roe"]  # a different name is no completion: the more trusted signal stays


def test_a_byline_naming_the_sites_own_web_address_is_the_publisher():
    assert split_byline("Harbour Times (www.example.org)", "example") == ([], ["Harbour Times"])
    assert split_byline("Jane Doe (www.janedoe.net)", "example") == (["Jane Doe"], [])


def test_below_a_site_credit_a_full_name_with_a_place_is_a_byline():
    fields = _reconcile(Signals("jsonld", credits=["Gazette"]), Signals("byline", authors=["Von Ann Lee, Lille"]))
    assert (fields.authors, fields.provenance["authors"]) == (["Ann Lee", "Lille"], "byline")


@pytest.mark.parametrize(
    ("byline", "people"),
    [("김민수 기자", ["김민수"]), ("渡辺洋介記者", ["渡辺洋介"]), ("王小明 记者", ["王小明"]), ("기자", [])],
)
def test_a_reporter_title_after_a_chinese_japanese_or_korean_name_is_dropped(byline, people):
    assert split_byline(byline)[0] == people


@pytest.mark.parametrize("byline", ["Anadolu Ajansı", "Deutsche Presse-Agentur", "Agence Nord", "Nachrichten"])
def test_agencies_and_newsrooms_are_credits_in_other_languages(byline):
    assert split_byline(byline) == ([], [byline])


def test_a_labelled_byline_beats_an_organisation_credit_but_not_named_writers():
    labelled = Signals("labelled_byline", authors=["Ann Lee, Bo Roe"])
    fields = _reconcile(Signals("jsonld", credits=["Gazette"]), labelled)
    assert (fields.authors, fields.provenance["authors"]) == (["Ann Lee", "Bo Roe"], "labelled_byline")
    named = _reconcile(Signals("meta", authors=["Cy Doe"]), labelled)
    assert named.authors == ["Cy Doe"]


@pytest.mark.parametrize("byline", ["Jane Doe, Redakteurin", "Jane Doe, Online-Redakteurin", "Jane Doe, Reporter"])
def test_a_job_title_after_a_comma_is_no_second_writer(byline):
    assert split_byline(byline) == (["Jane Doe"], [])


def test_an_author_that_is_the_declared_publisher_is_a_credit_wherever_the_page_is_served():
    publisher = "Harbour Times (www.harbourtimes.example)"  # <meta name=author> and <meta name=publisher> alike
    meta = Signals("meta", authors=[publisher], site_names=[publisher])
    labelled = Signals("labelled_byline", authors=["Ann Lee"])
    fields = _reconcile(meta, labelled)  # served from news.example.org: the address is not the URL's
    assert (fields.authors, fields.credits) == (["Ann Lee"], [])
