"""resolve() on hand-built mentions: every rule without a model."""

import pytest

from newsingest.entities.knowledge import NameMemory, entity_lessons
from newsingest.entities.resolve import Mention, resolve, resolve_batch
from newsingest.models.records import EntityType, TypeSource


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


# -- canonical names, ids, the gazetteer and the corpus memory -------------------------------------


def test_aliases_of_one_place_are_one_entity_with_the_canonical_name_and_public_ids():
    text = "The US and the U.S. Senate. The United States said so. The EU and the European Union agreed."
    mentions = mentions_of(
        text,
        ("US", "GPE", 0),
        ("U.S.", "GPE", 0),
        ("United States", "GPE", 0),
        ("EU", "ORG", 0),
        ("European Union", "ORG", 0),
    )

    entities = resolve(mentions, text, None)

    assert len(entities) == 2
    us, eu = sorted(entities, key=lambda e: e.id)
    assert (us.canonical_name, us.id, us.ids, us.mentions) == (
        "United States",
        "geonames:6252001",
        {"geonames": "6252001", "iso3166": "US"},
        3,
    )
    assert set(us.aliases) | {us.name} == {"US", "U.S.", "United States"}
    assert (eu.canonical_name, eu.id, eu.type, eu.mentions) == ("European Union", "ns:european-union", "ORG", 2)


def test_a_name_not_in_the_gazetteer_gets_an_id_from_its_canonical_name():
    text = "Ana Sousa spoke. Sousa left."
    [ana] = resolve(mentions_of(text, ("Ana Sousa", "PERSON", 0), ("Sousa", "PERSON", 1)), text, None)
    assert (ana.canonical_name, ana.id, ana.ids, ana.aliases) == ("Ana Sousa", "ns:ana-sousa", {}, ["Sousa"])
    assert ana.type_source is TypeSource.ARTICLE


def test_the_gazetteer_outranks_the_tagger_a_country_or_capital_is_never_a_person_or_org():
    text = "Kinshasa said. Kinshasa agreed. Kinshasa left. Burkina Faso voted."
    mentions = mentions_of(
        text, ("Kinshasa", "ORG", 0), ("Kinshasa", "ORG", 1), ("Kinshasa", "ORG", 2), ("Burkina Faso", "PERSON", 0)
    )
    entities = by_name(resolve(mentions, text, None))
    assert entities["Kinshasa"].type is EntityType.PLACE
    assert entities["Burkina Faso"].type is EntityType.PLACE
    assert entities["Kinshasa"].type_source is TypeSource.GAZETTEER


def test_a_country_within_a_state_is_a_place_with_its_iso_code_whatever_the_tagger_said():
    text = "England won. England scored. Wales lost to England. Northern Ireland drew."
    mentions = mentions_of(
        text,
        ("England", "ORG", 0),
        ("England", "PERSON", 1),
        ("Wales", "ORG", 0),
        ("England", "ORG", 2),
        ("Northern Ireland", "ORG", 0),
    )
    entities = by_name(resolve(mentions, text, None))
    assert {n: (e.type, e.id, e.ids, e.type_source) for n, e in entities.items()} == {
        "England": (EntityType.PLACE, "ns:england", {"iso3166_2": "GB-ENG"}, TypeSource.GAZETTEER),
        "Wales": (EntityType.PLACE, "ns:wales", {"iso3166_2": "GB-WLS"}, TypeSource.GAZETTEER),
        "Northern Ireland": (EntityType.PLACE, "ns:northern-ireland", {"iso3166_2": "GB-NIR"}, TypeSource.GAZETTEER),
    }


def test_the_prince_of_wales_stays_a_person_and_wales_alone_is_the_place():
    text = "The Prince of Wales visited Cardiff. The prince met farmers in Wales."
    mentions = mentions_of(text, ("Prince of Wales", "PERSON", 0), ("Cardiff", "GPE", 0), ("Wales", "GPE", 1))
    entities = by_name(resolve(mentions, text, None))
    prince, wales = entities["Prince of Wales"], entities["Wales"]
    assert (prince.type, prince.id, prince.ids) == (EntityType.PERSON, "ns:prince-of-wales", {})
    assert (wales.type, wales.id, wales.ids) == (EntityType.PLACE, "ns:wales", {"iso3166_2": "GB-WLS"})


def test_a_listed_nation_is_not_taken_for_the_person_another_article_of_the_batch_names():
    person = "Jimmy Wales founded Wikipedia. Wales said it would stay free."
    match = "England beat Wales at Wembley. Wales scored once."
    documents = [
        (mentions_of(person, ("Jimmy Wales", "PERSON", 0), ("Wales", "PERSON", 1)), person, None),
        (mentions_of(match, ("England", "GPE", 0), ("Wales", "ORG", 0), ("Wales", "ORG", 1)), match, None),
    ]
    [england, wales] = sorted(resolve_batch(documents)[1], key=lambda e: e.name)
    assert (wales.id, wales.type, wales.mentions) == ("ns:wales", EntityType.PLACE, 2)  # not ns:jimmy-wales
    assert (england.id, england.ids) == ("ns:england", {"iso3166_2": "GB-ENG"})


def test_a_listed_city_is_never_a_person_but_can_be_a_club():
    text = "Manchester won. Manchester scored. Liverpool beat Leeds. Liverpool fans sang."
    mentions = mentions_of(
        text, ("Manchester", "PERSON", 0), ("Manchester", "PERSON", 1), ("Liverpool", "ORG", 0), ("Liverpool", "ORG", 1)
    )
    types = {e.name: e.type for e in resolve(mentions, text, None)}
    assert types == {"Manchester": EntityType.PLACE, "Liverpool": EntityType.ORG}


def test_a_short_form_folded_into_a_person_is_that_person_not_the_country_it_spells():
    text = "Michael Jordan played. Jordan scored."
    [jordan] = resolve(mentions_of(text, ("Michael Jordan", "PERSON", 0), ("Jordan", "PERSON", 1)), text, None)
    assert (jordan.name, jordan.id, jordan.type) == ("Michael Jordan", "ns:michael-jordan", EntityType.PERSON)


def test_a_surname_tagged_as_a_place_still_folds_when_no_gazetteer_knows_the_place():
    text = "Linda Nochlin wrote. Nochlin argued. Nochlin taught. Nochlin died."
    mentions = mentions_of(
        text,
        ("Linda Nochlin", "PERSON", 0),
        ("Nochlin", "GPE", 0),
        ("Nochlin", "GPE", 1),
        ("Nochlin", "GPE", 2),
    )
    [nochlin] = resolve(mentions, text, None)
    assert (nochlin.name, nochlin.type, nochlin.mentions) == ("Linda Nochlin", EntityType.PERSON, 4)


@pytest.mark.parametrize("brand", ["Macy's", "McDonald’s", "Sainsbury's"])
def test_a_brand_that_ends_in_s_keeps_it_whether_or_not_the_tagger_cut_it(brand):
    bare = brand[:-2]
    text = f"Shoppers queued at {brand} on Friday. {brand} said sales rose, and {brand} shares climbed."
    cut = mentions_of(text, (bare, "ORG", 0), (bare, "ORG", 1), (bare, "ORG", 2))
    whole = mentions_of(text, (brand, "ORG", 0), (brand, "ORG", 1))
    for mentions in (cut, whole):
        [entity] = resolve(mentions, text, None)
        assert entity.name == brand
        assert all(text[o:].startswith(brand) for o in entity.offsets)


def test_an_ordinary_possessive_is_still_stripped():
    text = "Trump's plan failed. Trump's aides left. Trump spoke."
    mentions = mentions_of(text, ("Trump's", "PERSON", 0), ("Trump's", "PERSON", 1), ("Trump", "PERSON", 2))
    assert [e.name for e in resolve(mentions, text, None)] == ["Trump"]


def test_contractions_fragments_and_lowercase_words_are_not_entities():
    text = "They didn’t go. It wasn't ’s fault. He said bitcoin rose in Paris."
    mentions = mentions_of(
        text, ("n’t", "GPE", 0), ("n't", "ORG", 0), ("’s", "ORG", 0), ("bitcoin", "ORG", 0), ("Paris", "GPE", 0)
    )
    assert [e.name for e in resolve(mentions, text, None)] == ["Paris"]


def test_a_head_word_yields_to_a_given_name_the_gazetteer_and_the_corpus():
    text = (
        "William Hill said. William Hill paid. Tarn Hill fell. Manchester Piccadilly shut, Manchester said."
        " Lorn Bay rose. Vladimir Putin spoke."
    )
    mentions = mentions_of(
        text,
        ("William Hill", "ORG", 0),
        ("William Hill", "ORG", 1),
        ("Tarn Hill", "ORG", 0),
        ("Manchester Piccadilly", "PERSON", 0),
        ("Manchester", "GPE", 1),
        ("Lorn Bay", "ORG", 0),
        ("Vladimir Putin", "PERSON", 0),
    )
    memory = {"lorn bay": NameMemory(types={EntityType.ORG: 4})}
    entities = by_name(resolve(mentions, text, None, memory))
    assert entities["William Hill"].type is EntityType.ORG  # a given name first: a person or a firm
    assert (entities["Tarn Hill"].type, entities["Tarn Hill"].type_source) == (EntityType.PLACE, TypeSource.SHAPE)
    assert entities["Manchester Piccadilly"].type is EntityType.PLACE  # led by a listed city it names alone
    assert entities["Vladimir Putin"].type is EntityType.PERSON  # Vladimir is a city it never names
    assert entities["Lorn Bay"].type is EntityType.ORG  # four articles said so


def test_a_listed_place_is_not_folded_into_a_person_it_begins():
    text = "Manchester Piccadilly closed. Manchester was quiet."
    mentions = mentions_of(text, ("Manchester Piccadilly", "PERSON", 0), ("Manchester", "PERSON", 1))
    entities = by_name(resolve(mentions, text, None))
    assert entities["Manchester"].type is EntityType.PLACE


def test_the_corpus_prior_outweighs_one_articles_tags_once_two_articles_agree():
    text = "Twitter banned him. Twitter said so."
    mentions = mentions_of(text, ("Twitter", "PERSON", 0), ("Twitter", "PERSON", 1))
    taught_once = {"twitter": NameMemory(types={EntityType.ORG: 1})}
    taught_twice = {"twitter": NameMemory(types={EntityType.ORG: 2})}

    assert resolve(mentions, text, None, taught_once)[0].type is EntityType.PERSON
    [twitter] = resolve(mentions, text, None, taught_twice)
    assert (twitter.type, twitter.type_source) == (EntityType.ORG, TypeSource.CORPUS)


def test_a_short_form_alone_takes_the_full_name_the_corpus_learned():
    text = "Putin spoke on Monday. Putin left."
    mentions = mentions_of(text, ("Putin", "PERSON", 0), ("Putin", "ORG", 1))
    memory = {"putin": NameMemory(types={EntityType.PERSON: 3}, full_names={"Vladimir Putin": 3})}

    [putin] = resolve(mentions, text, None, memory)

    assert (putin.name, putin.canonical_name, putin.id) == ("Putin", "Vladimir Putin", "ns:vladimir-putin")
    assert putin.type is EntityType.PERSON


def test_a_one_word_person_the_corpus_never_saw_in_full_is_a_brand():
    text = "Instagram removed the post. Instagram said so."
    mentions = mentions_of(text, ("Instagram", "PERSON", 0), ("Instagram", "PERSON", 1))
    seen_alone = {"instagram": NameMemory(types={EntityType.PERSON: 3})}
    seen_with_a_full_name = {"instagram": NameMemory(types={EntityType.PERSON: 3}, full_names={"Ann Instagram": 1})}

    assert resolve(mentions, text, None)[0].type is EntityType.PERSON  # no corpus yet: the article decides
    assert resolve(mentions, text, None, seen_alone)[0].type is EntityType.ORG
    assert resolve(mentions, text, None, seen_with_a_full_name)[0].type is EntityType.PERSON


def test_a_lone_word_no_list_of_given_names_or_surnames_holds_is_an_org_from_its_first_article():
    text = "Follow the council on Twitter. The post spread on Twitter overnight."
    mentions = mentions_of(text, ("Twitter", "PERSON", 0), ("Twitter", "PERSON", 1))

    [twitter] = resolve(mentions, text, None)

    assert (twitter.type, twitter.type_source) == (EntityType.ORG, TypeSource.NAMES)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Critics blamed Johnson for the delay.", "Johnson"),  # a census surname
        ("Later President Zelensky left Kyiv.", "Zelensky"),  # titled
        ("“It overflows,” Apte said on Monday.", "Apte"),  # quoted
    ],
)
def test_a_lone_word_that_may_be_a_persons_name_stays_a_person(text, name):
    [person] = resolve(mentions_of(text, (name, "PERSON", 0)), text, None)

    assert (person.name, person.type) == (name, EntityType.PERSON)


def test_a_lone_word_the_corpus_knows_as_a_short_form_stays_a_person_and_the_names_rule_teaches_person():
    text = "Critics blamed Zelensky for the delay."
    mentions = mentions_of(text, ("Zelensky", "PERSON", 0))
    known = {"zelensky": NameMemory(full_names={"Volodymyr Zelensky": 2})}

    [learned] = resolve(mentions, text, None, known)
    [unknown] = resolve(mentions, text, None)

    assert (learned.type, learned.id) == (EntityType.PERSON, "ns:volodymyr-zelensky")
    assert (unknown.type, unknown.type_source) == (EntityType.ORG, TypeSource.NAMES)
    # what the article saw was a person: that is what the corpus memory records, not the lists' ORG
    assert [(lesson.key, lesson.type) for lesson in entity_lessons([unknown])] == [("zelensky", EntityType.PERSON)]


def test_the_article_named_the_chronicle_that_says_is_not_quoting_a_person():
    text = "The Chronicle says he was arrested."
    [chronicle] = resolve(mentions_of(text, ("Chronicle", "PERSON", 0)), text, None)
    assert chronicle.type is EntityType.ORG


def test_a_batch_teaches_its_own_articles_the_full_names_it_writes():
    full = "Donald Trump spoke in Ohio. Later Trump left."
    short = "Trump raised tariffs on Monday."
    documents = [
        (mentions_of(full, ("Donald Trump", "PERSON", 0), ("Trump", "PERSON", 1)), full, None),
        (mentions_of(short, ("Trump", "PERSON", 0)), short, None),
    ]

    together = resolve_batch(documents)
    [alone] = resolve_batch(documents[1:])

    assert [e.id for e in together[1]] == ["ns:donald-trump"]
    assert (together[1][0].name, together[1][0].canonical_name) == ("Trump", "Donald Trump")
    assert [e.id for e in alone] == ["ns:trump"]  # a document never learns from itself


def test_a_batch_adds_to_what_the_stored_corpus_taught():
    class Stored:
        def recall(self, keys):
            return {"trump": NameMemory(full_names={"Ivanka Trump": 1})} if "trump" in keys else {}

    full = "Donald Trump spoke. Later Trump left."
    other = "Donald Trump met the press. Trump then left."
    short = "Trump raised tariffs on Monday."
    documents = [
        (mentions_of(text, ("Donald Trump", "PERSON", 0), ("Trump", "PERSON", 1)), text, None) for text in (full, other)
    ] + [(mentions_of(short, ("Trump", "PERSON", 0)), short, None)]

    # stored: Ivanka once; the batch: Donald twice. 2 < 3 x 1, so no full name dominates yet
    assert resolve_batch(documents, Stored())[2][0].id == "ns:trump"
    assert resolve_batch(documents)[2][0].id == "ns:donald-trump"
