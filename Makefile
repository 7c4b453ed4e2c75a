# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

BENCH_VENV ?= .venv-bench
BENCH_ARGS ?=

.PHONY: demo images load docs bench test lint typecheck venv venv-web venv-test browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the package definition changes. `venv` is the core install (what
# `pip install gdlab` brings: fitting, explaining, pictures); `venv-web` adds the
# playground (`gdlab serve`); `venv-test` every extra and the test tools.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-web: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[web]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[all,test]"
	touch $(VENV)/.installed $(VENV)/.installed-web $@

venv: $(VENV)/.installed
venv-web: $(VENV)/.installed-web
venv-test: $(VENV)/.installed-test

## demo: run the seed program, write gdlab-demo/figure.png and gdlab-demo/run.json
demo: venv
	$(BIN)/gdlab demo --out gdlab-demo

## images: redraw the README's pictures in docs/images from the seed program
images: venv
	$(BIN)/gdlab demo --out gdlab-demo --no-plot
	$(BIN)/gdlab plot gdlab-demo/run.json --kind landscape --out docs/images/landscape.png
	$(BIN)/gdlab plot gdlab-demo/run.json --compare gd:0.004,gd:best --out docs/images/compare.png
	$(BIN)/gdlab plot gdlab-demo/run.json --kind animation --out docs/images/training.gif

## load: a bounded load test of the playground's API on loopback (benchmarks/load_web.py)
load: venv-test
	$(BIN)/python benchmarks/load_web.py

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv-test
	$(BIN)/mypy

# Debian's chromium for the playground's browser tests, installed when missing (needs root;
# elsewhere those tests skip with the reason, except under CI=true where they fail).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	  else echo "chromium is missing and cannot be installed here: browser tests will skip"; fi; }

## test: lint, type-check and run the whole suite
test: venv-test lint typecheck browser
	$(BIN)/python -m pytest

## docs: regenerate docs/cli.md from the commands' --help (a test fails while it is stale)
docs: venv
	$(BIN)/python docs/make_cli_reference.py

# The peers (PyTorch, JAX, TensorFlow, Dask) live in their own venv, never in the core one.
$(BENCH_VENV)/.installed: benchmarks/requirements-bench.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-bench.txt -e ".[dask,fast]"
	touch $@

## bench: gdlab's engines against NumPy, PyTorch, JAX, TensorFlow and Dask, side by side;
##        writes benchmarks/results.md (minutes; BENCH_ARGS=--quick for a smoke run)
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) gdlab-demo .pytest_cache .mypy_cache .ruff_cache
