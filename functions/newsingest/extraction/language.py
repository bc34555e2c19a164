"""Language from the text itself; the page's declared language only decides when text is too short.

CLD2 (pycld2: Chromium's Compact Language Detector 2, as Common Crawl uses; its tables are
compiled in) rather than py3langid: on the 200 fundus pages whose extracted text is long enough
both give the same language for every page, but CLD2 is ready in 2 ms where py3langid's model
takes 0.5 s to load at every cold start, and it classifies a text in 0.7 ms instead of 4.9 ms
(bench/cold_start.py; the comparison script is in the issue 9 closing note).
"""

from __future__ import annotations

import re

import pycld2

MIN_CHARS = 200  # below this a text-based guess is less reliable than the page's own declaration
MAX_CHARS = 5000  # the identifier is as sure after a few paragraphs as after a whole long article
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CODE = re.compile(r"^([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*$")


def normalise_code(value: str | None) -> str | None:
    """'en-GB', 'en_US' -> 'en'; anything that is not a language tag -> None."""
    match = _CODE.match((value or "").strip())
    return match.group(1).lower() if match else None


def detect_language(text: str, declared: str | None) -> tuple[str | None, str]:
    """(ISO 639-1 code or None, where it came from: 'text' or 'declared')."""
    hint = normalise_code(declared)
    if len(text) < MIN_CHARS and hint:
        return hint, "declared"
    if not text.strip():
        return hint, "declared"
    code = identify(text[:MAX_CHARS])
    return (code, "text") if code else (hint, "declared")


LEGACY_CODES = {"iw": "he", "in": "id", "jw": "jv", "tl": "fil"}  # CLD2 speaks some pre-2002 ISO 639 codes


def identify(text: str) -> str | None:
    """ISO 639-1 code of the text's main language, or None when CLD2 cannot tell (or refuses the bytes)."""
    data = _CONTROLS.sub(" ", text).encode("utf-8", "replace")  # lone surrogates, NULs: CLD2 refuses them
    try:
        _reliable, _bytes, languages = pycld2.detect(data)
    except pycld2.error:  # anything else it cannot read: the declaration decides
        return None
    code = normalise_code(languages[0][1]) if languages else None
    if code in (None, "un", "xx"):
        return None
    return LEGACY_CODES.get(code, code)
