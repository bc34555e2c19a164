"""Plain-text helpers every field shares: one normal form, and words counted per script.

Metadata often arrives double-encoded ("BIDEN&#8217;S", "&quot;") or with invisible
characters (zero-width spaces, soft hyphens, BOMs); `clean_text` gives every text field
the same form. Whitespace does not separate words in Chinese, Japanese or Thai, so
`word_count` counts those scripts by characters instead of by spaces.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]{1,31});", re.IGNORECASE)
# Han, kana and CJK punctuation-free ideograph blocks: one character is one unit of text.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
# Thai, Lao, Myanmar, Khmer: written without spaces, words average about four characters.
_UNSPACED = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
_UNSPACED_CHARS_PER_WORD = 4
# CJK punctuation separates like a space: "、", "。", "「", full-width "（），：；！？".
_CJK_PUNCTUATION = "\u3000-\u303f\uff01\uff08\uff09\uff0c\uff1a\uff1b\uff1f"
_UNITS = re.compile(rf"[{_CJK}]|[{_UNSPACED}]+|[^\s{_CJK}{_UNSPACED}{_CJK_PUNCTUATION}]+")
_UNSPACED_RUN = re.compile(rf"[{_UNSPACED}]+")
# Unicode's format characters (category Cf: soft hyphen, zero-width spaces and joiners, BOM,
# direction marks, tags), as one class: a regex pass instead of a category lookup per character.
_FORMAT = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def clean_text(value: str | None) -> str:
    """Entities decoded (twice at most: double-encoded metadata is common), format characters
    (zero-width spaces, soft hyphens, BOMs) dropped, whitespace collapsed to single spaces."""
    if not value:
        return ""
    text = value
    for _ in range(2):
        if not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return " ".join(_FORMAT.sub("", text).split())


@lru_cache(maxsize=32)  # the process step asks for one body's count several times
def word_count(text: str) -> int:
    """Whitespace-separated words, counting a Chinese or Japanese character as one word and a run
    of Thai-like script by its length: the same as len(text.split()) for spaced scripts."""
    count = 0
    for unit in _UNITS.findall(text):
        if _UNSPACED_RUN.fullmatch(unit):
            count += max(1, round(len(unit) / _UNSPACED_CHARS_PER_WORD))
        else:
            count += 1
    return count
