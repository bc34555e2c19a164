"""Language from the text itself; the page's declared language only decides when text is too short.

py3langid (the identifier trafilatura itself uses) loads its model lazily on first use,
so importing this module costs nothing at cold start.
"""

from __future__ import annotations

import re

import py3langid

MIN_CHARS = 200  # below this a text-based guess is less reliable than the page's own declaration
MAX_CHARS = 5000  # the identifier is as sure after a few paragraphs as after a whole long article
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
    code, _score = py3langid.classify(text[:MAX_CHARS])
    return code, "text"
