"""resolve() on hand-built mentions: every rule without a model."""

import pytest

from newsingest.entities.resolve import Mention, resolve
from newsingest.models.records import EntityType


def mentions_of(text: str, *spans: tuple[str, str, int]) -> list[Mention]:
    """Mentions for (surface, label, occurrence) triples, located in `text`."""
    out = []
    for surface, label, occurrence in spans:
        start = -1
        for _ in range(occurrence + 1):
            start = text.index(surface, start + 1)
        out.append(Mention(surface, label, start, start + len(surface)))
    return out


def by_name(entities):
    return {e.name: e for e in entities}


def test_short_forms_fold_into_the_full_person_name_and_vote_person():
    text = "Donald Trump spoke. Later Trump left, and critics said Trump lost."
    mentions = mentions_of(text, ("Donald Trump", "PERSON", 0), ("Trump", "ORG", 1), ("Trump", "ORG", 2))

    [trump] = resolve(mentions, text, None)

    assert (trump.name, trump.type, trump.mentions) == ("Donald Trump", EntityType.PERSON, 3)
    assert [text[o : o + 5] for o in trump.offsets] == ["Donal", "Trump", "Trump"]
    assert trump.offsets == sorted(trump.offsets)


def test_prefix_short_form_folds_too():
    text = "Phil Gunson is an analyst. Phil says the talks failed."
    mentions = mentions_of(text, ("Phil Gunson", "PERSON", 0), ("Phil", "PERSON", 1))

    [gunson] = resolve(mentions, text, None)

    assert (gunson.name, gunson.mentions) == ("Phil Gunson", 2)


def test_determiners_possessives_and_punctuation_are_stripped_from_names_and_offsets():
    text = "It recalled the Soviet Union’s base, and “the Soviet Union,” too."
    mentions = mentions_of(text, ("the Soviet Union’s", "GPE", 0), ("“the Soviet Union,”", "GPE", 0))

    [soviet] = resolve(mentions, text, None)

    assert (soviet.name, soviet.type, soviet.mentions) == ("Soviet Union", EntityType.PLACE, 2)
    assert all(text[o : o + len("Soviet Union")] == "Soviet Union" for o in soviet.offsets)


def test_capital_the_is_kept_inside_a_sentence_and_stripped_at_its_start():
    text = "Talks moved to The Hague. The US objected."
    mentions = mentions_of(text, ("The Hague", "GPE", 0), ("The US", "GPE", 0))

    assert set(by_name(resolve(mentions, text, None))) == {"The Hague", "US"}


def test_place_possessive_glued_to_a_name_is_split_into_place_and_person():
    text = "Venezuela is tense. Venezuela’s Maduro pledged to fight."
    mentions = mentions_of(text, ("Venezuela", "GPE", 0), ("Venezuela’s Maduro", "PERSON", 0))

    entities = by_name(resolve(mentions, text, None))

    assert entities["Venezuela"].type is EntityType.PLACE
    assert entities["Venezuela"].mentions == 2
    assert entities["Maduro"].type is EntityType.PERSON
    assert text[entities["Maduro"].offsets[0] :].startswith("Maduro pledged")


def test_possessive_inside_a_name_stays_when_the_owner_is_not_named_alone():
    text = "Shares in McDonald's Corporation rose."
    mentions = mentions_of(text, ("McDonald's Corporation", "ORG", 0))

    assert [e.name for e in resolve(mentions, text, None)] == ["McDonald's Corporation"]


def test_organisation_running_on_into_a_person_is_split():
    text = "He backed the leader of the National Assembly Juan Guaido instead."
    mentions = mentions_of(text, ("the National Assembly Juan Guaido", "ORG", 0))

    entities = by_name(resolve(mentions, text, None))

    assert entities["National Assembly"].type is EntityType.ORG
    assert entities["Juan Guaido"].type is EntityType.PERSON
    assert text[entities["Juan Guaido"].offsets[0] :].startswith("Juan Guaido instead")


def test_run_on_into_a_person_named_elsewhere_is_split():
    text = "Phil Gunson works there. The International Crisis Group Phil Gunson said so."
    mentions = mentions_of(text, ("Phil Gunson", "PERSON", 0), ("International Crisis Group Phil Gunson", "ORG", 0))

    entities = by_name(resolve(mentions, text, None))

    assert entities["International Crisis Group"].type is EntityType.ORG
    assert entities["Phil Gunson"].mentions == 2


def test_ambiguous_short_form_is_not_folded():
    text = "Donald Trump and Ivanka Trump arrived. Trump spoke first."
    mentions = mentions_of(text, ("Donald Trump", "PERSON", 0), ("Ivanka Trump", "PERSON", 0), ("Trump", "PERSON", 2))

    assert set(by_name(resolve(mentions, text, None))) == {"Donald Trump", "Ivanka Trump", "Trump"}


def test_short_form_used_mostly_as_a_place_keeps_its_own_entity():
    text = "A statue of George Washington stands in Washington. Washington is busy."
    mentions = mentions_of(text, ("George Washington", "PERSON", 0), ("Washington", "GPE", 1), ("Washington", "GPE", 2))

    entities = by_name(resolve(mentions, text, None))

    assert entities["Washington"].type is EntityType.PLACE
    assert entities["George Washington"].mentions == 1


def test_majority_vote_decides_the_type_and_ties_prefer_person():
    text = "Goldman Sachs hired. Goldman Sachs fired. Goldman Sachs said. Maduro spoke. Maduro left."
    mentions = mentions_of(
        text,
        ("Goldman Sachs", "ORG", 0),
        ("Goldman Sachs", "ORG", 1),
        ("Goldman Sachs", "PERSON", 2),
        ("Maduro", "ORG", 0),
        ("Maduro", "PERSON", 1),
    )

    entities = by_name(resolve(mentions, text, None))

    assert entities["Goldman Sachs"].type is EntityType.ORG
    assert entities["Maduro"].type is EntityType.PERSON


def test_case_and_accents_do_not_split_a_name():
    text = "Nicolás Maduro spoke. Nicolas Maduro left."
    mentions = mentions_of(text, ("Nicolás Maduro", "PERSON", 0), ("Nicolas Maduro", "PERSON", 0))

    [maduro] = resolve(mentions, text, None)

    assert maduro.mentions == 2


def test_labels_outside_the_entity_types_are_dropped_and_others_mapped():
    text = "On Monday 30 jets from Sukhoi flew over Caracas for the Cold War museum of Venezuelan art."
    mentions = mentions_of(
        text,
        ("Monday", "DATE", 0),
        ("30", "CARDINAL", 0),
        ("Sukhoi", "ORGANIZATION", 0),
        ("Caracas", "LOCATION", 0),
        ("Cold War", "EVENT", 0),
        ("Venezuelan", "NORP", 0),
    )

    types = {e.name: e.type for e in resolve(mentions, text, None)}

    assert types == {
        "Sukhoi": EntityType.ORG,
        "Caracas": EntityType.PLACE,
        "Cold War": EntityType.EVENT,
        "Venezuelan": EntityType.GROUP,
    }


def test_offsets_that_do_not_match_the_text_are_relocated_to_the_nearest_occurrence():
    text = "😀 Paris is calm; Paris is big."
    mentions = [Mention("Paris", "GPE", 3, 8), Mention("Berlin", "GPE", 0, 6)]

    [paris] = resolve(mentions, text, None)

    assert paris.offsets == [2]


def test_salience_ranks_title_then_lead_then_frequency():
    lead = "Putin met Macron in Paris.\n"
    body = "Filler sentence. " * 40 + "Later, Berlin. Berlin again. Berlin, once more. Paris too."
    text = lead + body
    mentions = mentions_of(
        text,
        ("Putin", "PERSON", 0),
        ("Macron", "PERSON", 0),
        ("Paris", "GPE", 0),
        ("Berlin", "GPE", 0),
        ("Berlin", "GPE", 1),
        ("Berlin", "GPE", 2),
        ("Paris", "GPE", 1),
    )

    entities = resolve(mentions, text, "Putin’s warning")

    assert [e.name for e in entities] == ["Putin", "Paris", "Macron", "Berlin"]
    putin, paris, macron, berlin = entities
    assert putin.salience == pytest.approx(0.4 + 0.3 + 0.3 * 1 / 3, abs=1e-3)
    assert paris.salience == pytest.approx(0.3 + 0.3 * 2 / 3, abs=1e-3)
    assert macron.salience == pytest.approx(0.3 + 0.3 * 1 / 3, abs=1e-3)
    assert berlin.salience == pytest.approx(0.3, abs=1e-3)
    assert all(0 <= e.salience <= 1 for e in entities)


def test_no_mentions_no_entities():
    assert resolve([], "Nothing here.", "Title") == []


def test_a_name_never_runs_over_a_line_break():
    text = "Buy Now\n\nApple iPhone 7 Plus is on sale."
    mentions = mentions_of(text, ("Buy Now\n\nApple iPhone 7 Plus", "ORG", 0))

    assert [e.name for e in resolve(mentions, text, None)] == ["Buy Now", "Apple iPhone 7 Plus"]


def test_a_names_head_word_outranks_a_contradicting_label():
    text = "Water rose in Chichester Harbour. Newcastle United won. Storm Brenna hit. Simon Gale spoke."
    mentions = [
        Mention("Chichester Harbour", "PERSON", 14, 32),
        Mention("Newcastle United", "GPE", 34, 50),
        Mention("Storm Brenna", "PERSON", 56, 68),
        Mention("Simon Gale", "PERSON", 74, 84),
    ]
    types = {e.name: e.type for e in resolve(mentions, text, None)}
    assert types == {
        "Chichester Harbour": EntityType.PLACE,
        "Newcastle United": EntityType.ORG,
        "Storm Brenna": EntityType.EVENT,
        "Simon Gale": EntityType.PERSON,
    }


def test_honorifics_are_not_part_of_a_name():
    text = "Councillor Gerald Finch said the cuts were painful. Finch later resigned."
    mentions = [Mention("Councillor Gerald Finch", "PERSON", 0, 23), Mention("Finch", "PERSON", 52, 57)]
    (entity,) = resolve(mentions, text, None)
    assert (entity.name, entity.mentions, entity.offsets) == ("Gerald Finch", 2, [11, 52])
