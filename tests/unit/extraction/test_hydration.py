"""The article body read from a page's hydration state (Next.js, Nuxt, store pushes)."""

import json

from lxml.html import document_fromstring

from newsingest.extraction.hydration import (
    MAX_ATTEMPTS,
    MAX_SCRIPT_CHARS,
    HydrationOutcome,
    hydrated_body,
    state_text,
)

TITLE = "Harbour board approves new ferry terminal"
PARAGRAPHS = [
    "The harbour board approved the new ferry terminal on Monday evening after two years of hearings.",
    "Construction starts in the spring and the first ferries are expected to dock there next year.",
    "Residents asked for a noise wall and limits on night sailings; the plan includes the wall.",
]


def _tree(scripts: str, title: str = TITLE):
    return document_fromstring(f"<html><head><title>{title} | Gazette</title></head><body>{scripts}</body></html>")


def _json_script(value, attributes='type="application/json"') -> str:
    return f"<script {attributes}>{json.dumps(value)}</script>"


def test_the_body_is_the_prose_value_that_sits_with_the_page_title(page_bytes):
    tree = document_fromstring(page_bytes("nextjs-hydrated.html"))
    found = hydrated_body(tree, [TITLE])
    assert (found.outcome, found.key) == (HydrationOutcome.FOUND, "html")
    lines = found.text.split("\n")
    assert lines[0].startswith("The harbour board in Southampton approved") and "ending two years" in lines[0]
    assert len(lines) == 5
    assert "Photo: Port of Southampton" not in found.text  # the figure's caption is not text
    assert "library" not in found.text  # the related story's body is not this page's


def test_a_json_assignment_in_an_inline_script_is_read(page_bytes):
    found = hydrated_body(document_fromstring(page_bytes("nuxt-hydrated.html")), [TITLE])
    assert found.key == "bodyText"
    assert found.text.split("\n")[:2] == [
        "The harbour board in Southampton approved the new ferry terminal on Monday evening, ending two years of "
        "public hearings and three rounds of revised plans.",
        "Construction is due to start in the spring, and the first ferries from the Isle of Wight are expected to "
        "dock at the new berths before the end of next year.",
    ]


def test_teasers_navigation_and_site_texts_are_not_a_body(page_bytes):
    found = hydrated_body(document_fromstring(page_bytes("hydrated-teasers.html")), [TITLE])
    assert (found.outcome, found.text) == (HydrationOutcome.NO_BODY, "")


def test_a_body_under_another_title_is_another_story_even_inside_the_pages_object():
    related = {"title": "Library reopens its reading rooms", "body": " ".join(PARAGRAPHS * 3)}
    state = {"title": TITLE, "related": [related]}
    assert hydrated_body(_tree(_json_script(state)), [TITLE]).outcome == HydrationOutcome.NO_BODY
    related["title"] = TITLE
    assert hydrated_body(_tree(_json_script(state)), [TITLE]).outcome == HydrationOutcome.FOUND


def test_the_site_name_alone_does_not_tie_a_value_to_the_page():
    state = {"teaser": {"title": "The Harbour Gazette", "text": " ".join(PARAGRAPHS * 3)}}
    assert hydrated_body(_tree(_json_script(state)), [f"{TITLE} | The Harbour Gazette"]).text == ""


def test_a_store_push_and_a_flat_array_state_are_read():
    body = "<p>" + "</p><p>".join(PARAGRAPHS * 2) + "</p>"
    detail = json.dumps({"detail": {"title": TITLE, "contentHtml": body}})
    push = f'<script>window["__STORE__"] = window["__STORE__"] || [];window["__STORE__"].push({detail})</script>'
    assert hydrated_body(_tree(push), [TITLE]).key == "contentHtml"
    flat = [{"article": 1}, {"headline": 2, "articleBody": 3}, TITLE, "\n".join(PARAGRAPHS * 2)]  # values by index
    found = hydrated_body(_tree(_json_script(flat, 'type="application/json" id="__NUXT_DATA__"')), [TITLE])
    assert (found.key, found.text.split("\n")) == ("articleBody", PARAGRAPHS * 2)


def test_a_short_value_and_code_are_not_prose():
    state = {"title": TITLE, "text": PARAGRAPHS[0], "html": "<p>" + "x=1;y={a:[2,3]};" * 80 + "</p>"}
    assert hydrated_body(_tree(_json_script(state)), [TITLE]).outcome == HydrationOutcome.NO_BODY


def test_malformed_state_is_an_outcome_not_an_error():
    broken = (
        '<script type="application/json">{"title": "x", "body": </script><script>window.__NUXT__ = {a: 1};</script>'
    )
    assert hydrated_body(_tree(broken), [TITLE]).outcome == HydrationOutcome.MALFORMED
    assert hydrated_body(_tree("<p>no scripts</p>"), [TITLE]).outcome == HydrationOutcome.NO_STATE


def test_hostile_state_is_bounded():
    nested = '<script type="application/json">' + "[" * 200_000 + "]" * 200_000 + "</script>"
    assert hydrated_body(_tree(nested), [TITLE]).outcome in (HydrationOutcome.MALFORMED, HydrationOutcome.NO_BODY)
    too_big = _json_script({"title": TITLE, "body": "word " * MAX_SCRIPT_CHARS})
    assert hydrated_body(_tree(too_big), [TITLE]).outcome == HydrationOutcome.NO_STATE
    starts = "<script>" + "x = [1, " * (MAX_ATTEMPTS + 10) + "</script>"
    later = _json_script({"title": TITLE, "body": "\n".join(PARAGRAPHS * 2)})
    assert hydrated_body(_tree(starts * 60 + later), [TITLE]).outcome == HydrationOutcome.OVER_BUDGET


def test_state_html_becomes_lines_without_ad_slots_or_captions():
    html = (
        '<div class="editor-img-box"><img src="a.jpg"><div class="caption"><p>A caption</p></div></div>'
        "$$ARTICLEAD$$<p>First <strong>para</strong>graph.</p><h3>A subheading</h3>Loose text<br>after a break"
    )
    assert state_text(html).split("\n") == ["First paragraph.", "A subheading", "Loose text", "after a break"]
    assert state_text("One line.\n\n  Two   lines.\n") == "One line.\nTwo lines."


def test_every_value_a_script_assigns_is_read_not_only_the_first():
    config = json.dumps({"section": "news", "ads": [1, 2]})
    state = json.dumps({"article": {"headline": TITLE, "body": "\n".join(PARAGRAPHS * 2)}})
    script = f"<script>window.config = {config}; var n = [1, 2]; window.__INITIAL_STATE__ = {state};</script>"
    assert hydrated_body(_tree(script), [TITLE]).text.split("\n") == PARAGRAPHS * 2
