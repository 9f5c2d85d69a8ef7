# The two set-up commands of Cluster Casebase: `make run` and `make test`.
# Both create .venv when it is missing and reinstall only when pyproject.toml changed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test check index bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, pinned to the CPU build that lies on disk here: installed later as a
# dependency of sentence-transformers, pip would pull a multi-GB CUDA build instead.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# `make run [PORT=8080]`: validate the content (a summary of problems), build the
# search index if it is missing or stale, then serve the web app on the bundled
# content at http://127.0.0.1:$(PORT) until Ctrl-C. It runs no sample search.
PORT ?= 5000
run: $(STAMP)
	$(BIN)/casebase check --summary
	$(BIN)/casebase index
	$(BIN)/casebase serve --host 127.0.0.1 --port $(PORT)

index: $(STAMP)
	$(BIN)/casebase index

bench: $(STAMP)
	$(BIN)/casebase bench

test: $(STAMP)
	$(BIN)/python -m pytest

check: $(STAMP)
	$(BIN)/casebase check

clean:
	rm -rf $(VENV) instance/index test-output
