# Two entry points: `make run` starts the app, `make test` runs every test. Both install what they need.
# `make serve WORKERS=2` starts several app processes behind Debian's nginx (installed if missing), for a class.
PYTHON  ?= python3
VENV    ?= .venv
PORT    ?= 8501
WORKERS ?= 2
BIN     := $(VENV)/bin

.PHONY: run serve test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.app-installed
	$(BIN)/python -m gmm_ui.serve --server.port $(PORT)

serve: $(VENV)/.app-installed
	bash scripts/ensure_nginx.sh
	$(BIN)/python -m gmm_ui.proxy --workers $(WORKERS) --port $(PORT)

test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_nginx.sh
	$(BIN)/python -m pytest

bench: $(VENV)/.dev-installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) test-output .pytest_cache .hypothesis
