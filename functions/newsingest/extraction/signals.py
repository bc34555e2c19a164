"""Candidate metadata from each signal a page carries, read from the one parsed tree.

Each signal yields a `Signals` of raw candidates; fields.py reconciles them per field and
records which one won. Nothing here judges quality: a broken JSON-LD block is skipped, not fatal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from htmldate.extractors import regex_parse
from lxml.html import HtmlElement

from newsingest.extraction.page import MIN_ARTICLE_PROSE, prose_chars_in
from newsingest.extraction.text import clean_text

ARTICLE_TYPES = frozenset(
    {
        "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "ReviewNewsArticle", "BackgroundNewsArticle", "AskPublicNewsArticle", "BlogPosting",
        "LiveBlogPosting", "SocialMediaPosting", "TechArticle", "ScholarlyArticle", "Report", "WebPage",
        "ClaimReview",  # a fact-check page's own node: its name, author and date are the article's
    }
)  # fmt: skip
_ORG_TYPES = frozenset({"Organization", "NewsMediaOrganization", "Corporation", "NGO"})
# HTML comment or CDATA wrappers, themselves often behind a JavaScript comment ("//<![CDATA[").
_COMMENTS = re.compile(r"^\s*(//\s*)?(<!--|<!\[CDATA\[)|(//\s*)?(-->|\]\]>)\s*$")
_DATE_META = (
    "date", "pubdate", "publishdate", "publish-date", "dc.date", "dc.date.issued", "dcterms.created",
    "article.published", "parsely-pub-date", "sailthru.date", "og:published_time",
)  # fmt: skip
_MODIFIED_META = ("dc.date.modified", "dcterms.modified", "article.updated", "last-modified", "og:updated_time")


@dataclass
class Signals:
    """Candidate values from one signal; `source` is what provenance records."""

    source: str
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)  # bylines as written: may hold several names
    credits: list[str] = field(default_factory=list)  # declared organisations (JSON-LD author @type)
    published: str | None = None
    modified: str | None = None
    section: str | None = None
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    language: str | None = None
    accessible_for_free: bool | None = None
    site_names: list[str] = field(default_factory=list)  # how the publisher names itself
    word_count: int | None = None  # the length the publisher declares (JSON-LD wordCount)
    headings: list[str] = field(default_factory=list)  # the article's visible headings and their parts


def jsonld_signals(tree: HtmlElement) -> Signals:
    """The first article-typed JSON-LD node, searched through lists and @graph."""
    out = Signals("jsonld")
    node = next(article_nodes(tree), None)
    if node is None:
        return out
    out.title = _text(node.get("headline")) or _text(node.get("name"))
    out.description = _text(node.get("description"))
    for author in _as_list(node.get("author")) + _as_list(node.get("creator")):
        name = _text(author.get("name") if isinstance(author, dict) else author)
        if not name or (isinstance(author, dict) and _is_admin_account(author.get("url") or author.get("@id"))):
            continue
        is_org = isinstance(author, dict) and bool(types(author) & _ORG_TYPES)
        (out.credits if is_org else out.authors).append(name)
    out.published = _text(node.get("datePublished")) or _text(node.get("dateCreated"))
    out.modified = _text(node.get("dateModified"))
    sections = [s for s in (_text(v) for v in _as_list(node.get("articleSection"))) if s]
    out.section = sections[0] if sections else None
    out.categories = sections
    out.tags = _keywords(node.get("keywords"))
    out.image = _image(node.get("image")) or _image(node.get("thumbnailUrl"))
    out.language = _text(node.get("inLanguage"))
    out.accessible_for_free = _free(node)
    out.site_names = [n for p in _as_list(node.get("publisher")) if isinstance(p, dict) and (n := _text(p))]
    out.word_count = _integer(node.get("wordCount"))
    return out


def opengraph_signals(tree: HtmlElement) -> Signals:
    meta = _meta_values(tree, "property")
    return Signals(
        "opengraph",
        title=_first(meta, "og:title"),
        description=_first(meta, "og:description"),
        authors=[a for a in meta.get(_key("article:author"), []) if not a.startswith(("http://", "https://", "/"))],
        published=_first(meta, "article:published_time"),
        modified=_first(meta, "article:modified_time") or _first(meta, "og:updated_time"),
        section=_first(meta, "article:section"),
        tags=[t for tag in meta.get(_key("article:tag"), []) for t in _keywords(tag)],
        image=_first(meta, "og:image:secure_url") or _first(meta, "og:image"),
        language=_first(meta, "og:locale"),
        site_names=meta.get(_key("og:site_name"), []),
    )


_BYLINE_TAIL = re.compile(r"\s[·|•—–]\s")
MAX_BYLINE_CHARS = 200  # longer is a paragraph that happens to carry the class, not a byline


# The author's name under the keys analytics and CMS plugins write (Cxense, Sailthru, Parse.ly).
_AUTHOR_META = ("author", "byl", "dc.creator", "cxenseparse:author", "sailthru.author", "parsely-author")
# SEO plugins write the writer as a labelled pair: twitter:label1 "Written by", twitter:data1 "Ann Lee".
_WRITTEN_BY = re.compile(
    r"(written|posted) by|(verfasst|geschrieben) von|escrito por|écrit par|scritto da|geschreven door"
    r"|skrevet a[fv]|skrivet av|napisane przez|autor(in)?|author",
    re.IGNORECASE,
)
_MAX_META_LABELS = 4


def _labelled_meta(meta: dict[str, list[str]]) -> list[str]:
    labelled = []
    for number in range(1, _MAX_META_LABELS + 1):
        label, data = _first(meta, f"twitter:label{number}"), _first(meta, f"twitter:data{number}")
        if label and data and _WRITTEN_BY.fullmatch(label.strip()):
            labelled.append(data)
    return labelled


def meta_signals(tree: HtmlElement) -> Signals:
    """Plain <meta name=...>, <title> and microdata itemprops."""
    meta = _meta_values(tree, "name")
    for name, values in _meta_values(tree, "itemprop").items():
        meta.setdefault(_key(f"itemprop:{name}"), values)
    title = tree.findtext(".//title")
    return Signals(
        "meta",
        title=_text(title) or _first(meta, "twitter:title"),
        description=_first(meta, "description") or _first(meta, "twitter:description"),
        authors=[a for k in _AUTHOR_META for a in meta.get(_key(k), [])] + _labelled_meta(meta),
        published=next((v for k in _DATE_META if (v := _first(meta, k))), None)
        or _first(meta, "itemprop:datepublished"),
        modified=next((v for k in _MODIFIED_META if (v := _first(meta, k))), None)
        or _first(meta, "itemprop:datemodified"),
        section=_first(meta, "section") or _first(meta, "parsely-section"),
        tags=_keywords(_first(meta, "news_keywords") or _first(meta, "keywords")),
        image=_first(meta, "twitter:image") or _first(meta, "twitter:image:src"),
        language=_first(meta, "language") or _first(meta, "dc.language"),
        site_names=meta.get(_key("application-name"), []) + meta.get(_key("publisher"), []),
    )


# A class naming the byline, or a class token ending in "author" ("author", "article__author").
_BYLINE_TEST = (
    "contains(concat(' ', normalize-space(@class), ' '), ' by ')"
    " or contains(@class, 'byline') or contains(concat(normalize-space(@class), ' '), 'author ')"
    " or @rel='author' or @itemprop='author'"
    # links to the writer's page: /author/, /autoren/, /auteur/, /autore/, /journalist/, /yazar/, /forfatter/
    " or (@href and (contains(@href, '/author/') or contains(@href, '/authors/') or contains(@href, '/autor/')"
    " or contains(@href, '/autoren/') or contains(@href, '/auteur/') or contains(@href, '/autore/')"
    " or contains(@href, '/journalist/') or contains(@href, '/yazar/') or contains(@href, '/forfatter/')))"
)
_BYLINE = f"//body//*[{_BYLINE_TEST}]"  # one pass over the page: a union of paths would walk it twice
_INNER_BYLINES = f".//*[{_BYLINE_TEST}][not(.//*[{_BYLINE_TEST}])]"  # one per writer inside a byline block
# Blocks that list other articles or readers' words: their names are not this article's authors.
_ELSEWHERE = re.compile(
    r"related|recommend|comment|sidebar|popular|trending|more-|newsletter|promo(?!ted)|widget|outbrain|taboola"
    r"|read-?next|also-?read|footer|discussion|crumb",
    re.IGNORECASE,
)
# Layout flags name what a page has, not what a block is: "has-sidebar", "et-tb-has-footer", "with-comments".
_LAYOUT_FLAG = re.compile(r"\S*(has|with)-\S*", re.IGNORECASE)
_ELSEWHERE_TAGS = frozenset({"aside", "nav", "footer"})
_TIME_XPATH = "//*[@itemprop='datePublished'] | //time[@datetime] | //*[@pubdate]"


# A CMS's default account ("/author/admin/"): whoever set the site up, not the article's writer.
_ADMIN_ACCOUNT = re.compile(r"/(author|authors|user|users|profile)/(admin|administrator|webmaster)/?([?#].*)?$", re.I)
_LINKS = "ancestor-or-self::a/@href | .//a/@href"


def _is_admin_account(url: Any) -> bool:
    return isinstance(url, str) and bool(_ADMIN_ACCOUNT.search(url.strip()))


def byline_signals(tree: HtmlElement) -> Signals:
    """The byline as readers see it: it keeps what meta tags drop ("…, Harbour Times"); names set in
    bold as a paragraph of the text come after it (a byline block may name only the publisher)."""
    bylines = [names] if (names := _bold_byline(tree)) else []
    for element in tree.xpath(_BYLINE):
        if not in_article(element) or in_teaser(element):
            continue
        if any(_is_admin_account(link) for link in element.xpath(_LINKS)):
            continue
        # "By A with Reuters · 19 Nov 2026": a byline row often carries the date after a separator.
        text = _BYLINE_TAIL.split(_byline_text(element))[0]
        if text and len(text) <= MAX_BYLINE_CHARS:
            return Signals("byline", authors=[text, *bylines])
    return Signals("byline", authors=bylines)


def _byline_text(element: HtmlElement) -> str:
    """A block of several writers ("<div class=bylines>" around one "byline" or rel=author link each)
    reads "A, B": their texts side by side would run into one long name."""
    writers = [text for inner in element.xpath(_INNER_BYLINES) if (text := element_text(inner))]
    return ", ".join(writers) if len(writers) >= 2 else element_text(element)


# A label before the writers' names, in the languages bylines are written in: "Von: A, B",
# "<strong>Autorin/Autor</strong> A", "(责编：A、B)", "By A, in News". A label is followed by a
# colon or stands in an element of its own; a by-word ("By", "Von") may also stand before
# capitalised names alone (sentences start with it too: "Von Montag an ...").
_BY_WORDS = "by|von|par|por|door|av|af|di"
_LABELS = (
    r"autorin/autor|autor/in|authors?|autor(in|en|es|as|a)?|auteur(e|s)?|autore|autori|text|texte|tekst|penulis"
    r"|yazar|muhabir|writer|written by|reporter|作者|记者|記者|撰文|责编|责任编辑|기자"
)
_LABEL = re.compile(rf"^[(（]?\s*(?P<label>{_LABELS}|(?P<by>{_BY_WORDS}))(?!\w)\s*(?P<colon>[:：])?\s*", re.IGNORECASE)
# What a labelled byline runs into: ", in News" (its category), "am 21.02." (its date), a separator.
_LABELLED_END = re.compile(r",?\s+(?-i:in|on|am|le)\s+(?=\S)|\s[·|•—–]\s|[)）]")
_SPACE_BEFORE_COMMA = re.compile(r"\s+([,;、])")  # "<a>A</a>, <a>B</a>" reads "A , B" joined by element
MAX_LABELLED_CHARS = 120
_NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "title"})


def labelled_byline_signals(tree: HtmlElement) -> Signals:
    """The writers named after a label where no byline markup names them ("Von: A, B" in a list
    of article facts): less trusted than the byline markup and the meta tags, more than
    trafilatura's guess."""
    for node in tree.xpath("//body//text()[normalize-space()]"):
        element = node.getparent()
        if not node.is_text or element is None or element.tag in _NO_TEXT_TAGS:
            continue
        label = _LABEL.match(node.strip())
        if label is None:
            continue
        # "<li><strong>Autor</strong> Ann Lee</li>": the label is an element of its own, first in its parent.
        own = not node.strip()[label.end() :].strip() and len(element) == 0
        holder = element.getparent() if own else element
        if holder is None or (own and ((holder.text or "").strip() or holder[0] is not element)):
            continue
        names = _labelled_names(element_text(holder), label, own)
        writers = [text for inner in holder.xpath(_INNER_BYLINES) if (text := element_text(inner))]
        names = ", ".join(writers) if names and len(writers) >= 2 else names  # one link per writer: "A, B"
        if not names or holder.xpath("ancestor-or-self::a"):  # inside a link: another story's card
            continue
        if in_article(holder) and not in_teaser(holder) and not any(_is_admin_account(a) for a in holder.xpath(_LINKS)):
            return Signals("labelled_byline", authors=[names])
    return Signals("labelled_byline")


def _labelled_names(text: str, label: re.Match, own: bool) -> str | None:
    found = _LABEL.match(text)
    if found is None or found.group("label").casefold() != label.group("label").casefold():
        return None
    names = _SPACE_BEFORE_COMMA.sub(r"\1", _LABELLED_END.split(text[found.end() :], maxsplit=1)[0]).strip(" ,;:")
    if not names or len(names) > MAX_LABELLED_CHARS:
        return None
    if found.group("colon") or own or (found.group("by") and _names_only(names, min_words=1)):
        return names
    return None  # "Von Montag an gilt ...", "Autor des Buches ...": a sentence, not a byline


MIN_BODY_PARAGRAPHS = 5  # the article text's container holds at least this many <p>
_EMPHASIS = frozenset({"strong", "b", "em", "i"})
_LISTS = frozenset({"ul", "ol", "dl", "table"})
_NAME_PARTS = re.compile(r"\s*(?:/|,|&|\band\b)\s*")
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _bold_byline(tree: HtmlElement) -> str | None:
    """Names set in bold as a paragraph of the article text itself ("<p><strong>Jane Doe</strong></p>"),
    among its first three or last two paragraphs: how many small sites credit their writers."""
    containers = tree.xpath(f"//body//*[count(p) >= {MIN_BODY_PARAGRAPHS}]")
    if not containers:
        return None
    paragraphs = max(containers, key=lambda c: len(c.findall("p"))).findall("p")
    for paragraph in paragraphs[:3] + paragraphs[-2:]:
        text = element_text(paragraph)
        bold = clean_text(" ".join(" ".join(c.itertext()) for c in paragraph if c.tag in _EMPHASIS))
        following = paragraph.getnext()
        if following is not None and following.tag in _LISTS:  # "Key Points" above a list is a label
            continue
        if text and text == bold and _names_only(text):
            return ", ".join(_NAME_PARTS.split(text))
    return None


def _names_only(text: str, min_words: int = 2) -> bool:
    """`min_words` to four capitalised words per name, nothing else (no digits, no sentence punctuation)."""
    for name in _NAME_PARTS.split(text):
        words = name.split()
        if not min_words <= len(words) <= 4 or not all(_NAME_WORD.fullmatch(w) and w[0].isupper() for w in words):
            return False
    return True


def headline_signals(tree: HtmlElement) -> Signals:
    """The article's visible headline (its first <h1> outside navigation and teaser blocks), and
    every heading readers see with its parts (a kicker and a title are often two spans of one
    heading): which metadata title is the one shown on the page is decided from these."""
    out = Signals("headline")
    for heading in tree.xpath("//body//h1 | //body//h2"):
        if not in_article(heading):
            continue
        for element in heading.iter():
            if isinstance(element.tag, str) and (text := element_text(element)):
                out.headings.append(text)
        if out.title is None and heading.tag == "h1":
            out.title = element_text(heading) or None
    return out


def time_signals(tree: HtmlElement) -> Signals:
    """The first machine-readable date in the article's markup: <time datetime>, itemprop, pubdate."""
    for element in tree.xpath(_TIME_XPATH):
        value = element.get("datetime") or element.get("content")
        if value and in_article(element) and not in_teaser(element):
            return Signals("time", published=clean_text(value))
    return Signals("time")


_DATELINE_CLASS = re.compile("date|time|meta|info", re.IGNORECASE)
MAX_DATELINE_CHARS = 120
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})(?!\d)|(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"
)
_SLASHED_DATE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_CLOCK = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])(?:[:h]([0-5]\d)|\.([0-5]\d)\s*(?:uhr|h)\b)(?![\d:])", re.I)


def dateline_signals(tree: HtmlElement) -> Signals:
    """The date and time printed near the headline ("Do 25.04.24 | 14:07 Uhr", "01. April 2025,
    15:25"), for pages whose metadata gives the day but not the time. Zoneless: a local time."""
    for element in tree.xpath("//body//*[@class]"):
        if not _DATELINE_CLASS.search(element.get("class")):
            continue
        text = element_text(element)
        if not text or len(text) > MAX_DATELINE_CHARS or not in_article(element) or in_teaser(element):
            continue
        day, clock = _printed_date(text), _CLOCK.search(text)
        if day is not None and clock is not None:
            minute = clock.group(2) or clock.group(3)
            return Signals("dateline", published=f"{day}T{int(clock.group(1)):02d}:{minute}:00")
    return Signals("dateline")


def _printed_date(text: str) -> str | None:
    """ISO day of the first date written as digits or with a month name (htmldate's multilingual
    month table), or None."""
    if match := _NUMERIC_DATE.search(text):
        day, month, year = (match.group(1), match.group(2), match.group(3)) if match.group(1) else (
            match.group(6), match.group(5), match.group(4))  # fmt: skip
        year = f"20{year}" if len(year) == 2 else year
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{year}-{int(month):02d}-{int(day):02d}"
    if match := _SLASHED_DATE.search(text):
        first, second, year = (int(g) for g in match.groups())
        if (first > 12) != (second > 12):  # unambiguous only: 20/1/2026 or 1/20/2026
            day, month = (first, second) if first > 12 else (second, first)
            if day <= 31:
                return f"{year}-{month:02d}-{day:02d}"
    found = regex_parse(text)
    return found.date().isoformat() if found else None


def in_article(element: HtmlElement) -> bool:
    """False inside navigation, footers, related-article lists and comment threads."""
    node: HtmlElement | None = element
    while node is not None and isinstance(node.tag, str) and node.tag != "body":  # body classes describe the page
        names = _LAYOUT_FLAG.sub("", f"{node.get('class', '')} {node.get('id', '')}")
        if node.tag in _ELSEWHERE_TAGS or _ELSEWHERE.search(names):
            return False
        node = node.getparent()
    return True


def in_teaser(element: HtmlElement) -> bool:
    """Inside an <article> that is another story's card ("<article class=card>" in a list of
    stories, often under no class naming it related): one without an <h1> or a story's prose, on a
    page where another <article> has them. Its byline and date are that story's, not this one's."""
    cards = element.xpath("ancestor-or-self::article")
    if not cards:
        return False
    card = cards[-1]  # the innermost: a card inside the story is still a card
    if _is_story(card):
        return False
    return any(other is not card and _is_story(other) for other in element.getroottree().getroot().iter("article"))


def _is_story(article: HtmlElement) -> bool:
    if article.find(".//h1") is not None:
        return True
    return prose_chars_in(article) >= MIN_ARTICLE_PROSE


def element_text(element: HtmlElement) -> str:
    """Visible text with a space between child elements ("Name</span><span>Role" stays two words)."""
    return clean_text(" ".join(element.itertext()))


def trafilatura_signals(document: Any) -> Signals:
    """trafilatura's own metadata (its date comes from htmldate over the same tree)."""
    if document is None:
        return Signals("trafilatura")
    return Signals(
        "trafilatura",
        title=document.title,
        description=document.description,
        authors=[a for a in (document.author or "").split(";") if a.strip()],
        published=document.date,
        categories=list(document.categories or []),
        tags=list(document.tags or []),
        image=document.image,
    )


def article_nodes(tree: HtmlElement) -> Iterator[dict]:
    """Article-typed JSON-LD nodes, in page order (WebPage ones only when they carry a headline)."""
    nodes = [n for script in tree.xpath('//script[@type="application/ld+json"]') for n in _walk(_load(script))]
    yield from (n for n in nodes if types(n) & ARTICLE_TYPES - {"WebPage"})
    yield from (n for n in nodes if "WebPage" in types(n) and n.get("headline"))


def _load(script: HtmlElement) -> Any:
    raw = _COMMENTS.sub("", (script.text or "").strip()).rstrip(";")
    try:
        return json.loads(raw, strict=False)
    except ValueError:
        return None


def _walk(value: Any) -> Iterator[dict]:
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        yield value
        yield from _walk(value.get("@graph"))
        yield from _walk(value.get("mainEntity"))


def types(node: dict) -> set[str]:
    """A JSON-LD node's @type names, without schema.org URL prefixes."""
    return {t.rsplit("/", 1)[-1] for t in _as_list(node.get("@type")) if isinstance(t, str)}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    return clean_text(str(value)) or None


def _keywords(value: Any) -> list[str]:
    words = []
    for item in _as_list(value):
        if isinstance(item, str):
            words.extend(w.strip() for w in item.split(","))
        elif (name := _text(item)) is not None:
            words.append(name)
    return [w for w in words if w]


def _image(value: Any) -> str | None:
    for item in _as_list(value):
        url = item.get("url") or item.get("contentUrl") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None


def _free(node: dict) -> bool | None:
    flags = [node.get("isAccessibleForFree")] + [
        part.get("isAccessibleForFree") for part in _as_list(node.get("hasPart")) if isinstance(part, dict)
    ]
    values = [str(f).strip().lower() for f in flags if f is not None]
    if "false" in values:
        return False
    return True if "true" in values else None


def _meta_values(tree: HtmlElement, attribute: str) -> dict[str, list[str]]:
    """Meta contents by canonical key: "article:published:time" and "article:published_time" meet."""
    values: dict[str, list[str]] = {}
    for element in tree.xpath(f"//meta[@{attribute}][@content]"):
        content = clean_text(element.get("content"))
        if content:
            values.setdefault(_key(element.get(attribute)), []).append(content)
    return values


def _key(name: str) -> str:
    return _PUNCTUATION.sub("", name.lower())


_PUNCTUATION = re.compile(r"[^a-z0-9]")


def _first(meta: dict[str, list[str]], key: str) -> str | None:
    found = meta.get(_key(key))
    return found[0] if found else None


def _integer(value: Any) -> int | None:
    text = _text(value)
    digits = re.sub(r"[^\d]", "", text or "")
    return int(digits) if digits and len(digits) < 8 else None
