"""`make bench-entities`: entity quality, our records against bare spaCy in the same run.

1. CoNLL-2003 English development split (eng.testa). Licensed, so never in the repo: read from
   $CONLL_TESTA or /work/data/conll2003/eng.testa, else skipped with a message. Each document is
   rendered as a page and run through the public extract_page, with the corpus memory learning
   from the documents in order as the pipeline does; scored per document
   - as entity sets: the distinct (name, type) pairs of PER/ORG/LOC, every written form of each
     of our entities (name and aliases) against the gold mentions' surfaces;
   - as exact mention spans (start, end, type) in the extracted text;
   against bare spaCy (the same model, no resolution) on the same extracted text.
2. Our sample sites' key entities (sample_sites/expected.json, our own fixture, always present):
   the share of the named (name, type) pairs each system finds, and the errors.
3. The real pages of ../shared/datasets/article-extraction-benchmark (when present), in corpus
   order, tagged in batches of BENCH_BATCH (10, the process function's SQS batch) with a corpus
   memory that learns from each batch as the commit does: the top 30 canonical entities with
   their types and ids, alias groups split (ids per known alias group, as ingested, as a query
   reads them, after a replay), and names typed differently across articles.

    make bench-entities                     # the default model (settings.spacy_model)
    BENCH_BATCH=1 make bench-entities       # real pages one article at a time
    SPACY_MODEL=/path/to/model make bench-entities
"""

from __future__ import annotations

import html
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from newsingest import extract_page
from newsingest.entities.knowledge import (
    EntityIndexPolicy,
    Lesson,
    NameMemory,
    lessons,
    name_key,
    read_forms,
    read_ids,
)
from newsingest.entities.resolve import LABEL_TYPES
from newsingest.entities.spacy_tagger import SpacyTagger, load_model
from newsingest.models.records import Article, EntityType, TypeSource
from newsingest.settings import Settings

CONLL_PATHS = [os.environ.get("CONLL_TESTA", ""), "/work/data/conll2003/eng.testa"]
CONLL_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}
OUR_TYPES = {EntityType.PERSON: "PER", EntityType.ORG: "ORG", EntityType.PLACE: "LOC"}
FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)
ENTITY_INDEX = EntityIndexPolicy.from_settings(Settings())  # what the commit learns from, as deployed
BATCH = int(os.environ.get("BENCH_BATCH", "10"))  # articles per process invocation: template.yaml ProcessBatchSize
# Groups a reader expects to be one entity (the examples): how many ids each ends up as.
ALIAS_GROUPS = [
    ("US", "U.S.", "United States", "America"),
    ("EU", "European Union"),
    ("UK", "Britain", "United Kingdom"),
    ("Trump", "Donald Trump"),
    ("Putin", "Vladimir Putin"),
    ("Biden", "Joe Biden"),
]
console = Console(width=160)


# -- CoNLL-2003 ---------------------------------------------------------------------------------


@dataclass
class Document:
    sentences: list[list[tuple[str, str]]] = field(default_factory=list)  # (token, IOB tag)


def conll_path() -> Path | None:
    return next((Path(p) for p in CONLL_PATHS if p and Path(p).is_file()), None)


def read_conll(path: Path) -> list[Document]:
    documents: list[Document] = []
    sentence: list[tuple[str, str]] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        parts = line.split()
        if line.startswith("-DOCSTART-"):
            documents.append(Document())
        elif not parts:
            if sentence:
                if not documents:
                    documents.append(Document())
                documents[-1].sentences.append(sentence)
            sentence = []
        else:
            sentence.append((parts[0], parts[-1]))
    return [d for d in documents if d.sentences]


def gold_spans(sentence: list[tuple[str, str]], offset: int) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, type, surface) for IOB1 or IOB2 tags, tokens joined by single spaces."""
    at, current = offset, None
    for token, tag in sentence:
        kind = tag[2:] if tag != "O" else None
        begins = tag.startswith("B-") or (current is not None and kind != current[2])
        if current is not None and (kind is None or begins):
            yield current
            current = None
        if kind is not None:
            current = (at, at + len(token), kind, token) if current is None else (
                current[0], at + len(token), kind, current[3] + " " + token
            )  # fmt: skip
        at += len(token) + 1
    if current is not None:
        yield current


def page_of(document: Document) -> tuple[bytes, list[str]]:
    """The document as a news page: its first line the headline, each sentence a paragraph."""
    lines = [" ".join(t for t, _ in s) for s in document.sentences]
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    title = html.escape(lines[0])
    page = f"<html lang='en'><head><title>{title}</title></head><body><article>{body}</article></body></html>"
    return page.encode("utf-8"), lines


def gold_of(document: Document, text: str) -> tuple[set, set]:
    """Gold entity set and the gold spans located in the extracted text (sentences it kept)."""
    names, spans, cursor = set(), set(), 0
    for sentence in document.sentences:
        line = " ".join(t for t, _ in sentence)
        at = text.find(line, cursor)
        for start, end, kind, surface in gold_spans(sentence, 0):
            if kind in CONLL_TYPES:
                names.add((name_key(surface), kind))
                if at >= 0:
                    spans.add((at + start, at + end, kind))
        if at >= 0:
            cursor = at + len(line)
    return names, spans


def ours_of(article: Article) -> tuple[set, set]:
    names, spans = set(), set()
    for entity in article.entities:
        kind = OUR_TYPES.get(entity.type)
        if kind is None:
            continue
        forms = {entity.name, *entity.aliases}
        names |= {(name_key(form), kind) for form in forms}
        for offset in entity.offsets:
            form = max((f for f in forms if article.text.startswith(f, offset)), key=len, default=None)
            if form:
                spans.add((offset, offset + len(form), kind))
    return names, spans


def bare_of(nlp, text: str) -> tuple[set, set]:
    names, spans = set(), set()
    for ent in nlp(text).ents:
        entity_type = LABEL_TYPES.get(ent.label_)
        kind = OUR_TYPES.get(entity_type) if entity_type else None
        if kind:
            names.add((name_key(ent.text), kind))
            spans.add((ent.start_char, ent.end_char, kind))
    return names, spans


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set, predicted: set) -> None:
        self.tp += len(gold & predicted)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def conll(tagger: SpacyTagger) -> None:
    path = conll_path()
    if path is None:
        console.print(f"CoNLL-2003: skipped, eng.testa not found (set CONLL_TESTA; looked at {CONLL_PATHS[1]})")
        return
    documents = read_conll(path)
    nlp = load_model(tagger.model_name)
    scores = {name: (Score(), Score()) for name in ("newsingest", "bare spaCy")}
    memory = InMemoryKnowledge()  # documents in order, each learned after it is scored, as the pipeline does
    started = time.perf_counter()
    for n, document in enumerate(documents):
        page, _ = page_of(document)
        article = _tagged(extract_page(page, f"https://conll.example/{n}", fetched_at=FETCHED_AT), tagger, memory)
        memory.learn(article)
        gold_names, gold_spans_ = gold_of(document, article.text)
        for name, (names, spans) in (("newsingest", ours_of(article)), ("bare spaCy", bare_of(nlp, article.text))):
            scores[name][0].add(gold_names, names)
            scores[name][1].add(gold_spans_, spans)
    elapsed = time.perf_counter() - started
    table = Table(title=f"CoNLL-2003 eng.testa, {len(documents)} documents, model {tagger.name} ({elapsed:.0f} s)")
    for column in ("system", "set P", "set R", "set F1", "span P", "span R", "span F1"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, (sets, spans) in scores.items():
        table.add_row(name, *(f"{100 * v:.1f}" for v in (*sets.prf(), *spans.prf())))
    console.print(table)


# -- sample sites -------------------------------------------------------------------------------

SITES = Path(__file__).resolve().parent.parent / "sample_sites"


def sample_page(site: str, path: str) -> Path | None:
    base = SITES / site / path.lstrip("/")
    candidates = [base, base / "index.html", base.with_name(base.name + ".html")]
    return next((c for c in candidates if c.is_file()), None)


def sample_sites(tagger: SpacyTagger) -> None:
    import json

    expected = json.loads((SITES / "expected.json").read_text())["articles"]
    nlp = load_model(tagger.model_name)
    memory = InMemoryKnowledge()
    found = {"newsingest": 0, "bare spaCy": 0}
    total, misses = 0, []
    for n, item in enumerate(expected):
        page = sample_page(item["site"], item["path"])
        if page is None:
            continue
        article = _tagged(extract_page(page.read_bytes(), f"https://sites.example/{n}"), tagger, memory)
        memory.learn(article)
        ours = {(name_key(f), e.type.value) for e in article.entities for f in (e.name, *e.aliases)}
        ents = [x for x in nlp(article.text).ents if x.label_ in LABEL_TYPES]
        bare = {(name_key(x.text), LABEL_TYPES[x.label_].value) for x in ents}
        for entity in item["entities"]:
            key = (name_key(entity["name"]), entity["type"])
            total += 1
            found["newsingest"] += key in ours
            found["bare spaCy"] += key in bare
            if key not in ours:
                misses.append(f"{entity['name']} ({entity['type']})")
    table = Table(title=f"Sample sites: {total} key entities named in sample_sites/expected.json ({tagger.name})")
    for column in ("system", "found", "recall"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, count in found.items():
        table.add_row(name, str(count), f"{100 * count / max(total, 1):.1f}")
    console.print(table)
    console.print(f"missed by newsingest: {', '.join(misses)}")


# -- real pages ---------------------------------------------------------------------------------


class InMemoryKnowledge:
    """The corpus memory as the commit keeps it (knowledge.lessons of the entities ENTITY_INDEX keeps),
    held in dicts for the bench."""

    def __init__(self) -> None:
        self.types: dict[str, dict[EntityType, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.full: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def recall(self, keys: Collection[str]) -> Mapping[str, NameMemory]:
        return {
            k: NameMemory(
                types={t: len(a) for t, a in self.types[k].items()},
                full_names={f: len(a) for f, a in self.full[k].items()},
            )
            for k in keys
            if k in self.types or k in self.full
        }

    def learn(self, article: Article) -> None:
        lesson: Lesson
        for lesson in lessons(article, ENTITY_INDEX):
            if lesson.type is not None:
                self.types[lesson.key][lesson.type].add(article.article_id)
            if lesson.full_name:
                self.full[lesson.key][lesson.full_name].add(article.article_id)


def real_pages(tagger: SpacyTagger) -> None:
    sys.path.insert(0, str(Path(__file__).parent))
    from _dataset import DATASET, load_items

    if not (DATASET / "ground-truth.json").is_file():
        console.print(f"real pages: skipped, {DATASET} not found")
        return
    extracted: list[Article] = []
    took: list[float] = []
    for item in load_items():
        started = time.perf_counter()
        try:
            article = extract_page(item.html, item.url or "https://bench.example/", fetched_at=FETCHED_AT)
        except Exception:
            continue
        if (article.language or "").startswith("en"):
            extracted.append(article)
            took.append(time.perf_counter() - started)
    memory = InMemoryKnowledge()
    started = time.perf_counter()
    records = _ingested(extracted, tagger, memory)
    tag_seconds = time.perf_counter() - started
    report_real_pages(records, tagger, took, tag_seconds)
    console.print(f"as read (query by entity with the run's corpus memory, knowledge.read_ids), batches of {BATCH}:")
    report_alias_groups(records, memory)
    # `newsingest replay` re-derives every record with what the whole corpus taught
    replayed = [r for i in range(0, len(records), BATCH) for r in _tagged_batch(records[i : i + BATCH], tagger, memory)]
    console.print("after a replay with the corpus memory of the whole run:")
    report_alias_groups(replayed)


def _ingested(articles: list[Article], tagger: SpacyTagger, memory: InMemoryKnowledge) -> list[Article]:
    """Corpus order, in batches of BATCH as the process function tags an SQS batch, each batch
    learned after it is tagged (as the commit does)."""
    records: list[Article] = []
    for i in range(0, len(articles), BATCH):
        batch = _tagged_batch(articles[i : i + BATCH], tagger, memory)
        for record in batch:
            memory.learn(record)
        records.extend(batch)
    return records


def _tagged_batch(articles: list[Article], tagger: SpacyTagger, memory: InMemoryKnowledge) -> list[Article]:
    from newsingest.entities.tagger import TagRequest

    results = tagger.tag([TagRequest(a.text, a.title, a.language) for a in articles], memory)
    return [a.model_copy(update={"entities": r.entities}) for a, r in zip(articles, results, strict=True)]


def _tagged(article: Article, tagger: SpacyTagger, memory: InMemoryKnowledge) -> Article:
    from newsingest.entities.tagger import TagRequest

    [result] = tagger.tag([TagRequest(article.text, article.title, article.language)], memory)
    return article.model_copy(update={"entities": result.entities})


def report_real_pages(records: list[Article], tagger: SpacyTagger, took: list[float], tag_seconds: float) -> None:
    articles: Counter[str] = Counter()
    types: dict[str, Counter[str]] = defaultdict(Counter)
    info: dict[str, tuple[str, dict]] = {}
    for record in records:
        for entity in record.entities:
            articles[entity.id] += 1
            types[entity.id][entity.type.value] += 1
            info[entity.id] = (entity.canonical_name or entity.name, entity.ids)
    title = f"Real pages: top 30 entities of {len(records)} English records ({tagger.name}, batches of {BATCH})"
    table = Table(title=title)
    for column in ("#", "entity", "articles", "type (articles)", "id", "public ids"):
        table.add_column(column, justify="right" if column in ("#", "articles") else "left")
    for rank, (entity_id, count) in enumerate(articles.most_common(30), 1):
        name, ids = info[entity_id]
        typed = ", ".join(f"{t} {n}" for t, n in types[entity_id].most_common())
        table.add_row(str(rank), name, str(count), typed, entity_id, ", ".join(f"{k}={v}" for k, v in ids.items()))
    console.print(table)
    console.print("as ingested (ids in the records):")
    report_alias_groups(records)
    by_lists = Counter(e.name for r in records for e in r.entities if e.type_source is TypeSource.NAMES)
    console.print(
        f"lone 'persons' typed ORG by the name lists (type_source=names): {sum(by_lists.values())} in "
        f"{len(by_lists)} names: {', '.join(f'{n} {c}' for n, c in by_lists.most_common())}"
    )
    mixed = [(articles[i], info[i][0], dict(types[i])) for i in articles if len(types[i]) > 1]
    console.print(f"entities typed differently across articles: {len(mixed)}; the most frequent:")
    for _count, name, typed in sorted(mixed, key=lambda m: -m[0])[:10]:
        console.print(f"  {name}: {typed}")
    if took:
        console.print(
            f"extract per page: mean {1000 * statistics.mean(took):.0f} ms, "
            f"median {1000 * statistics.median(took):.0f} ms; "
            f"tag + resolve: {1000 * tag_seconds / len(records):.0f} ms per page (one process, batches of {BATCH})"
        )


def report_alias_groups(records: list[Article], memory: InMemoryKnowledge | None = None) -> None:
    """How many ids each group of names a reader expects to be one entity ended up as; with the
    corpus memory, whether a query by the group's fullest name reads them all."""
    by_alias: dict[str, set[str]] = defaultdict(set)
    for record in records:
        for entity in record.entities:
            for form in (entity.name, *entity.aliases):
                by_alias[name_key(form)].add(entity.id)
    for group in ALIAS_GROUPS:
        ids = sorted(set().union(*(by_alias.get(name_key(a), set()) for a in group)))
        if memory is None:
            console.print(f"alias group {' / '.join(group)}: {len(ids)} id(s) {ids}")
            continue
        fullest = max(group, key=lambda a: (len(a.split()), len(a)))
        read = read_ids(fullest, memory.recall([name_key(f) for f in read_forms(fullest)]))
        unread = [i for i in ids if i not in read]
        console.print(f"alias group {' / '.join(group)}: query {fullest!r} reads {read}; not read: {unread or 'none'}")


def main() -> None:
    model = os.environ.get("SPACY_MODEL") or Settings().spacy_model
    tagger = SpacyTagger(model)
    conll(tagger)
    sample_sites(tagger)
    real_pages(tagger)


if __name__ == "__main__":
    main()
