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

# Until the web front end lands, `make run` validates the content, builds the
# search index and shows what the casebase holds and how to search it.
run: $(STAMP)
	$(BIN)/casebase check --summary
	$(BIN)/casebase index
	$(BIN)/casebase search "Vale dos Sinos" --limit 3

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
