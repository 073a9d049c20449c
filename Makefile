# Everything a learner or CI needs: `make book` and `make test` set themselves up on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium
NOTEBOOKS = $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)

# Determinism: the same hash seeds and one thread for every kernel (float sums depend on the thread count).
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
# No progress bars in stored outputs or under nbval (lstm_book.notebook.progress).
export LSTM_BOOK_QUIET := 1

.PHONY: help book test check lint format lab execute experiments unit-nbval build-check browser clean

help:
	@echo "make book     build the HTML book into _build/html (sets itself up)"
	@echo "make test     linter, unit tests, doctests, nbval on every chapter, strict book build, browser test"
	@echo "make check    the inner loop (under a minute): linter, unit tests, doctests (not the slow re-runs of stored sweeps)"
	@echo "make lab      JupyterLab on the chapters, widgets working"
	@echo "make execute  re-run every chapter in place from a fresh kernel (refreshes committed outputs)"
	@echo "make experiments  re-run the long sweeps whose results the chapters load (about two and a half hours)"

# --- set-up ---------------------------------------------------------------------------------------
$(STAMP): requirements.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium

# --- the two main commands ------------------------------------------------------------------------
book: $(STAMP)
	$(BIN)/jupyter-book build -W --keep-going .
	@echo "Open the book: file://$(CURDIR)/_build/html/index.html"

test: $(STAMP) $(CHROMIUM)
	$(MAKE) --no-print-directory lint unit-nbval build-check browser
	@echo "make test: all stages passed"

# --- the inner loop: no notebooks, no browser, no root ------------------------------------------
check: $(STAMP)
	$(MAKE) --no-print-directory lint
	timeout 300 $(BIN)/pytest -p no:cacheprovider -q -n 2 --doctest-modules lstm_lib lstm_book tests \
	  -m "not browser and not slow"

# --- the stages of `make test` --------------------------------------------------------------------
lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check book   # chapter code laid out at 88 columns (book/ruff.toml)

unit-nbval:
	timeout 1500 $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadfile --doctest-modules \
	  lstm_lib lstm_book tests $(NOTEBOOKS) \
	  --nbval --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg --nbval-cell-timeout 300 \
	  -m "not browser"

build-check:
	rm -rf _build
	timeout 600 $(BIN)/jupyter-book build --all -W --keep-going .

browser:
	timeout 1800 $(BIN)/pytest -p no:cacheprovider -m browser tests   # test_browser, _search and _site alone: 9 min on 2 shared cores

# --- for learners and authors ---------------------------------------------------------------------
format: $(STAMP)
	$(BIN)/ruff format book

lab: $(STAMP)
	$(BIN)/jupyter lab book $$([ "$$(id -u)" = 0 ] && echo --allow-root)

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

# The sweeps too long for a chapter's budget; each writes lstm_book/experiments/results/*.json
# (char_lm also the weights of its first long run, results/char_lm_long_seed0.npz).
experiments: $(STAMP)
	$(BIN)/python -m lstm_book.experiments.adding1997 --store grid
	$(BIN)/python -m lstm_book.experiments.adding1997 --store long
	$(BIN)/python -m lstm_book.experiments.char_lm --store
	$(BIN)/python -m lstm_book.experiments.forgetting --store
	$(BIN)/python -m lstm_book.experiments.long_lags --store
	$(BIN)/python -m lstm_book.experiments.rnn_learns --store
	$(BIN)/python -m lstm_book.experiments.training --store
	$(BIN)/python -m lstm_book.experiments.sentiment --store
	$(BIN)/python -m lstm_book.experiments.batches --store   # wall times: run it on a quiet machine

clean:
	rm -rf _build _static/widgets  # _static/widgets: the widget manager an older make book fetched
