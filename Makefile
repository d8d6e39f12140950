# Two commands do all the set-up on a fresh machine (see README):
#   make run    install, ingest knowledge/, serve the API and a demo help page with the
#               assistant on http://127.0.0.1:8080
#   make test   install, run the test suite and the fast eval gate
SHELL := /bin/bash
PY ?= python3
UV := .venv/bin/uv
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: install run ingest serve test test-server eval-gate eval lint bench

.venv/bin/uv:
	$(PY) -m venv .venv
	.venv/bin/pip install --quiet uv==0.13.8

install: .venv/bin/uv
	$(UV) sync --frozen --quiet

ingest: install
	.venv/bin/cxrag ingest knowledge/articles knowledge/tickets || [ $$? -eq 1 ]
	.venv/bin/cxrag import-customers knowledge/customers/customers.json
	.venv/bin/cxrag import-tickets knowledge/tickets
	.venv/bin/cxrag triage train knowledge/tickets/*.csv knowledge/tickets/*.jsonl \
		--text-column subject --text-column messages --label-column category

run: ingest
	.venv/bin/cxrag serve

test: install
	.venv/bin/python -m pytest
	$(MAKE) test-server
	$(MAKE) eval-gate

# The whole suite again on the server configuration (each test on its own database of the
# local PostgreSQL: history, catalogue, lexical index, jobs), slow real-model tests included
# (~4 min of the ~20).
test-server: install
	CXRAG_TEST_CONFIG=server .venv/bin/python -m pytest -q

# The fast eval suite on the embedded model, against evals/thresholds.yaml (~3-4 min).
eval-gate: install
	.venv/bin/cxrag eval run fast --gate evals/thresholds.yaml --out test-artifacts/eval-fast

# The whole golden set and the bias suite (~10 + ~15 min on 2 cores); reports under data/eval-runs.
eval: install
	.venv/bin/cxrag eval run golden
	.venv/bin/cxrag eval run bias

lint: install
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/mypy
	.venv/bin/hadolint Dockerfile

bench: install
	.venv/bin/python benchmarks/run_all.py
