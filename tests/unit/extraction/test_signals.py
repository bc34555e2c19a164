from lxml.html import document_fromstring

from newsingest.extraction.signals import (
    byline_signals,
    dateline_signals,
    jsonld_signals,
    labelled_byline_signals,
    meta_signals,
    opengraph_signals,
    time_signals,
)


def _tree(head: str, body: str = "<p>x</p>"):
    return document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def _ld(payload: str) -> str:
    return f'<script type="application/ld+json">{payload}</script>'


def test_jsonld_article_inside_graph(page_bytes):
    signals = jsonld_signals(document_fromstring(page_bytes("seed-article.html")))
    assert signals.title.startswith("Putin’s new Cuba")
    assert signals.authors == ["Ciaran McGrath"]
    assert signals.published == "2019-09-23T12:29:00+01:00"
    assert signals.modified == "2019-09-23T13:05:00+01:00"
    assert signals.section == "World"
    assert signals.tags == ["Venezuela", "Russia", "Donald Trump", "Nicolas Maduro"]
    assert signals.accessible_for_free is True


def test_jsonld_broken_block_is_skipped_and_list_is_searched(page_bytes):
    signals = jsonld_signals(document_fromstring(page_bytes("agency.html")))
    assert signals.title == "Harbour authority approves new ferry terminal"
    assert signals.authors == ["Maria Costa"]
    assert signals.credits == ["Reuters"]  # declared Organization: a credit, not a person
    assert signals.image == "https://news.example.org/img/ferry.jpg"
    assert signals.tags == ["Ports", "Transport"]


def test_jsonld_ignores_non_article_nodes():
    head = _ld('{"@type": "Organization", "name": "Gazette", "description": "A paper"}')
    assert jsonld_signals(_tree(head)).title is None


def test_jsonld_type_list_and_schema_url_type():
    head = _ld('{"@type": ["http://schema.org/BlogPosting"], "headline": "A post", "author": "Ann Lee"}')
    signals = jsonld_signals(_tree(head))
    assert (signals.title, signals.authors) == ("A post", ["Ann Lee"])


def test_jsonld_paywall_flag_as_string_or_in_has_part():
    as_string = _ld('{"@type": "NewsArticle", "headline": "h", "isAccessibleForFree": "False"}')
    in_part = _ld('{"@type": "NewsArticle", "headline": "h", "hasPart": [{"isAccessibleForFree": false}]}')
    assert jsonld_signals(_tree(as_string)).accessible_for_free is False
    assert jsonld_signals(_tree(in_part)).accessible_for_free is False


def test_jsonld_inside_html_comment_markers_is_read():
    head = _ld('<!-- {"@type": "NewsArticle", "headline": "Wrapped"} -->')
    assert jsonld_signals(_tree(head)).title == "Wrapped"


def test_opengraph_and_article_meta(page_bytes):
    signals = opengraph_signals(document_fromstring(page_bytes("og-only.html")))
    assert signals.title == "Riverside bakery doubles its bread output after winning city contract"
    assert signals.published == "2024-03-05T09:30:00-05:00"
    assert signals.modified == "2024-03-05T11:00:00-05:00"
    assert signals.tags == ["Riverside", "Small business", "Schools"]
    assert signals.section == "Business"
    assert signals.image == "/images/2024/03/bakery-ovens.jpg"


def test_article_author_urls_are_not_names():
    head = '<meta property="article:author" content="https://facebook.com/someone">'
    assert opengraph_signals(_tree(head)).authors == []


def test_plain_meta():
    head = (
        "<title>Page title</title>"
        '<meta name="author" content="Ann Lee"><meta name="description" content="About it">'
        '<meta name="news_keywords" content="a, b ,c"><meta name="pubdate" content="2024-01-02T03:04:05Z">'
    )
    signals = meta_signals(_tree(head))
    assert (signals.title, signals.description, signals.authors) == ("Page title", "About it", ["Ann Lee"])
    assert signals.tags == ["a", "b", "c"]
    assert signals.published == "2024-01-02T03:04:05Z"


def test_the_visible_byline_keeps_the_affiliation_and_drops_the_date():
    page = document_fromstring(
        "<html><body><div class='byline-row'><span>By Omar Haddad with Reuters</span> · "
        "<time>19 Nov 2026, 19:00 UTC</time></div><p>Text.</p></body></html>"
    )
    assert byline_signals(page).authors == ["By Omar Haddad with Reuters"]
    assert byline_signals(document_fromstring("<html><body><p>No byline.</p></body></html>")).authors == []


def test_dateline_printed_near_the_headline():
    from newsingest.extraction.signals import dateline_signals

    cases = {
        "Do 25.04.24 | 14:07 Uhr | Von Eva Roe": "2024-04-25T14:07:00",
        "erstellt: 01. April 2025, 15:25": "2025-04-01T15:25:00",
        "20/1/2026 18:30": "2026-01-20T18:30:00",
        "1/2/2026 10:00": None,  # day and month cannot be told apart
        "25.04.2024": None,  # a day without a time adds nothing to the metadata
    }
    for printed, expected in cases.items():
        tree = _tree("", f'<div class="article-meta">{printed}</div>')
        assert dateline_signals(tree).published == expected, printed


def test_dateline_in_a_related_list_is_not_this_articles():
    from newsingest.extraction.signals import dateline_signals

    tree = _tree("", '<div class="related-articles"><span class="date">25.04.2024 14:07</span></div>')
    assert dateline_signals(tree).published is None


def test_jsonld_behind_a_javascript_cdata_comment_is_read():
    head = _ld('//<![CDATA[\n{"@type": "NewsArticle", "datePublished": "2024-08-22T12:00:00+02:00"}\n//]]>')
    assert jsonld_signals(_tree(head)).published == "2024-08-22T12:00:00+02:00"


def test_a_fact_checks_claim_review_node_is_the_article():
    head = _ld(
        '{"@graph": [{"@type": "ClaimReview", "name": "The claim, checked", "datePublished": "2026-05-13 15:44",'
        ' "author": {"@type": "Organization", "name": "Check Desk"}, "itemReviewed": {"@type": "Claim",'
        ' "datePublished": "2026-05-07", "author": {"@type": "Person", "name": "Someone Else"}}}]}'
    )
    signals = jsonld_signals(_tree(head))
    assert (signals.title, signals.published, signals.credits) == (
        "The claim, checked",
        "2026-05-13 15:44",
        ["Check Desk"],
    )
    assert signals.authors == []  # the reviewed claim's author is not the article's


def test_a_link_to_the_writers_page_is_a_byline_and_a_link_to_the_list_of_writers_is_not():
    body = (
        "<nav><a href='/autoren'>Autoren</a></nav><ul class='menu'><li><a href='/autoren'>Autoren</a></li></ul>"
        "<header><p class='meta-info'>von <a href='/autoren/name/max-roe'>Dr. Max Roe</a></p></header><p>Text.</p>"
    )
    assert byline_signals(_tree("", body)).authors == ["Dr. Max Roe"]


def test_headline_skips_breadcrumbs_and_lists_every_heading_part():
    from newsingest.extraction.signals import headline_signals

    body = (
        "<ul class='breadcrumb'><li><h1>SEO headline for search</h1></li></ul>"
        "<header><h2><span class='kicker'>Kicker</span> <span class='title'>The headline shown</span></h2></header>"
        "<aside class='related'><h2>Another story</h2></aside>"
    )
    signals = headline_signals(_tree("", body))
    assert signals.title is None
    assert signals.headings == ["Kicker The headline shown", "Kicker", "The headline shown"]


def test_a_class_ending_in_author_is_a_byline():
    body = "<header><span class='article__author'>Von Ann Lee</span></header><p>Text.</p>"
    assert byline_signals(_tree("", body)).authors == ["Von Ann Lee"]
    assert byline_signals(_tree("", "<div class='author-bio-list'>Ann Lee writes</div>")).authors == []


_PROSE = "<p>The council met on Monday evening and voted on the harbour budget after a long debate.</p>"


def test_names_in_bold_as_a_paragraph_of_the_text_are_a_byline():
    body = f"<div class='entry'><p><strong>Ann Lee/Bo Roe</strong></p>{_PROSE * 5}<p><b>Water woes</b></p></div>"
    assert byline_signals(_tree("", body)).authors == ["Ann Lee, Bo Roe"]


def test_a_bold_subheading_or_sentence_is_no_byline():
    for bold in ("Water woes", "Breaking News Today Is Here Again", "Read this: 3 things"):
        body = f"<div class='entry'><p><strong>{bold}</strong></p>{_PROSE * 5}</div>"
        assert byline_signals(_tree("", body)).authors == [], bold
    label = f"<div class='entry'><p><strong>Key Points</strong></p><ul><li>One</li></ul>{_PROSE * 5}</div>"
    assert byline_signals(_tree("", label)).authors == []


def test_the_byline_block_comes_before_bold_names():
    body = f"<div class='byline'>Harbour Times</div><div class='entry'><p><b>Ann Lee</b></p>{_PROSE * 5}</div>"
    assert byline_signals(_tree("", body)).authors == ["Harbour Times", "Ann Lee"]


def test_layout_flags_and_page_classes_do_not_hide_the_article():
    from newsingest.extraction.signals import in_article

    page = _tree(
        "",
        "<div class='node node--promoted has-sidebar'><article><p id='a'>Text</p></article></div>"
        "<div class='promo-box'><p id='b'>Teaser</p></div>",
    )
    page.body.set("class", "single et-tb-has-footer")
    assert in_article(page.get_element_by_id("a"))
    assert not in_article(page.get_element_by_id("b"))


def test_a_block_of_several_writers_reads_as_a_list():
    body = (
        "<div class='bylines'><div class='byline'><a rel='author'><span>Ann</span> <span>Lee</span></a></div>"
        "<div class='byline'><a rel='author'><span>Bo</span> <span>Roe</span></a></div></div><p>Text.</p>"
    )
    assert byline_signals(_tree("", body)).authors == ["Ann Lee, Bo Roe"]


def test_writers_named_after_a_label_are_a_byline_in_any_language():
    from newsingest.extraction.signals import labelled_byline_signals

    cases = {
        "<ul class='facts'><li>3 min</li><li>Von: <a href='/p/ann'>Ann LEE</a>, <a href='/p/bo'>Bo ROE</a></li></ul>": (
            "Ann LEE, Bo ROE"
        ),
        "<ul><li><strong>Datum</strong> 28.04.2023</li><li><strong>Autorin/Autor</strong> Ann Lee</li></ul>": "Ann Lee",
        "<div class='edit'>(责编：张伟、李娜)</div>": "张伟、李娜",
        "<p class='small'>By HTN, in <a href='/news'>News</a>, <a href='/local'>Local</a></p>": "HTN",
        "<p class='credit'>Penulis: Ann Lee</p>": "Ann Lee",
        "<div>Von <a href='/autoren/ann'>Ann Lee</a><a href='/autoren/bo'>Bo Roe</a></div>": "Ann Lee, Bo Roe",
    }
    for body, names in cases.items():
        assert labelled_byline_signals(_tree("", body + _PROSE)).authors == [names], body


def test_a_sentence_starting_with_a_by_word_and_another_storys_card_are_no_labelled_byline():
    from newsingest.extraction.signals import labelled_byline_signals

    for body in (
        "<p>Von Montag an gilt die neue Regel.</p>",
        "<p>By the numbers, the harbour lost money.</p>",
        "<p>Autor des Buches ist ein Lehrer.</p>",
        "<ul><li><a href='/other-story'><h3>Other story</h3><h6>By Ann Lee</h6></a></li></ul>",
        "<aside class='related'><p>Von: Ann Lee</p></aside>",
        "<script>var by = 'Von: Ann Lee';</script>",
        "<p>Von: <a href='/author/admin/'>Site D</a></p>",
    ):
        assert labelled_byline_signals(_tree("", body + _PROSE)).authors == [], body


def test_the_writer_an_seo_plugin_labels_and_analytics_author_keys_are_meta_authors():
    head = (
        '<meta name="author" content="ann@example.org"><meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="4 minutes"><meta name="twitter:label2" content="Verfasst von">'
        '<meta name="twitter:data2" content="Ann Lee">'
    )
    assert meta_signals(_tree(head)).authors == ["ann@example.org", "Ann Lee"]
    for key in ("cXenseParse:author", "sailthru.author", "parsely-author"):
        assert meta_signals(_tree(f'<meta name="{key}" content="Bo Roe">')).authors == ["Bo Roe"], key


def test_a_cms_admin_account_is_no_writer():
    head = _ld(
        '{"@type": "NewsArticle", "headline": "h", "author": {"@type": "Person", "name": "Site D",'
        ' "url": "https://news.example.org/author/admin/"}}'
    )
    assert jsonld_signals(_tree(head)).authors == []
    body = (
        "<p class='meta'>by <span class='author vcard'><a href='/author/admin/' rel='author'>Site D</a></span></p>"
        "<p class='meta'>by <span class='author vcard'><a href='/author/ann-lee/' rel='author'>Ann Lee</a></span></p>"
    )
    assert byline_signals(_tree("", body)).authors == ["Ann Lee"]


def test_the_declared_publisher_is_one_of_the_sites_names():
    head = '<meta name="publisher" content="Harbour Times"><meta name="application-name" content="HT">'
    assert meta_signals(_tree(head)).site_names == ["HT", "Harbour Times"]


_STORY_TEXT = "<p>" + "The harbour board approved the new ferry terminal after two years of hearings. " * 8 + "</p>"
# Other stories' cards in a plain grid: no class names them related, each is an <article> of its own.
_CARDS = (
    "<div class='grid'>"
    "<article class='card-story'><h3><a href='/news/library'>Library reopens</a></h3>"
    "<a class='author' href='/author/bo-roe'>Bo Roe</a><time datetime='2026-01-03T08:00:00Z'>3 Jan</time>"
    "<span class='meta-date'>03.01.2026 | 08:00 Uhr</span><p>Von: Bo Roe</p></article>"
    "<article class='card-story'><h3><a href='/news/bridge'>Bridge closed</a></h3></article></div>"
)


def test_a_teaser_cards_byline_and_date_are_not_this_articles():
    # The card comes first in the page; the story's own byline and date have no markup at all.
    tree = _tree("", f"{_CARDS}<article><h1>Ferry terminal approved</h1>{_STORY_TEXT}</article>")
    assert byline_signals(tree).authors == []
    assert labelled_byline_signals(tree).authors == []
    assert time_signals(tree).published is None
    assert dateline_signals(tree).published is None
    # A card nested inside the story (a "read also" box) is a card too.
    nested = _tree("", f"<article><h1>Ferry terminal approved</h1>{_CARDS}{_STORY_TEXT}</article>")
    assert (byline_signals(nested).authors, time_signals(nested).published) == ([], None)


def test_the_storys_own_byline_and_date_in_an_article_element_are_kept():
    story = (
        "<article><h1>Ferry terminal approved</h1><a class='author' href='/author/ann-lee'>Ann Lee</a>"
        f"<time datetime='2026-01-05T09:15:00Z'>5 Jan</time>{_STORY_TEXT}</article>"
    )
    for tree in (_tree("", _CARDS + story), _tree("", story + _CARDS)):
        assert (byline_signals(tree).authors, time_signals(tree).published) == (["Ann Lee"], "2026-01-05T09:15:00Z")
    # A page of cards only (a section front) keeps its first card's byline: no story to prefer.
    assert byline_signals(_tree("", _CARDS)).authors == ["Bo Roe"]
    # The story's header in an <article> of its own above the text: a story too (it has the h1).
    header = (
        "<article class='head'><h1>Ferry terminal approved</h1><a class='author' href='/author/ann-lee'>Ann Lee</a>"
        f"</article><article class='text'>{_STORY_TEXT}</article>"
    )
    assert byline_signals(_tree("", header)).authors == ["Ann Lee"]
