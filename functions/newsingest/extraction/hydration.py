"""The article body from a page's hydration state, for pages that render it only client-side.

A JavaScript front end (Next.js, Nuxt, a React Query or Redux store) often ships the article as
JSON for the browser to render (`<script id="__NEXT_DATA__" type="application/json">`,
`window.__INITIAL_STATE__ = {...}`, `window["__STORE__"].push({...})`) and leaves the markup
empty: trafilatura then finds no body. This reads those payloads as data, the body being the
longest prose string under an article-like key ("articleBody", "body", "content", "contentHtml",
"text", "html", ...) whose object (or a parent object) also carries the page's title: a payload
of teasers, navigation or other stories' bodies has no value that belongs to this page.

A page is a stranger's bytes: the payloads read, their size, the JSON values looked at and the
time spent are all capped, and a payload that does not parse is a non-signal (an outcome the
caller records), never an error.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from lxml.etree import LxmlError, ParserError
from lxml.html import HtmlElement, fragment_fromstring

from newsingest.extraction.text import clean_text, word_count

SIGNAL = "hydration"  # the provenance of a body read from hydration state
MAX_SCRIPT_CHARS = 2_000_000  # one payload; a larger script is a bundle, not page state
MAX_TOTAL_CHARS = 6_000_000  # all payloads of a page together
MAX_ATTEMPTS = 400  # places in a page's scripts where a JSON value is tried
MAX_PAYLOADS = 100  # JSON values decoded per page
MAX_STARTS_PER_SCRIPT = 8  # places in one script where a JSON value is tried (after the values read)
MAX_NODES = 200_000  # JSON values walked per page
MAX_CONVERSIONS = 50  # candidate strings read as HTML per page
MAX_DEPTH = 40  # nesting walked; real state is a dozen levels deep
MAX_SECONDS = 0.5  # the whole search, checked between payloads
MIN_BODY_WORDS = 50  # fewer: a teaser or a caption, not an article body
MIN_TITLE_CHARS = 8  # a shorter shared string ("News") does not tie a value to the page
MIN_TITLE_SHARE = 0.6  # a value inside the page title must be most of it, not the site name
TITLE_LEVELS = 3  # the body's object and this many parents (and their objects) are searched for the title
MAX_WORD_CHARS = 25  # longer average "words" are URLs, base64 or minified code
MIN_LETTER_SHARE = 0.6  # of non-space characters: prose is mostly letters, code mostly punctuation

# Keys a body is stored under, compared without case and punctuation: "articleBody",
# "content_html", "bodyText", "storyHTML", "renderedContent".
_BODY_KEY = re.compile(r"(body|content|text|html|story|markup)", re.IGNORECASE)
_TITLE_KEY = re.compile(r"title|headline", re.IGNORECASE)
_NOT_BODY_KEY = re.compile(r"(type|class|style|color|colour|id|url|link|src|key|format|length|size|count)$", re.I)
# A JSON value passed or assigned in a script: "= {", "push({", "(JSON.parse(...))" is not JSON.
_JSON_START = re.compile(r"(?:^|[=(,:])\s*([\[{])")
# What assigns or hands over page state: "window.__NUXT__ =", 'window["__STORE__"].push(', "self.x.push(".
_STATE_PREFIX = re.compile(r"\b(window|self|globalThis)\b[^;\n]{0,100}[=(]\s*$")
_STATE_SCRIPTS = '//script[not(@src)][not(@type) or @type="application/json" or @type="text/javascript"]'
_TAGS = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "section"})
_DROPPED = frozenset({"script", "style", "noscript", "template", "figcaption", "figure", "iframe", "button"})
_CAPTION_CLASS = re.compile(r"caption|credit|(^|[\s_-])(ad|ads|advert)([\s_-]|$)", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"^\$\$?[A-Z_]+\$?\$$|^\{\{.*\}\}$|^\[\[.*\]\]$")  # "$$ARTICLEAD$$": an ad slot


class HydrationOutcome(StrEnum):
    """What the search found: recorded with the page's skip reason when nothing else gave a body."""

    FOUND = "found"
    NO_STATE = "no hydration state"
    MALFORMED = "hydration state is not JSON"
    NO_BODY = "no article body in hydration state"
    OVER_BUDGET = "hydration state over its size or time budget"


@dataclass(frozen=True)
class Hydrated:
    outcome: HydrationOutcome
    text: str = ""  # the body as lines of text, before the main path's line cleaning
    key: str | None = None  # the key it was stored under, for debugging


def hydrated_body(tree: HtmlElement, titles: Collection[str | None]) -> Hydrated:
    """The longest prose value under a body key that sits with one of the page's `titles`."""
    wanted = [folded for t in titles if t and len(folded := _folded(t)) >= MIN_TITLE_CHARS]
    budget = _Budget()
    found_state = malformed = False
    best: tuple[str, str] | None = None
    for payload in _payloads(tree, budget):
        if payload is _MALFORMED:
            malformed = True
            continue
        found_state = True
        for key, text in _bodies(payload, wanted, budget):
            if best is None or len(text) > len(best[1]):
                best = (key, text)
    if best is not None:
        return Hydrated(HydrationOutcome.FOUND, best[1], best[0])
    if budget.exceeded:
        return Hydrated(HydrationOutcome.OVER_BUDGET)
    if found_state:
        return Hydrated(HydrationOutcome.NO_BODY)
    return Hydrated(HydrationOutcome.MALFORMED if malformed else HydrationOutcome.NO_STATE)


class _Budget:
    """Characters read, values decoded and walked, and time spent: a hostile page stops early."""

    def __init__(self) -> None:
        self.chars = self.attempts = self.payloads = self.nodes = self.conversions = 0
        self.deadline = time.monotonic() + MAX_SECONDS
        self.exceeded = False

    def allows(
        self, chars: int = 0, attempts: int = 0, payloads: int = 0, nodes: int = 0, conversions: int = 0
    ) -> bool:
        self.chars += chars
        self.attempts += attempts
        self.payloads += payloads
        self.nodes += nodes
        self.conversions += conversions
        over = (
            self.chars > MAX_TOTAL_CHARS
            or self.attempts > MAX_ATTEMPTS
            or self.payloads > MAX_PAYLOADS
            or self.nodes > MAX_NODES
            or self.conversions > MAX_CONVERSIONS
        )
        if over or ((attempts or conversions) and time.monotonic() > self.deadline):
            self.exceeded = True
        return not self.exceeded


_MALFORMED = object()  # a payload that looked like state and did not parse
_DECODER = json.JSONDecoder(strict=False)


def _payloads(tree: HtmlElement, budget: _Budget) -> Iterator[Any]:
    """Every JSON value a state script holds: a whole `application/json` script, or the values
    assigned or passed in an inline script."""
    for script in tree.xpath(_STATE_SCRIPTS):
        source = (script.text or "").strip()
        if not source or len(source) > MAX_SCRIPT_CHARS:
            continue
        if not budget.allows(chars=len(source)):
            return
        whole = (script.get("type") or "").lower() == "application/json"
        position = 0
        for _ in range(1 if whole else MAX_STARTS_PER_SCRIPT):
            start = 0 if whole else _next_start(source, position)
            if start is None or source[start] not in "[{" or not budget.allows(attempts=1):
                break
            try:
                value, position = _DECODER.raw_decode(source, start)
            except (ValueError, RecursionError):
                if whole or _STATE_PREFIX.search(source, max(0, start - 120), start):
                    yield _MALFORMED
                position = start + 1
                continue
            if isinstance(value, dict | list) and value:
                if not budget.allows(payloads=1):
                    return
                yield value  # and on: "window.config = {...}; window.__STATE__ = {...}" holds two


def _next_start(source: str, position: int) -> int | None:
    match = _JSON_START.search(source, position)
    return match.start(1) if match else None


def _bodies(payload: Any, titles: list[str], budget: _Budget) -> Iterator[tuple[str, str]]:
    """(key, text) for each body-like value whose object, or a parent's, carries a page title."""
    root = payload if isinstance(payload, list) else None  # a flat array state ("devalue"): values by index
    stack: list[tuple[Any, tuple[dict, ...], int]] = [(payload, (), 0)]
    while stack:
        value, parents, depth = stack.pop()
        if not budget.allows(nodes=1) or depth > MAX_DEPTH:
            if budget.exceeded:
                return
            continue
        if isinstance(value, list):
            stack.extend((item, parents, depth + 1) for item in value)
            continue
        if not isinstance(value, dict):
            continue
        chain = (value, *parents)[: TITLE_LEVELS + 1]
        for key, item in value.items():
            if isinstance(item, dict | list):
                stack.append((item, chain, depth + 1))
                continue
            string = _resolved(item, root)
            if string is None or len(string) < MIN_BODY_WORDS or not _is_body_key(key):
                continue
            if _carries_title(chain, titles, root) and budget.allows(conversions=1):
                text = state_text(string)
                if _is_prose(text):
                    yield key, text


def _resolved(item: Any, root: list | None) -> str | None:
    if isinstance(item, str):
        return item
    if root is not None and isinstance(item, int) and not isinstance(item, bool) and 0 <= item < len(root):
        found = root[item]
        return found if isinstance(found, str) else None
    return None


def _is_body_key(key: str) -> bool:
    return bool(_BODY_KEY.search(key)) and not _NOT_BODY_KEY.search(key)


def _carries_title(chain: tuple[dict, ...], titles: list[str], root: list | None) -> bool:
    """The nearest title above the body (in its object or an object inside it, "seo": {"title": ...},
    else in the closest parent that has one) is the page's: a related story's body sits under its own."""
    for depth, node in enumerate(chain):
        items = list(node.items())
        if depth == 0:
            items += [pair for child in node.values() if isinstance(child, dict) for pair in child.items()]
        named = [string for key, item in items if _TITLE_KEY.search(key) and (string := _resolved(item, root))]
        if named:
            return any(_same_title(_folded(name), title) for name in named for title in titles)
    return False


def _same_title(value: str, title: str) -> bool:
    """The page's title, or most of it ("Headline" in "Headline - Section | Site"): a site name or
    a section alone, shared by every story of the site, does not tie a value to this page."""
    if len(value) < MIN_TITLE_CHARS:
        return False
    if title in value:
        return True
    return value in title and len(value) >= MIN_TITLE_SHARE * len(title)


def state_text(value: str) -> str:
    """A state string as lines of text: HTML by its block elements (captions, figures, embeds and
    ad placeholders left out), plain text by its own lines."""
    if not _TAGS.search(value):
        return "\n".join(line for raw in value.splitlines() if (line := clean_text(raw)))
    try:
        fragment = fragment_fromstring(value, create_parent="div")
    except (ParserError, LxmlError, ValueError):
        return ""
    lines: list[str] = []
    current = [fragment.text or ""]
    _collect(fragment, lines, current)
    _flush(lines, current)
    return "\n".join(line for line in lines if not _PLACEHOLDER.match(line))


def _collect(element: HtmlElement, lines: list[str], current: list[str]) -> None:
    """Text of `element` appended line by line: a block element starts and ends a line."""
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        dropped = tag in _DROPPED or bool(_CAPTION_CLASS.search(child.get("class", "") if tag else ""))
        if tag == "br":
            _flush(lines, current)
        elif tag in _BLOCKS and not dropped:
            _flush(lines, current)
            current.append(child.text or "")
            _collect(child, lines, current)
            _flush(lines, current)
        elif tag and not dropped:
            current.append(child.text or "")
            _collect(child, lines, current)
        elif dropped and tag in _BLOCKS | {"figure", "figcaption"}:
            _flush(lines, current)
        current.append(child.tail or "")


def _flush(lines: list[str], current: list[str]) -> None:
    line = clean_text("".join(current))  # inline elements join as written: "<b>달렸다</b>는" is one word
    if line:
        lines.append(line)
    current.clear()


def _is_prose(text: str) -> bool:
    """Enough words, mostly letters, of word length (not a URL list, base64 or code)."""
    words = word_count(text)
    if words < MIN_BODY_WORDS:
        return False
    visible = [c for c in text if not c.isspace()]
    letters = sum(c.isalpha() for c in visible)
    return letters >= MIN_LETTER_SHARE * len(visible) and len(visible) / words <= MAX_WORD_CHARS


def _folded(text: str) -> str:
    return clean_text(text).casefold()
