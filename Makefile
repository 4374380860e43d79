# The two commands of the README. Both set up the virtual environment first (once per change of pyproject.toml).
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp
# The PostgreSQL variants of the tests run against this server; without it they are skipped (failed under CI).
TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
export TEST_POSTGRES_URL

.PHONY: run test setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/dispute-engine serve --demo

test: $(STAMP)
	$(VENV)/bin/pytest
