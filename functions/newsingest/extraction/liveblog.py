"""Live blogs: the page's updates as structured posts (time, headline, text).

A live blog declares itself in JSON-LD (LiveBlogPosting, its updates in liveBlogUpdate) or
in its markup: repeated update blocks named like "liveblog-post", "live-update", "ticker-entry",
or microdata BlogPosting items. Article extractors keep either the intro or a few posts; the
record keeps both: `text` is the intro and then every post, and `posts` lists them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml.html import HtmlElement

from newsingest.extraction.fields import parse_datetime
from newsingest.extraction.signals import article_nodes, element_text, types
from newsingest.extraction.text import clean_text
from newsingest.models.records import LivePost

MIN_MARKUP_POSTS = 3  # fewer repeated blocks are a list of links, not a running story
_POST_CLASS = re.compile(
    r"(^|[\s_-])(live-?blog-?(post|entry|update|item)|live-?(post|update|entry|item)|ticker-?(entry|item|post)"
    r"|timeline-?(entry|item))([\s_-]|$)",
    re.IGNORECASE,
)
_POST_XPATH = "//body//*[@class] | //body//*[contains(@itemtype, 'BlogPosting')]"
_TIME = ".//time[@datetime] | .//*[@itemprop='datePublished']"


def live_posts(tree: HtmlElement) -> tuple[bool, list[LivePost]]:
    """(is a live blog?, its posts in page order)."""
    declared = False
    for node in article_nodes(tree):
        if "LiveBlogPosting" in types(node):
            declared = True
            posts = [p for p in map(_jsonld_post, _updates(node)) if p is not None]
            if posts:
                return True, posts
    posts = _markup_posts(tree)
    if len(posts) >= MIN_MARKUP_POSTS:
        return True, posts
    return declared, []


def live_text(intro: str, posts: list[LivePost]) -> str:
    """The intro's lines that no post repeats, then each post's headline and text."""
    known = {" ".join(line.split()) for post in posts for line in (post.headline or "", *post.text.split("\n"))}
    lines = [line for line in intro.split("\n") if line.strip() and " ".join(line.split()) not in known]
    for post in posts:
        lines += [part for part in (post.headline, post.text) if part]
    return "\n".join(lines)


def _updates(node: dict) -> Iterator[dict]:
    updates = node.get("liveBlogUpdate") or []
    yield from (u for u in (updates if isinstance(updates, list) else [updates]) if isinstance(u, dict))


def _jsonld_post(update: dict) -> LivePost | None:
    text = clean_text(_string(update.get("articleBody")) or _string(update.get("text")))
    headline = clean_text(_string(update.get("headline"))) or None
    if not text and not headline:
        return None
    return LivePost(
        published_at=parse_datetime(_string(update.get("datePublished"))),
        headline=headline if headline != text else None,
        text=text or headline or "",
    )


def _markup_posts(tree: HtmlElement) -> list[LivePost]:
    posts: list[LivePost] = []
    seen: list[HtmlElement] = []
    for element in tree.xpath(_POST_XPATH):
        itemtype = element.get("itemtype", "")
        if not (_POST_CLASS.search(element.get("class", "")) or itemtype.endswith("/BlogPosting")):
            continue
        if any(element in ancestor.iterdescendants() for ancestor in seen):
            continue  # a part of a post already taken
        post = _element_post(element)
        if post is not None:
            seen.append(element)
            posts.append(post)
    return posts


def _element_post(element: HtmlElement) -> LivePost | None:
    headings = element.xpath(".//h2 | .//h3 | .//h4")
    headline = element_text(headings[0]) if headings else None
    paragraphs = [element_text(p) for p in element.xpath(".//p")]
    text = "\n".join(p for p in paragraphs if p)
    if not text:
        return None
    times = element.xpath(_TIME)
    published = None
    if times:
        published = parse_datetime(times[0].get("datetime") or times[0].get("content"))
    return LivePost(published_at=published, headline=headline or None, text=text)


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None
