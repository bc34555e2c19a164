"""The packaged gazetteer and the name keys and ids built on it."""

import gzip
import json
import sys
from pathlib import Path

import pytest

from newsingest.entities.knowledge import NameMemory, entity_id_for, gazetteer, local_id, name_key, read_ids
from newsingest.models.records import EntityType

REPO = Path(__file__).resolve().parents[3]


def test_committed_gazetteer_is_what_the_build_script_makes_from_the_pinned_packages():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import build_gazetteer
    finally:
        sys.path.pop(0)
    committed = json.loads(gzip.decompress(build_gazetteer.OUT.read_bytes()))
    assert committed == json.loads(json.dumps(build_gazetteer.build())), "run: make gazetteer"


@pytest.mark.parametrize(
    ("alias", "canonical", "ids"),
    [
        ("U.S.", "United States", {"geonames": "6252001", "iso3166": "US"}),
        ("US", "United States", {"geonames": "6252001", "iso3166": "US"}),
        ("the United States", "United States", {"geonames": "6252001", "iso3166": "US"}),
        ("Britain", "United Kingdom", {"geonames": "2635167", "iso3166": "GB"}),
        ("U.K.", "United Kingdom", {"geonames": "2635167", "iso3166": "GB"}),
        ("Russian Federation", "Russia", {"geonames": "2017370", "iso3166": "RU"}),
        ("California", "California", {"geonames": "5332921", "iso3166_2": "US-CA"}),
    ],
)
def test_aliases_fold_to_one_place_with_its_public_ids(alias, canonical, ids):
    known = gazetteer().get(alias)
    assert (known.name, dict(known.ids), known.type) == (canonical, ids, EntityType.PLACE)
    assert known.id == f"geonames:{ids['geonames']}"


def test_bodies_without_a_registry_id_get_our_own_id():
    eu = gazetteer().get("EU")
    assert (eu.id, eu.name, eu.type) == ("ns:european-union", "European Union", EntityType.ORG)
    assert gazetteer().get("European Union") == eu


@pytest.mark.parametrize(
    ("written", "canonical", "code"),
    [
        ("England", "England", "GB-ENG"),
        ("Scotland", "Scotland", "GB-SCT"),
        ("Wales", "Wales", "GB-WLS"),
        ("Cymru", "Wales", "GB-WLS"),  # ISO 3166-2's other name, in brackets
        ("Northern Ireland", "Northern Ireland", "GB-NIR"),  # a 'Province', of the same rank as the UK's countries
    ],
)
def test_a_country_within_a_state_is_a_firm_place_with_its_iso_3166_2_code(written, canonical, code):
    known = gazetteer().get(written)
    assert (known.name, known.type, known.kind, known.firm) == (canonical, EntityType.PLACE, "nation", True)
    assert (known.id, dict(known.ids)) == (local_id(canonical), {"iso3166_2": code})  # no GeoNames id packaged


def test_a_country_within_a_state_that_geonames_lists_keeps_its_geonames_id_and_gains_the_code():
    aruba = gazetteer().get("Aruba")
    assert (aruba.id, aruba.kind) == ("geonames:3577279", "country")
    assert dict(aruba.ids) == {"geonames": "3577279", "iso3166": "AW", "iso3166_2": "NL-AW"}
    assert gazetteer().get("Curaçao").ids["iso3166_2"] == "NL-CW"


def test_provinces_and_regions_are_not_listed():
    """docs/entities.md: measured to collide with people and with other places of the same name."""
    assert gazetteer().get("Nelson") is None  # NZ-NSN, and Dylan Nelson
    assert gazetteer().get("Utrecht").kind == "city"  # the city, not the province NL-UT
    assert "iso3166_2" not in gazetteer().get("Utrecht").ids


def test_capitals_win_over_states_and_given_names_are_known():
    assert gazetteer().get("Washington").kind == "capital"
    assert gazetteer().is_given_name("William") and not gazetteer().is_given_name("Twitter")


def test_name_keys_ids_and_reader_names():
    assert name_key("Nicolás  MADURO") == "nicolas maduro"
    assert name_key(" The\tU.S. ") == "the u.s."  # plain ASCII: case and spacing only
    assert name_key("Straße ﬁnance \u212a") == "strasse finance k"  # folded and decomposed to ASCII
    assert name_key("São\u00a0Paulo İstanbul") == "sao paulo istanbul"
    assert local_id("Macy's") == "ns:macys"
    assert entity_id_for("U.S.") == ("geonames:6252001", "United States")
    assert entity_id_for("putin") == ("ns:putin", "putin")
    learned = NameMemory(full_names={"Vladimir Putin": 4})
    assert entity_id_for("Putin", learned) == ("ns:vladimir-putin", "Vladimir Putin")
    assert entity_id_for("ns:vladimir-putin") == ("ns:vladimir-putin", "ns:vladimir-putin")


def test_a_short_form_stands_for_a_full_name_only_when_one_dominates():
    assert NameMemory(full_names={"Donald Trump": 9, "Ivanka Trump": 2}).full_name == "Donald Trump"
    assert NameMemory(full_names={"Donald Trump": 3, "Ivanka Trump": 2}).full_name is None
    assert NameMemory().full_name is None


def test_the_census_given_names_and_surnames_are_known_words_of_names():
    assert gazetteer().could_be_a_name("Johnson") and gazetteer().could_be_a_name("Rose-Lynn")
    assert not gazetteer().could_be_a_name("Twitter")


def test_a_query_reads_the_ids_an_entity_had_before_the_corpus_learned_its_full_name():
    memory = {"trump": NameMemory(full_names={"Donald Trump": 2})}

    assert read_ids("Donald Trump", memory) == ["ns:donald-trump", "ns:trump"]
    assert read_ids("Trump", memory) == ["ns:donald-trump", "ns:trump"]
    assert read_ids("Donald Trump", {}) == ["ns:donald-trump"]  # "Trump" may be anyone: not read
    assert read_ids("U.S.", memory) == ["geonames:6252001"]
