# Tocsin — every task a developer or CI runs. `make test` is exactly what CI runs.
# Works on a fresh clone with only python3, make and git: uv is bootstrapped into .tools/.

PYTHON  ?= python3
UV_VERSION := 0.13.9
TOOLS   := .tools
UV      := $(TOOLS)/bin/uv
VENV    := .venv
RUN     := $(UV) run --frozen --no-sync
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)
export UV_LINK_MODE := copy

.PHONY: help setup run test lint typecheck unit bench models docs clean

help:
	@echo "make run     set up, scan the bundled synthetic examples, then serve the web workspace with demo users"
	@echo "make test    set up, then lint, type-check and run the whole test suite (what CI runs)"
	@echo "make lint | typecheck | unit | bench | models | docs | clean"
	@echo "(unit tests need PostgreSQL on 127.0.0.1:5432 for the store suite; set TOCSIN_REQUIRE_POSTGRES=1 to fail without it)"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-groups
	@touch $@

setup: $(VENV)/.synced

run: setup
	@mkdir -p out
	$(RUN) tocsin scan examples/job_ads.jsonl --format html -o out/job_ads.html
	$(RUN) tocsin scan examples/messages.csv --text-column body --format html -o out/messages.html
	@echo "HTML reports with highlighted evidence: out/job_ads.html out/messages.html"
	$(RUN) tocsin serve --demo

lint: setup
	$(RUN) ruff check --no-cache src tests benchmarks
	$(RUN) ruff format --no-cache --check src tests benchmarks

typecheck: setup
	$(RUN) mypy --strict src

unit: setup
	$(RUN) pytest -q

test: lint typecheck unit

# Benchmarks print markdown and write JSON to benchmarks/results/; results go to docs/benchmarks.md.
bench: setup
	$(RUN) python benchmarks/bench_extract.py
	$(RUN) python benchmarks/bench_rules.py
	$(RUN) python benchmarks/bench_models.py
	$(RUN) python benchmarks/bench_scan.py
	$(RUN) python benchmarks/bench_ingest.py
	$(RUN) python benchmarks/bench_graph.py
	$(RUN) python benchmarks/bench_pivot.py
	$(RUN) python benchmarks/bench_access.py
	$(RUN) python benchmarks/bench_api.py
	$(RUN) python benchmarks/bench_cases.py

models: setup
	$(RUN) python -m tocsin.detect.ml.build

docs: setup
	$(RUN) python -m tocsin.detect.rules.catalogue > docs/indicators.md
	$(RUN) python -m tocsin.cli.reference > docs/cli.md

clean:
	rm -rf $(VENV) $(TOOLS) out .mypy_cache .ruff_cache .pytest_cache .hypothesis
