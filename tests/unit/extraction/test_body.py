from lxml.html import document_fromstring

from newsingest.extraction.body import looks_cut, with_lead

LEAD = "The harbour authority approved the new ferry terminal on Monday after two years of talks."
PARAGRAPH = "Construction starts in spring and the first ferries are expected to dock there next year. "


def _tree(body: str):
    return document_fromstring(f"<html><body>{body}</body></html>")


def test_the_lead_the_description_repeats_is_put_back():
    tree = _tree(f'<article><p class="lead">{LEAD}</p><p>{PARAGRAPH}</p></article>')
    assert with_lead(PARAGRAPH.strip(), LEAD, tree) == f"{LEAD}\n{PARAGRAPH.strip()}"


def test_a_description_that_is_not_on_the_page_is_not_added():
    tree = _tree(f"<article><p>{PARAGRAPH}</p></article>")
    assert with_lead(PARAGRAPH.strip(), LEAD, tree) == PARAGRAPH.strip()


def test_a_lead_already_in_the_body_is_not_repeated():
    tree = _tree(f"<article><p>{LEAD}</p><p>{PARAGRAPH}</p></article>")
    body = f"{LEAD}\n{PARAGRAPH.strip()}"
    assert with_lead(body, LEAD, tree) == body


def test_a_lead_in_a_related_block_is_not_this_articles_lead():
    tree = _tree(f'<div class="related-stories"><p>{LEAD}</p></div><article><p>{PARAGRAPH}</p></article>')
    assert with_lead(PARAGRAPH.strip(), LEAD, tree) == PARAGRAPH.strip()


def test_a_body_holding_a_fraction_of_the_pages_prose_looks_cut():
    tree = _tree("<article>" + f"<p>{PARAGRAPH}</p>" * 10 + "</article>")
    assert looks_cut(PARAGRAPH * 2, tree)
    assert not looks_cut(PARAGRAPH * 10, tree)


def test_prose_in_comments_does_not_count():
    tree = _tree(f"<article><p>{PARAGRAPH}</p></article><section id='comments'>" + f"<p>{PARAGRAPH}</p>" * 10)
    assert not looks_cut(PARAGRAPH, tree)


def test_a_dek_in_the_article_header_stays_out_of_the_body():
    tree = _tree(f'<article><header><h1>Ferries</h1><p class="dek">{LEAD}</p></header><p>{PARAGRAPH}</p></article>')
    assert with_lead(PARAGRAPH.strip(), LEAD, tree) == PARAGRAPH.strip()
    assert with_lead(f"{LEAD}\n{PARAGRAPH.strip()}", LEAD, tree) == PARAGRAPH.strip()


def test_a_lead_styled_like_a_title_inside_the_body_field_is_still_the_lead():
    tree = _tree(
        f'<div class="node"><div class="field field-name-body"><div class="field-item">'
        f'<p class="title">{LEAD}</p><p>{PARAGRAPH}</p></div></div></div>'
    )
    body = f"{LEAD}\n{PARAGRAPH.strip()}"
    assert with_lead(body, LEAD, tree) == body
