"""Cold start of each Lambda function: the init phase as the Lambda runtime runs it, in fresh interpreters.

Init = importing the handler module and reading its `handler` attribute, which builds the
application (and, for the process function, loads the model and runs one warm-up page). For the
process function the first page after init is timed too. Each run is a fresh interpreter with a
region set, as in Lambda. Targets (issue 9): process <= 1.0 s (init + first page), schedule and
discover <= 0.3 s.

The init is timed in phases, in the order the process function's init pays them:
  imports     the handler module (and everything it imports)
  model       spaCy and the NER pipeline (`load_model`, which the warm-up page would otherwise load)
  build       the rest of `handler`: the application, the warm-up page
  first page  one page through the core after init
each as wall time and as CPU time of the interpreter (user + system: less disturbed by other
processes on a busy machine than wall time). Also printed: the slowest top-level imports
(python -X importtime).

Run: .venv/bin/python bench/cold_start.py [--runs N] [--compare DIR]
  --compare DIR  also time the functions/ tree at DIR (e.g. `git archive main functions | tar -x -C DIR`)
                 in the same interpreter, alternating runs: a before/after table under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGETS = {"process": 1.0, "schedule": 0.3, "discover": 0.3}
PHASES = ("imports", "model", "build", "first_page")

PROBE = """
import json, resource, time

def mark():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), usage.ru_utime + usage.ru_stime

marks = [mark()]
import newsingest.handlers.{name} as module
marks.append(mark())
if "{name}" == "process":
    from newsingest.entities.spacy_tagger import load_model
    from newsingest.settings import Settings
    load_model(Settings.from_env().spacy_model)  # the model is loaded once per process: the init reuses it
marks.append(mark())
module.handler  # the init phase, as the Lambda runtime does it
marks.append(mark())
if "{name}" == "process":
    from datetime import UTC, datetime
    from newsingest.app import Application
    from newsingest.pipeline.process import PageInput, process_pages
    line = "<p>Donald Trump met Nicolas Maduro in Caracas, paragraph {{n}} of the report.</p>"
    body = "".join(line.format(n=n) for n in range(8))
    page = PageInput(f"<html><body><article><h1>Talks</h1>{{body}}</article></body></html>".encode(),
                     "https://example.com/a", "bench", datetime.now(UTC))
    process_pages([page], tagger=Application.from_environment().tagger)
marks.append(mark())
phases = {phases!r}
print(json.dumps({{
    "wall": dict(zip(phases, (b[0] - a[0] for a, b in zip(marks, marks[1:])))),
    "cpu": dict(zip(phases, (b[1] - a[1] for a, b in zip(marks, marks[1:])))),
}}))
"""


def env(tree: Path | None = None) -> dict[str, str]:
    extra = {"PYTHONPATH": str(tree)} if tree else {}
    return {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1"), **extra}


def run_once(name: str, tree: Path | None = None) -> dict:
    started = time.perf_counter()
    probe = PROBE.format(name=name, phases=PHASES)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env(tree))
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["interpreter"] = time.perf_counter() - started
    return result


def top_imports(name: str, most: int = 8) -> list[tuple[float, str]]:
    """(cumulative seconds, module) of the slowest top-level imports of the handler module's init."""
    probe = f"import newsingest.handlers.{name} as m; m.handler"
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", probe], capture_output=True, text=True, env=env())
    rows = []
    for line in out.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]) / 1e6, parts[2].rstrip()))
    top = [(s, m.strip()) for s, m in rows if m.startswith(" ") and not m.startswith("   ")]
    return sorted(top, reverse=True)[:most]


def model_size_mb(model_name: str) -> float:
    from importlib.util import find_spec

    files = (p for p in Path(find_spec(model_name).origin).parent.rglob("*") if p.is_file())
    return sum(p.stat().st_size for p in files) / 1e6


def summary(runs: list[dict], clock: str) -> dict[str, float]:
    """Median milliseconds per phase, and the median total (not the sum of medians)."""
    row = {p: statistics.median(r[clock][p] for r in runs) * 1000 for p in PHASES}
    row["total"] = statistics.median(sum(r[clock].values()) for r in runs) * 1000
    return row


def print_table(results: dict[tuple[str, str], list[dict]], trees: list[str]) -> None:
    print(f"  {'function':9} {'tree':7} {'clock':5} " + " ".join(f"{p:>10}" for p in (*PHASES, "total")) + "  target")
    for name, target in TARGETS.items():
        for tree in trees:
            runs = results[(name, tree)]
            for clock in ("wall", "cpu"):
                row = summary(runs, clock)
                verdict = ("OK" if row["total"] <= target * 1000 else "OVER") if clock == "wall" else ""
                cells = " ".join(f"{row[p]:10.0f}" for p in (*PHASES, "total"))
                print(f"  {name:9} {tree:7} {clock:5} {cells}  {target * 1000:.0f} {verdict}")
        interpreter = statistics.median(r["interpreter"] for r in results[(name, trees[-1])]) * 1000
        print(f"  {'':9} whole interpreter (start-up to exit), {trees[-1]}: {interpreter:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare", type=Path, help="a functions/ tree to time as 'before'")
    args = parser.parse_args()
    trees: dict[str, Path | None] = {"this": None}
    if args.compare:
        trees = {"before": args.compare.resolve(), "after": None}

    from newsingest.settings import Settings

    load = os.getloadavg()[0]
    print(f"cold start, median of {args.runs} fresh interpreters per function and tree, ms (load average {load:.1f})")
    results: dict[tuple[str, str], list[dict]] = {}
    for name in TARGETS:
        for _ in range(args.runs):
            for label, tree in trees.items():  # alternating: both trees see the same machine load
                results.setdefault((name, label), []).append(run_once(name, tree))
    print_table(results, list(trees))
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    for name in TARGETS:
        print(f"  {name}: slowest top-level imports of the init (importtime, cumulative)")
        for seconds, module in top_imports(name, 5):
            print(f"      {module:45} {seconds * 1000:6.0f} ms")
    model = Settings().spacy_model
    print(f"  model package on disk {model_size_mb(model):.1f} MB ({model})")


if __name__ == "__main__":
    main()
