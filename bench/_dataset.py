"""The public article-extraction benchmark (scrapinghub), shared by the quality and speed benches.

It lives beside the repo at ../shared/datasets/article-extraction-benchmark and is never
copied into it. The metric is the benchmark's own (see its README.rst): word 4-gram
shingles over \\w+ tokens, per-page tp/fp/fn normalised to sum 1, macro precision and
recall over pages, F1 from those two means.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DATASET = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "article-extraction-benchmark"
OUT = Path(__file__).resolve().parent.parent / "out"
_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Item:
    id: str
    url: str
    html: bytes  # as served: UTF-8 bytes, decompressed
    expected: str


def require_dataset() -> Path:
    """The dataset folder, or exit 0 with a message: a missing optional dataset is not a failure."""
    if not (DATASET / "ground-truth.json").is_file():
        print(f"skipped: benchmark dataset not found at {DATASET}")
        sys.exit(0)
    return DATASET


def load_items() -> Iterator[Item]:
    root = require_dataset()
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for item_id in sorted(truth):
        html = gzip.decompress((root / "html" / f"{item_id}.html.gz").read_bytes())
        yield Item(item_id, truth[item_id].get("url", ""), html, truth[item_id].get("articleBody", ""))


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def tp_fp_fn(expected: str, predicted: str) -> tuple[float, float, float]:
    true, pred = _shingles(expected), _shingles(predicted)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(expected: Mapping[str, str], predicted: Mapping[str, str]) -> dict[str, float]:
    """Macro precision and recall over pages, F1 of the two (the benchmark's evaluate.py)."""
    counts = [tp_fp_fn(expected[k], predicted.get(k, "")) for k in expected]
    precision = statistics.mean([_precision(*c) for c in counts if c[0] + c[1] > 0])
    recall = statistics.mean([_recall(*c) for c in counts if c[0] + c[2] > 0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def write_predictions(name: str, predicted: Mapping[str, str]) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    payload = {k: {"articleBody": v} for k, v in predicted.items()}
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
