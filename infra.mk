# Infrastructure targets, included from the Makefile: validate, build, size-check.
# SAM CLI lives in its own venv: its pins clash with the dev lock.
SAM_VENV ?= .venv-sam
SAM_VERSION := 1.170.0
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_VERSION)
SAM := $(SAM_VENV)/bin/sam

$(SAM_STAMP):
	@test -n "$(PYTHON)" || { echo "python3.12 not found: set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install -q --disable-pip-version-check pip==$(PIP_VERSION)
	$(SAM_VENV)/bin/pip install -q --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)
	@touch $@

validate: $(SAM_STAMP) $(STAMP) ## sam validate --lint, plus cfn-lint over the offline SAM translation
	SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 $(SAM) validate --lint --template template.yaml
	$(BIN)/python infra/lint_template.py template.yaml
	$(BIN)/python infra/layer_requirements.py --check

# sam build runs the layer makefiles with `pip`/`python` from PATH: the venv's python3.12 comes first.
build: $(SAM_STAMP) ## sam build (layers via infra/layers/*/Makefile; no Docker)
	PATH="$(abspath $(SAM_VENV))/bin:$$PATH" SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 \
		$(SAM) build --template template.yaml --parallel

size-check: build $(STAMP) ## unzipped size per function with its layers (< 250 MB) and handler imports under python3.12
	$(BIN)/python infra/check_size.py --python $(PYTHON) .aws-sam/build
