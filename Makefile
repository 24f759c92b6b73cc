# Developer entry points. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint bench clean

install: $(STAMP)

# Reinstall only when pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Load the demo once (a second run writes nothing), make sure the demo keys work, print the docs URL
# and a curl, then serve. Logs stay quiet unless CRM_LOG_LEVEL says otherwise.
run: install
	$(BIN)/crm demo
	CRM_LOG_LEVEL=$${CRM_LOG_LEVEL:-warning} $(BIN)/crm serve

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy --strict domain application projections api infra
	$(BIN)/lint-imports --no-cache

test: lint
	$(BIN)/pytest

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) crm.egg-info .mypy_cache .ruff_cache
