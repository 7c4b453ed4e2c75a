# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

BENCH_VENV ?= .venv-bench
BENCH_ARGS ?=

.PHONY: demo test lint typecheck venv venv-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the package definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

## demo: run the seed program, write gdlab-demo/figure.png and gdlab-demo/run.json
demo: venv
	$(BIN)/gdlab demo --out gdlab-demo

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv-test
	$(BIN)/mypy

## test: lint, type-check and run the whole suite
test: venv-test lint typecheck
	$(BIN)/python -m pytest

# The peers (PyTorch, JAX, TensorFlow, Dask) live in their own venv, never in the core one.
$(BENCH_VENV)/.installed: benchmarks/requirements-bench.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-bench.txt -e ".[dask]"
	touch $@

## bench: gdlab's engines against NumPy, PyTorch, JAX, TensorFlow and Dask, side by side;
##        writes benchmarks/results.md (minutes; BENCH_ARGS=--quick for a smoke run)
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) gdlab-demo .pytest_cache .mypy_cache .ruff_cache
