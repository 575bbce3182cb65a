# graphapp — `make run` opens the app on the default example, `make test` runs every test.
# Both set up everything first: a virtual environment in .venv with the package and its test
# tools, and (on Debian/Ubuntu) the system packages Qt and Graphviz need, via apt-get.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test lint bench screenshots system-deps clean mutate

run: $(STAMP) system-deps
	$(BIN)/graphapp

test: $(STAMP) system-deps
	GRAPHAPP_REQUIRE_ALL=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(BIN)/ruff check graphapp tests

# Mutation testing of graphapp/engine and graphapp/formats with mutmut (slow: not part of
# `make test`). It resumes where a stopped run left off; MUTANTS narrows it to some mutants,
# e.g. make mutate MUTANTS='graphapp.engine.plan.*'. Tests marked slow are left out.
MUTATE_STAMP := $(VENV)/.mutate-installed
MUTANTS ?=
JOBS ?= 2

mutate: $(STAMP) $(MUTATE_STAMP) system-deps
	QT_QPA_PLATFORM=offscreen nice -n 15 $(BIN)/mutmut run --max-children $(JOBS) $(MUTANTS)
	$(BIN)/python tests/mutation_report.py

$(MUTATE_STAMP): pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench,mutate]'
	touch $(MUTATE_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check graphapp tests

bench: $(STAMP) system-deps
	$(BIN)/graphapp bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

# Installs what is missing (Graphviz's dot, Qt's system libraries, a font) with apt-get.
# Elsewhere it only says what to install: the app runs without dot, minus image export.
system-deps:
	@missing="$$($(PYTHON) graphapp/sysdeps.py)"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "installing system packages:" $$missing; \
	    $(SUDO) apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	      { $(SUDO) apt-get update -qq >/dev/null 2>&1 && \
	        $(SUDO) apt-get install -y -qq $$missing >/dev/null 2>&1; } || \
	      echo "could not install" $$missing "- image export or the window may not work"; \
	  else \
	    echo "please install with your package manager:" $$missing; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache *.egg-info mutants
