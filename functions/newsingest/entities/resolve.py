"""Document-level entity resolution: a tagger's raw mentions -> one entity per name.

Pure (no spaCy, no AWS) so both taggers share the same rules. NER models label each
mention on its own and flip types inside one article (spaCy en_core_web_sm tags
"Trump" as ORG in one sentence and PERSON in the next); a reader wants one entity,
typed once, under its fullest name. docs/entities.md explains each rule.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from newsingest.models.records import Entity, EntityType

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
EVENT_FIRST_WORDS = frozenset({"Storm", "Hurricane", "Typhoon", "Cyclone", "Operation"})

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


def resolve(mentions: Sequence[Mention], text: str, title: str | None) -> list[Entity]:
    """Entities of one document, most salient first."""
    spans = [span for m in mentions for span in _normalise(m, text)]
    spans = _split_possessives(spans, text)
    spans = _split_run_ons(spans, text)
    groups: dict[str, list[_Span]] = defaultdict(list)
    for span in spans:
        groups[_key(span.surface)].append(span)
    canonical = _canonical_names(groups)
    merged: dict[str, list[tuple[_Span, bool]]] = defaultdict(list)
    for key, members in groups.items():
        target = canonical.get(key, key)
        merged[target].extend((span, target != key) for span in members)
    lead_end = _lead_end(text)
    max_mentions = max((len(v) for v in merged.values()), default=1)
    entities = [_entity(key, members, groups[key], title, lead_end, max_mentions) for key, members in merged.items()]
    return sorted(entities, key=lambda e: (-e.salience, e.offsets[0], e.name))


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
    return [span for span in spans if span]


def _strip(text: str, start: int, end: int, entity_type: EntityType) -> _Span | None:
    while True:
        head = _LEADING.match(text, start, end)
        if head is None and text.startswith("The", start) and _starts_sentence(text, start):
            head = _SENTENCE_THE.match(text, start, end)
        tail = _TRAILING.search(text[start:end])
        if head and head.end() > start:
            start = head.end()
        elif tail:
            end = start + tail.start()
        else:
            break
    return _span(text, start, end, entity_type)


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


def _key(surface: str) -> str:
    """Grouping key: the same name whatever its case or accents ("Nicolás" = "Nicolas")."""
    decomposed = unicodedata.normalize("NFKD", surface.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _split_possessives(spans: list[_Span], text: str) -> list[_Span]:
    """ "Venezuela’s Maduro" -> "Venezuela" + "Maduro" when the owner is named on its own
    elsewhere in the document (so "McDonald's Corp" stays whole). The label belongs to
    the head of the phrase (after the possessive); the owner takes its own votes."""
    standalone: dict[str, Counter[EntityType]] = defaultdict(Counter)
    for span in spans:
        if not _POSSESSIVE.search(span.surface):
            standalone[_key(span.surface)][span.type] += 1
    out: list[_Span] = []
    for span in spans:
        raw = text[span.start : span.end]
        cut = _POSSESSIVE.search(raw)
        owner = _key(" ".join(raw[: cut.start()].split())) if cut else ""
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
    people = {_key(s.surface) for s in spans if s.type is EntityType.PERSON and " " in s.surface}
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
        if _key(" ".join(tail)) in people:
            return i
        if words[i - 1] in ORG_HEADS and 2 <= len(tail) <= 3 and all(map(_is_name_word, tail)):
            return i
    return None


def _is_name_word(word: str) -> bool:
    return bool(_NAME_WORD.fullmatch(word)) and word[0].isupper() and not word.isupper() and word not in ORG_HEADS


def _canonical_names(groups: dict[str, list[_Span]]) -> dict[str, str]:
    """Short form key -> key of the one fullest person name it abbreviates ("trump" ->
    "donald trump"). Ambiguous short forms (two different Trumps) and forms the document
    mostly uses as a place or group ("Washington") are left alone."""
    full_names = [
        key
        for key, spans in groups.items()
        if " " in key and _vote(Counter(s.type for s in spans)) is EntityType.PERSON
    ]
    canonical: dict[str, str] = {}
    for key, spans in groups.items():
        if _vote(Counter(s.type for s in spans)) in (EntityType.PLACE, EntityType.GROUP):
            continue
        candidates = [full for full in full_names if _abbreviates(key, full)]
        longest = [c for c in candidates if not any(_abbreviates(c, other) for other in candidates)]
        if len(longest) == 1:
            canonical[key] = longest[0]
    return canonical


def _abbreviates(short: str, full: str) -> bool:
    """True when `short` is a proper prefix or suffix of `full`, whole words only."""
    s, f = short.split(), full.split()
    return len(s) < len(f) and (f[: len(s)] == s or f[-len(s) :] == s)


def _vote(votes: Counter[EntityType]) -> EntityType:
    return max(TYPE_PRIORITY, key=lambda t: (votes[t], -TYPE_PRIORITY.index(t)))


def _entity(
    key: str,
    members: list[tuple[_Span, bool]],
    named: list[_Span],
    title: str | None,
    lead_end: int,
    max_mentions: int,
) -> Entity:
    """One entity. A short form folded into a person's full name votes PERSON when it was
    labelled ORG or PRODUCT: that is the model mistaking a surname, not a second entity."""
    votes: Counter[EntityType] = Counter()
    for span, folded in members:
        is_slip = folded and span.type in (EntityType.ORG, EntityType.PRODUCT)
        votes[EntityType.PERSON if is_slip else span.type] += 1
    offsets = sorted(span.start for span, _ in members)
    forms = {span.surface for span, _ in members}
    in_title = bool(title) and any(_in_text(form, title or "") for form in forms)
    in_lead = offsets[0] < lead_end
    salience = TITLE_WEIGHT * in_title + LEAD_WEIGHT * in_lead + FREQUENCY_WEIGHT * len(members) / max_mentions
    name = _display_name(named)
    return Entity(
        name=name,
        type=_by_shape(name, _vote(votes)),
        mentions=len(members),
        offsets=offsets,
        salience=round(salience, 3),
    )


def _by_shape(name: str, voted: EntityType) -> EntityType:
    words = name.split()
    if len(words) < 2:
        return voted
    if words[0] in EVENT_FIRST_WORDS:
        return EntityType.EVENT
    if words[-1] in ORG_NAME_HEADS and voted in (EntityType.PERSON, EntityType.PLACE):
        return EntityType.ORG
    if words[-1] in PLACE_HEADS and voted in (EntityType.PERSON, EntityType.ORG):
        return EntityType.PLACE
    return voted


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
