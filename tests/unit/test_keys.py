"""The key design: stable ids, sortable time keys, bounded key sizes."""

from datetime import UTC, datetime

from newsingest.entities.knowledge import local_id
from newsingest.models.records import article_id_for
from newsingest.storage import keys


def test_article_id_is_stable_and_differs_per_url():
    a = article_id_for("https://example.com/a")
    assert a == article_id_for("https://example.com/a")
    assert a != article_id_for("https://example.com/b")
    assert len(a) == 20


def test_time_sort_keys_sort_by_time_then_id():
    early = keys.time_sort_key(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "zzz")
    late = keys.time_sort_key(datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC), "aaa")
    assert early < late
    assert early.startswith("2026-01-02T03:04:05Z#")


def test_entity_keys_are_by_canonical_id_and_name_keys_are_bounded():
    assert (
        keys.entity_pk(local_id("Donald  Trump")) == keys.entity_pk(local_id("donald trump")) == "ENT#ns:donald-trump"
    )
    assert len(keys.name_pk("x" * 5000)) <= len("NAME#") + keys.MAX_NAME_IN_KEY
    assert len(keys.entity_pk("ns:" + "x" * 5000)) <= len("ENT#") + keys.MAX_NAME_IN_KEY
    assert keys.name_pk("x" * 5000) != keys.name_pk("x" * 4999)
    assert keys.name_pk("vladimir putin") == "NAME#vladimir putin"


def test_url_key_is_bounded_for_long_urls():
    long_url = "https://example.com/" + "x" * 5000
    assert len(keys.url_pk(long_url)) < 64


def test_simhash_bands_cover_the_whole_hash():
    bands = keys.simhash_band_pks("0123456789abcdef")
    assert bands == ["SIM#0#0123", "SIM#1#4567", "SIM#2#89ab", "SIM#3#cdef"]


def test_versions_sort_numerically_as_strings():
    assert keys.version_sk(9) < keys.version_sk(10)
