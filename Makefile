# heron developer entry points. CPU torch by default; override with
#   make TORCH=torch==2.13.0 test     (or any pip requirement for torch)
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PEERS := .venv-peers

.PHONY: demo test bench bench-peers clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q "$(TORCH)"
	$(PIP) install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -q -e ".[dev]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m heron.demo

test: $(VENV)/.dev-installed
	$(PY) -m pytest -q

bench: $(VENV)/.dev-installed $(PEERS)/.installed
	$(PY) bench/run_all.py

# Peers (spaCy) live in their own venv, never as heron dependencies.
bench-peers: $(PEERS)/.installed

$(PEERS)/.installed:
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install -q --upgrade pip
	$(PEERS)/bin/python -m pip install -q "spacy>=3.8,<3.9"
	touch $@

clean:
	rm -rf $(VENV) $(PEERS) build *.egg-info
