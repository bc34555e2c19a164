import json

from lxml.html import document_fromstring

from newsingest.extraction.liveblog import live_posts, live_text


def _page(head: str = "", body: str = "<p>x</p>"):
    return document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def _ld(payload: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(payload)}</script>'


LIVE = {
    "@type": "LiveBlogPosting",
    "headline": "Storm live: updates",
    "liveBlogUpdate": [
        {"@type": "BlogPosting", "headline": "Bridge closed", "datePublished": "2026-01-05T09:15:00+01:00",
         "articleBody": "The harbour bridge is closed to traffic."},
        {"@type": "BlogPosting", "datePublished": "2026-01-05T08:00:00Z", "articleBody": "Winds reach 120 km/h."},
    ],
}  # fmt: skip


def test_jsonld_live_blog_posts():
    live, posts = live_posts(_page(_ld(LIVE)))
    assert live
    assert [(p.headline, p.text, p.published_at.isoformat()) for p in posts] == [
        ("Bridge closed", "The harbour bridge is closed to traffic.", "2026-01-05T08:15:00+00:00"),
        (None, "Winds reach 120 km/h.", "2026-01-05T08:00:00+00:00"),
    ]


def test_a_declared_live_blog_without_updates_is_still_a_live_blog():
    assert live_posts(_page(_ld({"@type": "LiveBlogPosting", "headline": "h"}))) == (True, [])


def test_markup_live_blog_posts():
    post = (
        '<div class="liveblog-post"><time datetime="2026-01-05T10:0{i}:00Z">10:0{i}</time>'
        "<h3>Update {i}</h3><p>Text {i}.</p></div>"
    )
    live, posts = live_posts(_page(body="".join(post.format(i=i) for i in range(4))))
    assert live
    assert [(p.headline, p.text) for p in posts] == [(f"Update {i}", f"Text {i}.") for i in range(4)]
    assert posts[0].published_at.minute == 0 and posts[3].published_at.minute == 3


def test_two_update_blocks_are_not_a_live_blog():
    post = '<div class="live-update"><p>Text.</p></div>'
    assert live_posts(_page(body=post * 2)) == (False, [])


def test_an_article_is_not_a_live_blog():
    assert live_posts(_page(_ld({"@type": "NewsArticle", "headline": "h"}))) == (False, [])


def test_live_text_is_the_intro_then_every_post_once():
    _live, posts = live_posts(_page(_ld(LIVE)))
    intro = "Storm hits the coast.\nThe harbour bridge is closed to traffic."  # the extractor kept one post
    assert live_text(intro, posts) == (
        "Storm hits the coast.\nBridge closed\nThe harbour bridge is closed to traffic.\nWinds reach 120 km/h."
    )
