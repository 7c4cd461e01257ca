# Hearth: every command a developer or CI needs, starting from a bare machine.
#
#   make run     set everything up, then start Hearth (desktop if there is a display,
#                terminal chat otherwise)
#   make test    set everything up, lint, then run the test suite
#
# Variables worth overriding: PYTHON (interpreter that creates the venv), VENV (its folder,
# e.g. `make test VENV=.venv-test` for a from-scratch dry run), PYTEST_ARGS.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
# Rebuilt (pip install) only when pyproject.toml is newer than it.
STAMP := $(VENV)/.hearth-installed

# Debian packages the project needs on the machine (servers for tests, Qt's xcb libraries...).
# espeak-ng: spoken test audio for the speech tests; chromium: the web chat's browser tests.
# libxcb-*/libxkbcommon-x11-0: what Qt needs to open a window under X11.
# redis-server: the Redis cache and event bus run their contract suites on a real server.
APT_PACKAGES ?= espeak-ng chromium libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
    libxcb-render-util0 libxkbcommon-x11-0 redis-server
# Added only when $(PYTHON) cannot create a venv (a bare Debian without it).
PYTHON_APT_PACKAGES := python3.11 python3.11-venv
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

LINT_DIRS := $(wildcard app engine tests bench)
PYTEST_ARGS ?=

.PHONY: help deps venv models lint test run bench clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 20

deps:  ## install missing Debian packages (apt-get update only when something is missing)
	@need="$(APT_PACKAGES)"; \
	if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then \
	    need="$$need $(PYTHON_APT_PACKAGES)"; fi; \
	missing=""; \
	for pkg in $$need; do \
	    dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null | grep -q 'install ok installed' \
	        || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null; then \
	    echo "Missing system packages:$$missing (install them with your package manager)" >&2; \
	    exit 1; fi; \
	echo "Installing Debian packages:$$missing"; \
	$(SUDO) apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing

venv: deps $(STAMP)  ## create the venv (VENV, default .venv) and install Hearth with its dev tools

$(BIN)/python: | deps
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	    || { echo "Hearth needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# llama.cpp is built from source: portable (no -march=native, which would crash on other
# CPUs). pip caches the built wheel, so this takes minutes only the first time.
LLAMA_SPEC := llama-cpp-python[server]==0.3.36
LLAMA_STAMP := $(VENV)/.hearth-llama

$(LLAMA_STAMP): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
	    $(BIN)/python -m pip install --quiet '$(LLAMA_SPEC)'
	@touch $@

$(STAMP): pyproject.toml $(LLAMA_STAMP) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

models: venv  ## pull and verify the default models (chat, embeddings, speech)
	$(BIN)/hearth models pull --all-defaults

lint: venv  ## ruff, mypy --strict, import-linter contracts (runs all, fails if any fails)
	@status=0; \
	echo "== ruff";         $(BIN)/ruff check $(LINT_DIRS)   || status=1; \
	echo "== mypy";         $(BIN)/mypy                      || status=1; \
	echo "== lint-imports"; $(BIN)/lint-imports --no-logo    || status=1; \
	exit $$status

test: venv lint  ## lint, then the test suite (no tests collected is a failure)
	@$(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS) || { rc=$$?; \
	    if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	    exit $$rc; }

run: venv models  ## start Hearth
	$(BIN)/hearth

bench: venv  ## run every bench/*.py (each prints a table and writes JSON)
	@shopt -s nullglob; files=(bench/[a-z]*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "No benchmarks in bench/ yet."; exit 0; fi; \
	for file in "$${files[@]}"; do [ "$$file" = bench/common.py ] && continue; \
	    echo "== $$file"; $(BIN)/python "$$file"; done

clean:  ## remove caches and build output (keeps the venv)
	rm -rf .mypy_cache .ruff_cache .pytest_cache .import_linter_cache .hypothesis \
	    build dist *.egg-info
	find . -path './$(VENV)' -prune -o -path './.venv*' -prune -o \
	    -type d -name __pycache__ -prune -exec rm -rf {} +

distclean: clean  ## clean, and remove the venv too
	rm -rf $(VENV)
