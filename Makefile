# flask-forge: developer tasks for the cookiecutter template itself.
# Run `make` (or `make help`) to list them.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
BIN := $(CURDIR)/$(VENV)/bin
# The demo's own small venv: cookiecutter, then the baked project's runtime
# dependencies (requirements-demo.txt says why).
DEMO_VENV := .venv-demo
DEMO_STAMP := $(DEMO_VENV)/.installed
DEMO_BIN := $(CURDIR)/$(DEMO_VENV)/bin

DEMO_DIR := build/demo
FLASK_RUN_HOST ?= 127.0.0.1
FLASK_RUN_PORT ?= 5000
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help test demo lint lock clean

help: ## List the available targets
	@echo "Usage: make <target>"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z_-]+:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# The venv is rebuilt only when requirements-dev.txt changes. pip installs uv
# (pinned there), then uv installs the rest: seconds instead of minutes.
UV_PIN = $(shell grep '^uv==' requirements-dev.txt)
$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet "$(UV_PIN)"
	$(BIN)/uv pip install --python $(BIN)/python -r requirements-dev.txt
	touch $@

test: $(STAMP) ## Run the template's test suite (extra args: PYTEST_ARGS=...)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(DEMO_STAMP): requirements-demo.txt
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_BIN)/pip install -r requirements-demo.txt
	touch $@

# Bakes with default answers; the demo uses the development config
# (SQLite and a file session store), so no database or Redis is needed.
# PUBLIC_URL follows FLASK_RUN_HOST:FLASK_RUN_PORT unless it is set.
demo: $(DEMO_STAMP) ## Bake the template with defaults into build/demo and serve it
	$(DEMO_BIN)/cookiecutter --no-input --overwrite-if-exists --output-dir $(DEMO_DIR) .
	@set -e; \
	set -- $(DEMO_DIR)/*/; \
	if [ $$# -ne 1 ] || [ ! -d "$$1" ]; then \
		echo "expected exactly one project in $(DEMO_DIR), found: $$*" >&2; \
		echo "run 'make clean' and try again" >&2; \
		exit 1; \
	fi; \
	project="$(CURDIR)/$${1%/}"; \
	cd "$$project"; \
	echo "+ uv pip install the bake's locked runtime set, then the bake (in $$project)"; \
	$(DEMO_BIN)/uv export --locked --no-dev --no-emit-project --format requirements.txt \
		--quiet --output-file build/requirements.txt; \
	$(DEMO_BIN)/uv pip install --quiet --python $(DEMO_BIN)/python --require-hashes \
		-r build/requirements.txt; \
	$(DEMO_BIN)/uv pip install --quiet --python $(DEMO_BIN)/python --no-deps -e .; \
	echo "+ flask db upgrade  (in $$project)"; \
	$(DEMO_BIN)/flask db upgrade; \
	echo "+ flask run on http://$(FLASK_RUN_HOST):$(FLASK_RUN_PORT)"; \
	FLASK_RUN_HOST=$(FLASK_RUN_HOST) FLASK_RUN_PORT=$(FLASK_RUN_PORT) exec $(DEMO_BIN)/flask run

lint: $(STAMP) ## Check style of hooks/, scripts/ and tests/ with ruff
	$(BIN)/ruff check hooks scripts tests
	$(BIN)/ruff format --check hooks scripts tests

# One `uv lock` per set of answers, merged into the project template's uv.lock.
lock: $(STAMP) ## Rewrite the project template's uv.lock after a dependency change (UPGRADE=1: newest versions)
	$(BIN)/python scripts/lock.py --uv $(BIN)/uv $(if $(UPGRADE),--upgrade)

clean: ## Remove build/, .venv/, .venv-demo/ and .pytest_cache
	rm -rf build $(VENV) $(DEMO_VENV) .pytest_cache
