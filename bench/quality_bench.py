"""`make bench-quality`: article body quality on the public extraction benchmark, then
metadata quality (title, authors, date, body per language) on the Fundus pages.

Compares our process step (parse once, trafilatura, cleaning) with trafilatura's bare
extraction alone, plain and with favor_precision, using the benchmark's own metric.
Predictions go to out/quality-<system>.json in the benchmark's format. Each dataset is
skipped with a message when absent.
"""

from __future__ import annotations

from datetime import UTC, datetime

import _fundus
import metadata_bench
import trafilatura
from _dataset import DATASET, Item, load_items, score, write_predictions  # bench/ is on sys.path: run as a script
from rich.console import Console
from rich.table import Table

from newsingest.pipeline.process import PageInput, Skip, process_pages

FETCHED_AT = datetime(2026, 1, 1, tzinfo=UTC)
BATCH = 10  # like an SQS batch


def ours(items: list[Item]) -> dict[str, str]:
    predicted = {}
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        inputs = [PageInput(html=i.html, url=i.url, source_id="bench", fetched_at=FETCHED_AT) for i in batch]
        for item, result in zip(batch, process_pages(inputs, tagger=None), strict=True):
            predicted[item.id] = "" if isinstance(result, Skip) else result.text
    return predicted


def bare(items: list[Item], **options: bool) -> dict[str, str]:
    predicted = {}
    for item in items:
        document = trafilatura.bare_extraction(item.html, url=item.url, with_metadata=True, **options)
        predicted[item.id] = document.text if document and document.text else ""
    return predicted


def body_table(console: Console) -> None:
    items = list(load_items())
    expected = {i.id: i.expected for i in items}
    systems = {
        "newsingest": ours(items),
        "trafilatura": bare(items),
        "trafilatura favor_precision": bare(items, favor_precision=True),
    }
    table = Table(title=f"Article body extraction, {len(items)} pages (article-extraction-benchmark)")
    for column in ("system", "F1", "precision", "recall", "predictions"):
        table.add_column(column, justify="left" if column in ("system", "predictions") else "right")
    for name, predicted in systems.items():
        metrics = score(expected, predicted)
        path = write_predictions(f"quality-{name.replace(' ', '-')}", predicted)
        table.add_row(name, *(f"{metrics[k]:.3f}" for k in ("f1", "precision", "recall")), path.name)
    console.print(table)
    console.print(f"predictions in {path.parent}; target F1 >= 0.973")


def main() -> None:
    console = Console(width=160)
    if (DATASET / "ground-truth.json").is_file():
        body_table(console)
    else:
        console.print(f"skipped: benchmark dataset not found at {DATASET}")
    if _fundus.available():
        metadata_bench.run(console)
    else:
        console.print(f"skipped: fundus dataset not found at {_fundus.DATASET}")


if __name__ == "__main__":
    main()
