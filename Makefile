# youguan task runner. The README names two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
# Debian packages the platform and its tests need (installed when we have the rights).
SYSTEM_PACKAGES_RUN  := python3-venv fonts-noto-cjk
SYSTEM_PACKAGES_TEST := $(SYSTEM_PACKAGES_RUN) chromium libreoffice-writer-nogui poppler-utils

.PHONY: run test lint format typecheck setup setup-dev system-deps-run system-deps-test demo serve clean bench

## run: set up everything and start the platform on its embedded default with demo data
run: setup system-deps-run
	$(BIN)/youguan init
	$(BIN)/youguan demo --serve --host $(HOST) --port $(PORT)

## test: set up the test environment and run the whole suite (lint, types, tests)
test: setup-dev system-deps-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint:
	$(BIN)/ruff check .
format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
typecheck:
	$(BIN)/mypy

setup: $(VENV)/.runtime-installed
setup-dev: $(VENV)/.dev-installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . || $(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e . || $(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.runtime-installed

system-deps-run:
	@scripts/system-deps.sh $(SYSTEM_PACKAGES_RUN)
system-deps-test:
	@scripts/system-deps.sh $(SYSTEM_PACKAGES_TEST)

## lock: re-resolve the pinned locks from pyproject.toml (needs network to PyPI)
lock:
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -p 3.11 --generate-hashes -o requirements.lock -q
	$(BIN)/uv pip compile pyproject.toml -p 3.11 --extra dev --extra spark --generate-hashes -o requirements-dev.lock -q

bench: setup-dev
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/indicators.py

clean:
	rm -rf $(VENV) youguan-data .pytest_cache .mypy_cache .ruff_cache
