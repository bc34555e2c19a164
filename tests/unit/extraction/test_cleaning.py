import re

import pytest
import trafilatura

from newsingest.extraction.cleaning import clean_body, repeated_lines
from newsingest.extraction.page import parse_page
from newsingest.models.lines import MAX_LINE_KEYS, as_line_key, line_key, line_keys

ARTICLE = "The council approved the budget after a long debate about road repairs and school meals."


def test_seed_article_loses_its_promo_and_keeps_every_paragraph(page_bytes, seed_paragraphs):
    page = parse_page(page_bytes("seed-article.html"), "https://www.express.co.uk/news/world/1181234")
    raw = trafilatura.bare_extraction(page.tree, favor_precision=True).text
    assert "READ MORE:" in raw  # the library alone keeps it

    text, removed = clean_body(raw)

    assert [line.startswith("READ MORE:") for line in removed] == [True]
    assert "READ MORE" not in text and "trench warfare" not in text
    assert len(seed_paragraphs) == 13
    for paragraph in seed_paragraphs:
        assert paragraph in text


@pytest.mark.parametrize(
    "line",
    [
        "READ MORE: Venezuela's Maduro pledges 'trench warfare'",
        "Read more: Council to vote on parking charges",
        "RELATED: Five things to know about the budget",
        "SEE MORE: Hong Kong protests: students under siege",
        "Also on example.com Another story entirely",
        "Plane passengers quarantined after outbreak [VIDEO]",
        "Sign up for our free business newsletter",
        "Get our daily newsletter in your inbox",
        "Share this article",
        "Like this story? Share it with a friend!",
        "Facebook Twitter Email",
        "Photo: Jane Doe/The Valley Gazette",
        "The minister arrives in Brussels (Getty Images)",
        "Getty Images",
        "We use cookies to improve your experience on our site.",
        "Advertisement",
        "Tags: budget, council",
        "Updated at 1:23 p.m.",
        "This copy is for your personal, non-commercial use only.",
    ],
)
def test_boilerplate_lines_are_removed(line):
    text, removed = clean_body(f"{ARTICLE}\n{line}\n{ARTICLE} Again.")
    assert removed == [line]
    assert text == f"{ARTICLE}\n{ARTICLE} Again."


@pytest.mark.parametrize(
    "line",
    [
        "Read the report carefully, the minister said, before judging the plan.",
        "Related parties must declare their interests, the auditor said.",
        "The agency photographed the site (AP) and the council shared the pictures with residents "
        "who had asked to see the damage for themselves.",
        "The newsletter, which the club has sent to members since 1952, will be printed for the last time "
        "in March, and the editor has asked readers to sign up for the online edition instead of the paper "
        "one, which costs more to post than it brings in from advertising every single year since 2010.",
        "Photographs of the ceremony were shared widely.",
        "Published in 1998, the book sold well.",
        "The Getty Images archive holds millions of photographs from the last century of news.",
    ],
)
def test_prose_is_kept(line):
    text, removed = clean_body(line)
    assert (text, removed) == (line, [])


def test_removes_lines_learned_from_the_source_and_normalises_whitespace():
    repeated = {line_key("Support our journalism: become a member today.")}
    text, removed = clean_body(f"  {ARTICLE}  \n\n Support   our journalism: become a member today. \n", repeated)
    assert text == ARTICLE
    assert removed == [" Support   our journalism: become a member today. "]


def test_repeated_lines_are_learned_from_a_sources_history():
    footer = "Our journalism is funded by readers like you."
    history = [f"Story number {i} about the harbour.\n{footer}" for i in range(5)]
    history.append("A story without the footer.")
    assert repeated_lines(line_keys(text) for text in history) == {line_key(footer)}


def test_repeated_lines_need_enough_articles_and_a_large_enough_share():
    line, other = [line_key("Shared sentence.")], [line_key("other")]
    assert repeated_lines([line, line, other]) == set()  # two articles: below min_count
    assert repeated_lines([line] * 3 + [[line_key(f"article {i}")] for i in range(4)]) == set()  # 3 of 7 < half
    assert repeated_lines([line] * 3 + [other], min_share=0.75) == set(line)


def test_line_keys_ignore_spacing_and_keep_the_edges_of_a_long_text():
    assert line_keys("  Shared   sentence. \n\nShared sentence.") == [line_key("Shared sentence.")]
    keys = line_keys("\n".join(f"line {n}" for n in range(500)))
    assert len(keys) == MAX_LINE_KEYS and keys[0] == line_key("line 0") and keys[-1] == line_key("line 499")
    assert as_line_key("Subscribe now") == line_key("Subscribe now") == as_line_key(line_key("Subscribe now"))


def test_clean_body_of_empty_text():
    assert clean_body("") == ("", [])


def test_patterns_only_touch_short_lines():
    long_promo = "READ MORE: " + " ".join(["word"] * 60)
    assert clean_body(long_promo)[1] == []
    assert re.search("READ MORE", clean_body(long_promo)[0])


@pytest.mark.parametrize(
    "line",
    [
        "Related video: The president speaks in Ohio",
        "Read more...",
        "Our Standards: The Thomson Reuters Trust Principles.",
        "Lesen Sie auch: Der Fall des Bürgermeisters",
        "Lire aussi : la réforme des retraites",
        "Leer más: el nuevo gobierno",
    ],
)
def test_promo_lines_in_any_language_are_removed(line):
    text, removed = clean_body(f"The council approved the budget.\n{line}\nThe vote was close.")
    assert (text, removed) == ("The council approved the budget.\nThe vote was close.", [line])


def test_a_sentence_about_reading_more_stays():
    text = "Parents want their children to read more books, the survey found."
    assert clean_body(text)[0] == text
