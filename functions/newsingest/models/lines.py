"""Line keys: how a text's lines are kept for boilerplate learning (extraction/cleaning.py).

A digest per whitespace-normalised line. The LATEST item of each article keeps its text's keys
(8 bytes each, packed) and a source's learned boilerplate is a set of keys, so learning what a
source repeats reads small index items, never the records in S3.
"""

from __future__ import annotations

import hashlib
import re

LINE_KEY_BYTES = 8  # a collision between two lines of one source's history: about 1 in 10^16
MAX_LINE_KEYS = 100  # keys kept per article: its first and last 50 lines, where boilerplate sits


def line_keys(text: str) -> list[str]:
    """The keys of a text's distinct lines, at most MAX_LINE_KEYS (the first and the last lines)."""
    keys = list(dict.fromkeys(line_key(line) for line in text.splitlines() if normal_line(line)))
    if len(keys) > MAX_LINE_KEYS:
        keys = keys[: MAX_LINE_KEYS // 2] + keys[-(MAX_LINE_KEYS // 2) :]
    return keys


def line_key(line: str) -> str:
    """A line's key: a digest of its whitespace-normalised text (hex, 2 * LINE_KEY_BYTES characters)."""
    return hashlib.blake2b(normal_line(line).encode("utf-8"), digest_size=LINE_KEY_BYTES).hexdigest()


def as_line_key(entry: str) -> str:
    """A learned entry as a key: lines learned before keys were kept are stored as text."""
    return entry if _LINE_KEY.fullmatch(entry) else line_key(entry)


_LINE_KEY = re.compile(f"[0-9a-f]{{{2 * LINE_KEY_BYTES}}}")


def normal_line(line: str) -> str:
    """The line as compared: whitespace runs made one space, ends trimmed."""
    return " ".join(line.split())
