"""Cold start of each Lambda function: the init phase as the Lambda runtime runs it, in fresh interpreters.

Init = importing the handler module and reading its `handler` attribute, which builds the
application (and, for the process function, loads the model and runs one warm-up page). For the
process function the first page after init is timed too. Each run is a fresh interpreter with a
region set, as in Lambda. Targets (issue 9): process <= 1.0 s (init + first page), schedule and
discover <= 0.3 s. Also printed: the top imports by cumulative time (python -X importtime).
Run: .venv/bin/python bench/cold_start.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

RUNS = 5
TARGETS = {"process": 1.0, "schedule": 0.3, "discover": 0.3}

PROBE = """
import json, time
t0 = time.perf_counter()
import newsingest.handlers.{name} as module
module.handler  # the init phase, as the Lambda runtime does it
t1 = time.perf_counter()
first = 0.0
if "{name}" == "process":
    from datetime import UTC, datetime
    from newsingest.app import Application
    from newsingest.pipeline.process import PageInput, process_pages
    line = "<p>Donald Trump met Nicolas Maduro in Caracas, paragraph {{n}} of the report.</p>"
    body = "".join(line.format(n=n) for n in range(8))
    page = PageInput(f"<html><body><article><h1>Talks</h1>{{body}}</article></body></html>".encode(),
                     "https://example.com/a", "bench", datetime.now(UTC))
    tagger = Application.from_environment().tagger  # the model is loaded once per process: shared
    t2 = time.perf_counter()
    process_pages([page], tagger=tagger)
    first = time.perf_counter() - t2
print(json.dumps({{"init_s": t1 - t0, "first_page_s": first}}))
"""


def env() -> dict[str, str]:
    return {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}


def run_once(name: str) -> dict[str, float]:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(name=name)], capture_output=True, text=True, check=True, env=env()
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


def top_imports(name: str, most: int = 8) -> list[tuple[float, str]]:
    """(cumulative seconds, module) of the slowest top-level imports of the handler module."""
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
    from spacy.util import get_package_path

    files = (p for p in get_package_path(model_name).rglob("*") if p.is_file())
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    from newsingest.settings import Settings

    print(f"cold start, median of {RUNS} fresh interpreters per function (load average {os.getloadavg()[0]:.1f})")
    print(f"  {'function':10} {'init ms':>8} {'first page ms':>14} {'total ms':>9} {'target ms':>10}  interpreter ms")
    for name, target in TARGETS.items():
        runs = [run_once(name) for _ in range(RUNS)]
        init = statistics.median(r["init_s"] for r in runs)
        first = statistics.median(r["first_page_s"] for r in runs)
        total = statistics.median(r["init_s"] + r["first_page_s"] for r in runs)
        whole = statistics.median(r["process_s"] for r in runs)
        verdict = "OK" if total <= target else "OVER"
        print(
            f"  {name:10} {init * 1000:8.0f} {first * 1000:14.0f} {total * 1000:9.0f} "
            f"{target * 1000:10.0f} {verdict:4}  {whole * 1000:.0f}"
        )
        for seconds, module in top_imports(name, 5):
            print(f"      import {module:40} {seconds * 1000:6.0f} ms cumulative")
    model = Settings().spacy_model
    print(f"  model package on disk {model_size_mb(model):.1f} MB ({model})")


if __name__ == "__main__":
    main()
