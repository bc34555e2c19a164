import re

import pytest

from newsingest.extraction.fingerprints import NEAR_DUPLICATE_BITS, content_hash, hamming, simhash


@pytest.fixture
def seed(seed_paragraphs) -> str:
    return "\n".join(seed_paragraphs)


def test_content_hash_ignores_case_whitespace_and_punctuation():
    assert content_hash("Hello,  World!\nAgain") == content_hash("hello world again")
    assert content_hash("hello world") != content_hash("hello word")
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash("x"))


def test_simhash_is_16_hex_digits_and_stable(seed):
    value = simhash(seed)
    assert re.fullmatch(r"[0-9a-f]{16}", value)
    assert simhash(seed) == value
    assert re.fullmatch(r"[0-9a-f]{16}", simhash(""))


def test_near_duplicate_pair_is_within_the_threshold(seed):
    syndicated = seed.replace("’", "'").replace("“", '"') + "\nThis article first appeared on Express.co.uk."
    edited = seed.replace("tomorrow", "on Tuesday")
    for copy in (syndicated, edited):
        assert content_hash(copy) != content_hash(seed)
        assert hamming(simhash(seed), simhash(copy)) <= NEAR_DUPLICATE_BITS


def test_different_articles_are_far_apart(seed):
    other = " ".join(f"The library extends opening hours for exam season week {i}." for i in range(60))
    assert hamming(simhash(seed), simhash(other)) > 3 * NEAR_DUPLICATE_BITS


def test_hamming():
    assert hamming("0000000000000000", "0000000000000000") == 0
    assert hamming("0000000000000000", "ffffffffffffffff") == 64
    assert hamming("000000000000000f", "0000000000000001") == 3
