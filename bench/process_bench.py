"""`make bench` (processing): our offline process step against the bare library calls it builds on.

Over the benchmark pages, in SQS-sized batches of 10, each batch is timed twice, interleaved:
- ours: process_pages(batch, tagger=SpacyTagger) — parse once, signals, trafilatura, cleaning,
  walls, language, fingerprints, one batched NER pass with resolution, Article records;
- bare: trafilatura.bare_extraction(html, with_metadata=True) per page, then spaCy NER
  (the same NER-only model) over the batch's texts with nlp.pipe.
Per-page time = batch time / pages in the batch; median and p95 are over batches.
"""

from __future__ import annotations

import gc
import resource
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import trafilatura
from _dataset import Item, load_items  # bench/ is on sys.path: run as a script
from rich.console import Console
from rich.table import Table

from newsingest.entities.spacy_tagger import SpacyTagger, load_model
from newsingest.pipeline.process import PageInput, process_pages
from newsingest.settings import Settings

BATCH = 10
ROUNDS = 2
TARGET_RATIO = 1.10
FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def run_ours(tagger: SpacyTagger) -> Callable[[list[Item]], object]:
    def run(batch: list[Item]) -> object:
        inputs = [PageInput(html=i.html, url=i.url, source_id="bench", fetched_at=FETCHED_AT) for i in batch]
        return process_pages(inputs, tagger=tagger)

    return run


def run_bare(model_name: str) -> Callable[[list[Item]], object]:
    nlp = load_model(model_name)

    def run(batch: list[Item]) -> object:
        documents = [trafilatura.bare_extraction(i.html, url=i.url, with_metadata=True) for i in batch]
        texts = [d.text for d in documents if d is not None and d.text]
        return [[(e.text, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=16)]

    return run


def _timed(run: Callable[[list[Item]], object], batch: list[Item]) -> float:
    gc.collect()
    start = time.perf_counter()
    run(batch)
    return time.perf_counter() - start


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    items = list(load_items())
    batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
    model = Settings().spacy_model
    systems = {"newsingest process step": run_ours(SpacyTagger(model)), "bare trafilatura + spaCy NER": run_bare(model)}
    for run in systems.values():  # warm-up: model loads, lazy imports, caches
        run(batches[0])
    per_page: dict[str, list[float]] = {name: [] for name in systems}
    totals = dict.fromkeys(systems, 0.0)
    for _ in range(ROUNDS):
        for batch in batches:
            for name, run in systems.items():
                seconds = _timed(run, batch)
                per_page[name].append(seconds * 1000 / len(batch))
                totals[name] += seconds
    pages = ROUNDS * len(items)
    table = Table(title=f"Process step, {len(items)} pages x {ROUNDS} rounds, batches of {BATCH}")
    for column in ("system", "median ms/page", "p95 ms/page", "pages/s"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, values in per_page.items():
        table.add_row(name, f"{statistics.median(values):.1f}", f"{_p95(values):.1f}", f"{pages / totals[name]:.1f}")
    console = Console(width=120)
    console.print(table)
    ours, bare = (totals[name] for name in systems)
    ratio = ours / bare
    verdict = "OK" if ratio <= TARGET_RATIO else "OVER TARGET"
    console.print(f"ratio ours/bare (total time): {ratio:.2f}x (target <= {TARGET_RATIO:.2f}x) {verdict}")
    console.print(f"peak RSS of the run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
