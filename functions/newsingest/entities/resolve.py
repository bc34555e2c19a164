"""Document-level entity resolution: a tagger's raw mentions -> one entity per name.

Pure (no spaCy, no AWS) so both taggers share the same rules. NER models label each
mention on its own and flip types inside one article (spaCy en_core_web_sm tags
"Trump" as ORG in one sentence and PERSON in the next); a reader wants one entity,
typed once, under its fullest name, with a canonical name and id shared across articles
(knowledge.py: the gazetteer and the corpus memory). docs/entities.md explains each rule.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from newsingest.entities.knowledge import (
    CorpusMemory,
    Known,
    NameMemory,
    abbreviates,
    entity_lessons,
    gazetteer,
    local_id,
    name_key,
    with_full_names,
)
from newsingest.models.records import Entity, EntityType, TypeSource

# spaCy (OntoNotes) and Amazon Comprehend labels; anything else (DATE, CARDINAL, MONEY,
# QUANTITY, OTHER, ...) is not an entity a reader looks up, so it is dropped.
LABEL_TYPES: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "ORGANIZATION": EntityType.ORG,
    "GPE": EntityType.PLACE,
    "LOC": EntityType.PLACE,
    "FAC": EntityType.PLACE,
    "LOCATION": EntityType.PLACE,
    "NORP": EntityType.GROUP,
    "EVENT": EntityType.EVENT,
    "PRODUCT": EntityType.PRODUCT,
    "WORK_OF_ART": EntityType.PRODUCT,
    "LAW": EntityType.PRODUCT,
    "COMMERCIAL_ITEM": EntityType.PRODUCT,
    "TITLE": EntityType.PRODUCT,
}

# Tie-break between equally voted types: a name is more often a person or a place
# mislabelled as an organisation than the other way round.
TYPE_PRIORITY = (
    EntityType.PERSON,
    EntityType.PLACE,
    EntityType.ORG,
    EntityType.GROUP,
    EntityType.EVENT,
    EntityType.PRODUCT,
)

# Words that end the name of a body; capitalised words run on after one are a new name
# ("the Citizens Assembly Juan Guaido" -> "Citizens Assembly" + "Juan Guaido").
ORG_HEADS = frozenset(
    {
        "Assembly", "Parliament", "Congress", "Senate", "Council", "Committee", "Party", "Ministry",
        "Department", "Commission", "Agency", "Court", "Federation", "Association", "Office",
    }
)  # fmt: skip

# A multi-word name's head word outranks the small model's label when they disagree:
# "Chichester Harbour" is a place and "Newcastle United" a club whatever NER guessed.
PLACE_HEADS = frozenset(
    {
        "Harbour", "Harbor", "Bay", "Island", "Islands", "Isle", "River", "Park", "Hill", "Hills", "Valley",
        "Moor", "Fell", "Forest", "Coast", "Street", "Road", "Bridge", "Lake", "Mountain", "Mountains",
        "Peninsula", "Estuary", "Firth", "Sound", "Channel", "Strait", "Square", "Airport", "Station",
    }
)  # fmt: skip
ORG_NAME_HEADS = ORG_HEADS | frozenset(
    {
        "University", "College", "Ltd", "plc", "Inc", "Group", "Trust", "Authority", "Board",
        "Company", "Bank", "Institute", "Cruises", "Airways", "Airlines", "Railways", "Water", "Energy",
        "Club", "FC", "United", "Police", "Service", "Organisation", "Organization", "Corporation",
    }
)  # fmt: skip
PLACE_LED_KINDS = frozenset({"city", "capital", "state"})
EVENT_FIRST_WORDS = frozenset({"Storm", "Hurricane", "Typhoon", "Cyclone", "Operation"})

# The corpus prior's weight against one article's own votes (which sum to 1): see _decide_type.
CORPUS_WEIGHT = 2.5
MIN_LONE_ARTICLES = 3  # see _never_a_full_name

LEAD_PARAGRAPHS = 2
LEAD_CHARS = 500
TITLE_WEIGHT, LEAD_WEIGHT, FREQUENCY_WEIGHT = 0.4, 0.3, 0.3

_LEADING = re.compile(
    r"[\s\"'“‘(\[]+|the\s+"
    r"|(?:Councillor|Cllr|Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Lord|Lady|Professor|Prof|Rev|President|Chancellor"
    r"|Minister|Senator|Judge|General|Captain|Inspector)\.?\s+(?=[A-Z])"  # honorifics: not part of the name
)
_SENTENCE_THE = re.compile(r"The\s+")
_TRAILING = re.compile(r"(?:[\s\"”’',;:!?)\]]+|['’]s)$")
_POSSESSIVE = re.compile(r"['’]s\s+")
_POSSESSIVE_END = re.compile(r"['’]s(?!\w)")
_FRAGMENT = re.compile(r"(?i)n['’]t|['’](?:s|re|ve|ll|d|m)|\W*\w?\W*")
# Titles that only ever stand before a person's name: "President Biden", "Mr. Putin", "Gov. Noem".
_TITLE_BEFORE = re.compile(
    r"(?<!\w)(?:Mr|Mrs|Ms|Miss|Mx|Dr|Sir|Dame|Lord|Lady|Professor|Prof|Rev|Reverend|Father|Sister|Pope|King|Queen"
    r"|Prince|Princess|President|Chancellor|Minister|Premier|Senator|Sen|Rep|Representative|Congressman"
    r"|Congresswoman|Governor|Gov|Mayor|Judge|Justice|General|Gen|Colonel|Col|Captain|Capt|Lieutenant|Lt"
    r"|Sergeant|Sgt|Officer|Detective|Inspector|Sheriff|Councillor|Cllr|Secretary|Speaker|Ambassador|Chairman"
    r"|Chairwoman|Coach)\.?\s+$"
)
# "Apte said": the commonest attribution in news, written of people (an organisation "said" too,
# but is then mostly "the X" or "X, the company, said").
_SPEAKS_AFTER = re.compile(
    r"\s+(?:said|says|told|added|asked|wrote|explained|argued|insisted|recalled|replied|noted|cited)\b"
)
_THE_BEFORE = re.compile(r"(?i)(?<!\w)the\s+$")
_PARAGRAPH = re.compile(r"\S.*?(?:\n|$)", re.DOTALL)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


@dataclass(frozen=True)
class Mention:
    """One span a tagger labelled: offsets are into the text it was given."""

    text: str
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    type: EntityType
    surface: str  # text[start:end] with whitespace collapsed


def resolve(
    mentions: Sequence[Mention], text: str, title: str | None, memory: Mapping[str, NameMemory] | None = None
) -> list[Entity]:
    """Entities of one document, most salient first. `memory` is what the corpus taught about
    the document's names (keyed by knowledge.name_key), see resolve_batch."""
    memory = memory or {}
    spans = [span for m in mentions for span in _normalise(m, text)]
    spans = _split_possessives(spans, text)
    spans = _split_run_ons(spans, text)
    groups: dict[str, list[_Span]] = defaultdict(list)
    for span in spans:
        groups[name_key(span.surface)].append(span)
    canonical = _canonical_names(groups)
    merged: dict[str, list[tuple[_Span, bool]]] = defaultdict(list)
    for key, members in groups.items():
        target = canonical.get(key, key)
        merged[target].extend((span, target != key) for span in members)
    by_id: dict[str, list[_Group]] = defaultdict(list)
    for key, members in merged.items():
        group = _identify(key, members, groups[key], memory)
        by_id[group.id].append(group)
    lead_end = _lead_end(text)
    max_mentions = max((sum(len(g.members) for g in gs) for gs in by_id.values()), default=1)
    entities = [_entity(parts, text, title, lead_end, max_mentions, memory, set(groups)) for parts in by_id.values()]
    return sorted(entities, key=lambda e: (-e.salience, e.offsets[0], e.name))


def resolve_batch(
    documents: Sequence[tuple[Sequence[Mention], str, str | None]], memory: CorpusMemory | None = None
) -> list[list[Entity]]:
    """resolve() over a tagger's batch: (mentions, text, title) each, with one corpus-memory
    lookup for every name in the batch.

    The batch also teaches itself: each document is resolved again with the stored memory plus
    the full names the batch's other documents teach (knowledge.entity_lessons of all their entities), so
    an article that only says "Trump" takes the full name another article of the same batch
    wrote it under, as it would once that article is stored. A document never learns from itself."""
    names = {
        name_key(span.surface) for mentions, text, _ in documents for m in mentions for span in _normalise(m, text)
    }
    recalled = memory.recall(names) if memory is not None and names else {}
    first = [resolve(mentions, text, title, recalled) for mentions, text, title in documents]
    if len(documents) < 2:
        return first
    taught = [entity_lessons(entities) for entities in first]
    return [
        resolve(mentions, text, title, with_full_names(recalled, taught[:i] + taught[i + 1 :]))
        for i, (mentions, text, title) in enumerate(documents)
    ]


@dataclass
class _Group:
    """The mentions of one name in one document, with what we know about the name."""

    id: str
    canonical_name: str
    members: list[tuple[_Span, bool]]  # (span, folded into a fuller name in this document)
    named: list[_Span]  # the spans written as the fullest name
    known: Known | None
    remembered_full_name: bool = False


def _identify(key: str, members: list[tuple[_Span, bool]], named: list[_Span], memory: Mapping[str, NameMemory]):
    """The canonical name and id: the gazetteer first (the name's own written forms; a short form
    folded into a person is that person, not the country "Jordan"), then a full name the corpus
    learned for this short form, else the name itself."""
    forms = sorted({s.surface for s in named}, key=lambda f: (-len(f.split()), -len(f)))
    known = next((k for k in map(gazetteer().get, forms) if k is not None), None)
    if known is not None:
        return _Group(known.id, known.name, members, named, known)
    display = _display_name(named)
    votes = Counter(s.type for s, _ in members)
    full = memory.get(key, NameMemory()).full_name
    if full and _vote(votes) in (EntityType.PERSON, EntityType.ORG) and abbreviates(key, name_key(full)):
        return _Group(local_id(full), full, members, named, None, remembered_full_name=True)
    return _Group(local_id(display), display, members, named, None)


def _normalise(mention: Mention, text: str) -> list[_Span]:
    """Strip determiners, possessives and punctuation so offsets point at the bare name.
    A name never runs over a line break (a paragraph in extracted text): without the
    parser's sentence boundaries NER sometimes joins "Buy Now\n\nApple iPhone"."""
    entity_type = LABEL_TYPES.get(mention.label)
    start = _locate(mention, text)
    if entity_type is None or start is None:
        return []
    lines = re.finditer(r"[^\n]+", text[start : start + len(mention.text)])
    spans = (_strip(text, start + line.start(), start + line.end(), entity_type) for line in lines)
    return [span for span in spans if span and _is_name(span.surface)]


def _is_name(surface: str) -> bool:
    """Contractions and fragments ("n’t", "’s") and all-lowercase words are not names."""
    return any(c.isupper() for c in surface) and not _FRAGMENT.fullmatch(surface)


def _strip(text: str, start: int, end: int, entity_type: EntityType) -> _Span | None:
    while True:
        head = _LEADING.match(text, start, end)
        if head is None and text.startswith("The", start) and _starts_sentence(text, start):
            head = _SENTENCE_THE.match(text, start, end)
        tail = _TRAILING.search(text[start:end])
        if head and head.end() > start:
            start = head.end()
        elif tail and not (_POSSESSIVE_END.fullmatch(tail.group()) and _owns_its_s(text, start, start + tail.start())):
            end = start + tail.start()
        else:
            break
    if _owns_its_s(text, start, end) and _POSSESSIVE_END.match(text, end):
        end = _POSSESSIVE_END.match(text, end).end()  # the tagger cut "Macy" from "Macy's"
    return _span(text, start, end, entity_type)


def _owns_its_s(text: str, start: int, end: int) -> bool:
    """ "Macy's", "McDonald's", "Sainsbury's": the 's is part of the name when the document
    writes it every time (at least twice) and never writes the bare name alone."""
    bare = text[start:end]
    if not bare.strip():
        return False
    found = [m.end() for m in re.finditer(rf"(?<!\w){re.escape(bare)}(?!\w)", text)]
    with_s = sum(1 for at in found if _POSSESSIVE_END.match(text, at))
    return with_s >= 2 and with_s == len(found)


def _starts_sentence(text: str, start: int) -> bool:
    """A capital "The" tells nothing at a sentence start; elsewhere it is part of the
    name ("The Hague", "The Guardian") and stays."""
    before = text[max(0, start - 8) : start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?:\n"


def _locate(mention: Mention, text: str) -> int | None:
    """The mention's start in `text`: its own offset, else its nearest occurrence (some
    services count offsets in other units than Python code points)."""
    if text[mention.start : mention.end] == mention.text:
        return mention.start
    found = [m.start() for m in re.finditer(re.escape(mention.text), text)] if mention.text else []
    return min(found, key=lambda i: abs(i - mention.start), default=None)


def _span(text: str, start: int, end: int, entity_type: EntityType) -> _Span | None:
    surface = " ".join(text[start:end].split())
    return _Span(start, end, entity_type, surface) if surface else None


def _split_possessives(spans: list[_Span], text: str) -> list[_Span]:
    """ "Venezuela’s Maduro" -> "Venezuela" + "Maduro" when the owner is named on its own
    elsewhere in the document (so "McDonald's Corp" stays whole). The label belongs to
    the head of the phrase (after the possessive); the owner takes its own votes."""
    standalone: dict[str, Counter[EntityType]] = defaultdict(Counter)
    for span in spans:
        if not _POSSESSIVE.search(span.surface):
            standalone[name_key(span.surface)][span.type] += 1
    out: list[_Span] = []
    for span in spans:
        raw = text[span.start : span.end]
        cut = _POSSESSIVE.search(raw)
        owner = name_key(" ".join(raw[: cut.start()].split())) if cut else ""
        if not cut or owner not in standalone:
            out.append(span)
            continue
        owner_type = _vote(standalone[owner])
        parts = (
            _span(text, span.start, span.start + cut.start(), owner_type),
            _span(text, span.start + cut.end(), span.end, span.type),
        )
        out.extend(p for p in parts if p)
    return out


def _split_run_ons(spans: list[_Span], text: str) -> list[_Span]:
    """A non-person span that runs on into a person's name is two names: split it where
    the tail is a person named elsewhere in the document, or 2-3 capitalised words
    after a word that ends an organisation's name ("... Assembly Juan Guaido")."""
    people = {name_key(s.surface) for s in spans if s.type is EntityType.PERSON and " " in s.surface}
    out: list[_Span] = []
    for span in spans:
        words = list(re.finditer(r"\S+", text[span.start : span.end]))
        cut = None if span.type is EntityType.PERSON else _run_on_cut([w.group() for w in words], people)
        if cut is None:
            out.append(span)
            continue
        split_at = span.start + words[cut].start()
        head_end = span.start + words[cut - 1].end()
        parts = (
            _span(text, span.start, head_end, span.type),
            _span(text, split_at, span.end, EntityType.PERSON),
        )
        out.extend(p for p in parts if p)
    return out


def _run_on_cut(words: list[str], people: set[str]) -> int | None:
    for i in range(1, len(words)):
        tail = words[i:]
        if name_key(" ".join(tail)) in people:
            return i
        if words[i - 1] in ORG_HEADS and 2 <= len(tail) <= 3 and all(map(_is_name_word, tail)):
            return i
    return None


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD.fullmatch(word)) and word[0].isupper() and not word.isupper() and word not in ORG_HEADS


def _canonical_names(groups: dict[str, list[_Span]]) -> dict[str, str]:
    """Short form key -> key of the one fullest person name it abbreviates ("trump" ->
    "donald trump"). Left alone: ambiguous short forms (two different Trumps), a listed place
    that is not also a given name ("Washington" the city next to George Washington; "Nochlin"
    is not a place, "Jordan" is also a given name), and a group label ("Republican")."""
    full_names = [
        key
        for key, spans in groups.items()
        if " " in key and _vote(Counter(s.type for s in spans)) is EntityType.PERSON
    ]
    canonical: dict[str, str] = {}
    for key, spans in groups.items():
        placed = _vote(Counter(s.type for s in spans)) in (EntityType.PLACE, EntityType.GROUP)
        if (placed and _ever_a_group(spans)) or _a_place_not_a_name(key):
            continue
        candidates = [full for full in full_names if abbreviates(key, full)]
        longest = [c for c in candidates if not any(abbreviates(c, other) for other in candidates)]
        if len(longest) == 1:
            canonical[key] = longest[0]
    return canonical


def _a_place_not_a_name(key: str) -> bool:
    """ "Manchester" is not the surname in "Manchester Piccadilly"; "Jordan" may be Michael's."""
    return gazetteer().get(key) is not None and not gazetteer().is_given_name(key)


def _ever_a_group(spans: list[_Span]) -> bool:
    """A group label ("American", "Republicans") is not a surname even when a person shares it."""
    return any(s.type is EntityType.GROUP for s in spans)


def _vote(votes: Mapping[EntityType, float]) -> EntityType:
    return max(TYPE_PRIORITY, key=lambda t: (votes.get(t, 0), -TYPE_PRIORITY.index(t)))


def _entity(
    parts: list[_Group],
    text: str,
    title: str | None,
    lead_end: int,
    max_mentions: int,
    memory: Mapping[str, NameMemory],
    names: set[str],
) -> Entity:
    """One entity from every group that shares an id (e.g. "US" and "United States"). A short form
    folded into a person's full name votes PERSON whatever it was tagged: that is the model
    mistaking a surname ("Trump" ORG, "Nochlin" GPE), not a second entity."""
    members = [m for g in parts for m in g.members]
    named = [s for g in parts for s in g.named]
    lead = max(parts, key=lambda g: len(g.members))
    votes: Counter[EntityType] = Counter()
    for span, folded in members:  # a short form folded into a person's name is the person, whatever its tag
        votes[EntityType.PERSON if folded else span.type] += 1
    offsets = sorted(span.start for span, _ in members)
    forms = sorted({span.surface for span, _ in members})
    in_title = bool(title) and any(_in_text(form, title or "") for form in forms)
    in_lead = offsets[0] < lead_end
    salience = TITLE_WEIGHT * in_title + LEAD_WEIGHT * in_lead + FREQUENCY_WEIGHT * len(members) / max_mentions
    name = _display_name(named or [s for s, _ in members])
    prior = Counter[EntityType]()
    for form in {*forms, lead.canonical_name}:
        prior.update(memory.get(name_key(form), NameMemory()).votes())
    entity_type, source = _decide_type(name, votes, lead.known, prior, names)
    if entity_type is EntityType.PERSON and _never_a_full_name(parts, memory):
        entity_type, source = EntityType.ORG, TypeSource.CORPUS
    elif entity_type is EntityType.PERSON and _no_persons_name(parts, memory, text):
        entity_type, source = EntityType.ORG, TypeSource.NAMES
    known = lead.known
    return Entity(
        name=name,
        type=entity_type,
        mentions=len(members),
        offsets=offsets,
        salience=round(salience, 3),
        canonical_name=lead.canonical_name,
        id=lead.id,
        ids=dict(known.ids) if known else {},
        aliases=[f for f in forms if f != name],
        type_source=source,
    )


def _never_a_full_name(parts: list[_Group], memory: Mapping[str, NameMemory]) -> bool:
    """News style names a person in full at first mention. A one-word "person" that the corpus
    has met in MIN_LONE_ARTICLES articles and never once as part of a fuller name, and that is
    not a given name, is a brand the tagger keeps mistaking ("Twitter", "Instagram")."""
    if len(parts) != 1 or parts[0].remembered_full_name or any(folded for _, folded in parts[0].members):
        return False
    name = parts[0].canonical_name
    known = memory.get(name_key(name))
    if " " in name or known is None or known.full_names or gazetteer().is_given_name(name):
        return False
    return sum(known.types.values()) >= MIN_LONE_ARTICLES


def _lone_word(parts: list[_Group], memory: Mapping[str, NameMemory]) -> str | None:
    """The entity's one word when it stands alone: not folded into a fuller name in the
    article, not resolved to one the corpus learned, never seen as a short form of one."""
    if len(parts) != 1 or parts[0].remembered_full_name or any(folded for _, folded in parts[0].members):
        return None
    name = parts[0].canonical_name
    if " " in name or memory.get(name_key(name), NameMemory()).full_names:
        return None
    return name


def _no_persons_name(parts: list[_Group], memory: Mapping[str, NameMemory], text: str) -> bool:
    """A lone word tagged as a person that is neither a given name nor a surname in the name lists
    (the census files: 5,494 given names, 88,799 surnames), that no title ever precedes ("President
    Biden", "Mr. Putin") and that never "said" anything ("Apte said") is a brand or a club the
    tagger mistook ("Twitter", "SpaceX", "Steelers"), typed ORG from its first article. A person
    news names by surname alone is mostly titled or quoted, or named in full in some article,
    which the corpus memory then remembers."""
    name = _lone_word(parts, memory)
    if name is None or parts[0].known is not None or gazetteer().could_be_a_name(name):
        return False
    return not any(_person_context(text, span) for span, _ in parts[0].members)


def _person_context(text: str, span: _Span) -> bool:
    """A title before the name ("President Biden"), or a reporting verb after it ("Apte said")
    when no "the" stands before it ("the Chronicle says")."""
    before = text[max(0, span.start - 40) : span.start]
    if _TITLE_BEFORE.search(before):
        return True
    return bool(_SPEAKS_AFTER.match(text, span.end)) and not _THE_BEFORE.search(before)


def _decide_type(
    name: str, votes: Counter[EntityType], known: Known | None, prior: Counter[EntityType], names: set[str]
) -> tuple[EntityType, TypeSource]:
    """Gazetteer, then the article's votes weighed with the corpus prior, then the name's shape.

    A country, continent, state or capital (or a listed body) has its gazetteer type whatever the
    tagger said; any other listed place is never a person, but can be a club ("Liverpool" ORG);
    a place that is also a common given name ("Victoria", "Austin") only adds half a vote.
    The corpus prior is each type's share of the articles that voted, times CORPUS_WEIGHT scaled
    by n/(n+2): two articles that agree outweigh one article's unanimous tags, one does not.
    The name's shape (head words) then outranks the article's tags, but not the gazetteer or
    the corpus.
    """
    if known is not None:
        given_name = gazetteer().is_given_name(name)
        if known.firm and not (given_name and known.kind != "country"):
            return known.type, TypeSource.GAZETTEER
        if not given_name:
            votes = Counter({t: n for t, n in votes.items() if t is not EntityType.PERSON})
        votes[known.type] += 0.5
        return _vote(votes), TypeSource.GAZETTEER
    own = _vote(votes)
    scores: Counter[EntityType] = Counter({t: n / sum(votes.values()) for t, n in votes.items()})
    seen = sum(prior.values())
    if seen:
        for t, n in prior.items():
            scores[t] += CORPUS_WEIGHT * n / seen * seen / (seen + 2)
    decided = _vote(scores)
    if decided is not own:
        return decided, TypeSource.CORPUS
    shaped = _by_shape(name, own, names)
    if shaped is not own and not prior[own]:
        return shaped, TypeSource.SHAPE
    return own, TypeSource.ARTICLE


def _by_shape(name: str, voted: EntityType, names: Collection[str] = ()) -> EntityType:
    """ "Storm X" is an event, "X United" a club, "X Harbour" a place unless X is a given name
    ("William Hill" the bookmaker); a "person" whose first word is a listed city or state, not a
    given name, and named on its own in the document is a place ("Manchester Piccadilly" beside
    "Manchester"; not "Vladimir Putin": Vladimir is a city too, but the article never says it)."""
    words = name.split()
    if len(words) < 2:
        return voted
    if voted is EntityType.PERSON and name_key(words[0]) in names and _place_led(words[0]):
        return EntityType.PLACE
    if words[0] in EVENT_FIRST_WORDS:
        return EntityType.EVENT
    if words[-1] in ORG_NAME_HEADS and voted in (EntityType.PERSON, EntityType.PLACE):
        return EntityType.ORG
    if words[-1] in PLACE_HEADS and voted in (EntityType.PERSON, EntityType.ORG) and not _named_after(words[0]):
        return EntityType.PLACE
    return voted


def _place_led(word: str) -> bool:
    known = gazetteer().get(word)
    return known is not None and known.kind in PLACE_LED_KINDS and not gazetteer().is_given_name(word)


def _named_after(word: str) -> bool:
    """ "William Hill", "Morgan Stanley": a given name first means a person or a firm, not a hill."""
    return gazetteer().is_given_name(word)


def _display_name(spans: list[_Span]) -> str:
    """The most frequent written form (first seen wins a tie)."""
    counts = Counter(s.surface for s in sorted(spans, key=lambda s: s.start))
    return counts.most_common(1)[0][0]


def _in_text(form: str, title: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(form)}(?!\w)", title) is not None


def _lead_end(text: str) -> int:
    """End of the lead: the first two paragraphs, at most LEAD_CHARS characters."""
    end = 0
    for _ in range(LEAD_PARAGRAPHS):
        match = _PARAGRAPH.search(text, end)
        if not match:
            break
        end = match.end()
    return min(end, LEAD_CHARS)
