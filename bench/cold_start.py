"""Cold start of the process function: imports plus spaCy model load and a first tag call.

Each run is a fresh interpreter, as a new Lambda container is (with a region set, as
Lambda sets one, since the handler builds its AWS clients at import). Measured: the init
phase (importing the handler module, which loads the model) and the first page processed
offline (which pays the language model's first use). Target: <= 1.0 s total.
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
TARGET_S = 1.0

PROBE = """
import json, time
from datetime import UTC, datetime
t0 = time.perf_counter()
import newsingest.handlers.process as module
module.handler  # the init phase, as the Lambda runtime does it: every import, the application, the model
t1 = time.perf_counter()
from newsingest.app import Application
from newsingest.pipeline.process import PageInput, process_pages
body = "".join(f"<p>Donald Trump met Nicolas Maduro in Caracas, paragraph {n} of the report.</p>" for n in range(8))
page = PageInput(f"<html><body><article><h1>Talks</h1>{body}</article></body></html>".encode(),
                 "https://example.com/a", "bench", datetime.now(UTC))
process_pages([page], tagger=Application.from_environment().tagger)
t2 = time.perf_counter()
print(json.dumps({"module": "newsingest.handlers.process", "import_s": t1 - t0, "load_and_first_tag_s": t2 - t1}))
"""


def run_once() -> dict[str, float | str]:
    started = time.perf_counter()
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


def model_size_mb(model_name: str) -> float:
    from spacy.util import get_package_path

    files = (p for p in get_package_path(model_name).rglob("*") if p.is_file())
    return sum(p.stat().st_size for p in files) / 1e6


def main() -> None:
    from newsingest.settings import get_settings

    runs = [run_once() for _ in range(RUNS)]
    imports = statistics.median(r["import_s"] for r in runs)
    load = statistics.median(r["load_and_first_tag_s"] for r in runs)
    total = statistics.median(r["import_s"] + r["load_and_first_tag_s"] for r in runs)
    process = statistics.median(r["process_s"] for r in runs)
    model = get_settings().spacy_model
    print(f"cold start, median of {RUNS} fresh interpreters (imports of {runs[0]['module']}):")
    print(f"  init: imports, models, warm-up page {imports * 1000:7.0f} ms")
    print(f"  first page after init       {load * 1000:7.0f} ms")
    print(
        f"  total                      {total * 1000:7.0f} ms  (target <= {TARGET_S * 1000:.0f} ms)"
        f"  {'OK' if total <= TARGET_S else 'OVER TARGET'}"
    )
    print(f"  whole interpreter process  {process * 1000:7.0f} ms  (includes Python start-up)")
    print(f"  model package on disk      {model_size_mb(model):7.1f} MB  ({model})")


if __name__ == "__main__":
    main()
