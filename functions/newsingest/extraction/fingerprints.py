"""Text fingerprints: an exact hash for identical copies, a SimHash for near duplicates.

Both work on normalised words (case-folded \\w+ tokens), so whitespace, punctuation and
markup differences between a page and its syndicated copy do not matter.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

NEAR_DUPLICATE_BITS = 3  # storage bands the 64 bits into 4x16: within 3 bits, one band always matches
_WORD = re.compile(r"\w+")
_SHINGLE = 3


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(_words(text)).encode("utf-8")).hexdigest()


def simhash(text: str) -> str:
    """64-bit SimHash over word 3-shingles, as 16 hex digits."""
    words = _words(text)
    shingles = [" ".join(words[i : i + _SHINGLE]) for i in range(max(1, len(words) - _SHINGLE + 1))]
    digests = b"".join(hashlib.blake2b(s.encode("utf-8"), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)  # MSB first
    majority = bits.sum(axis=0) * 2 > len(shingles)
    return np.packbits(majority).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()
