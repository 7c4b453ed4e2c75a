# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

BENCH_VENV ?= .venv-bench
BENCH_ARGS ?=

.PHONY: demo images screenshots load fluidity docs bench accuracy test lint typecheck venv venv-web venv-test browser clean

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
	$(BIN)/python -m pip install --quiet -e ".[all,test,conventions]"
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
	$(BIN)/gdlab plot gdlab-demo/run.json --kind seed-styled --out docs/images/demo-figure.png
	$(BIN)/gdlab plot gdlab-demo/run.json --kind landscape --out docs/images/landscape.png
	$(BIN)/gdlab plot gdlab-demo/run.json --compare gd:0.004,gd:best --out docs/images/compare.png
	$(BIN)/gdlab plot gdlab-demo/run.json --kind animation --out docs/images/training.gif
	$(BIN)/gdlab sweep --steps 50 --out docs/images/lr-sweep.png > /dev/null
	$(BIN)/gdlab demo --out gdlab-demo --no-plot --steps 200
	$(BIN)/gdlab plot gdlab-demo/run.json --kind eigen --out docs/images/eigen.png
	$(BIN)/gdlab plot gdlab-demo/run.json --kind momentum-map --out docs/images/momentum-map.png

## screenshots: photograph the playground on a laptop, a tablet and a phone (docs/images)
screenshots: venv-test browser
	$(BIN)/python docs/make_screenshots.py

## load: a bounded load test of the playground's API on loopback (benchmarks/load_web.py)
load: venv-test
	$(BIN)/python benchmarks/load_web.py

## fluidity: the page's frame rate while it animates a big run (benchmarks/page_fluidity.py)
fluidity: venv-test browser
	$(BIN)/python benchmarks/page_fluidity.py

lint: venv-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv-test
	$(BIN)/mypy

# Debian's chromium for the playground's browser tests, installed when missing (needs root;
# elsewhere those tests skip with the reason, except under CI=true where they fail), with a
# font for the Korean page; and axe-core from npm for the accessibility checks, into the
# git-ignored $(NPM_DIR) (missing npm: those checks skip, or fail under CI=true).
NPM_DIR     := .npm-test
AXE_VERSION := 4.14.1
AXE         := $(NPM_DIR)/node_modules/axe-core/axe.min.js

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq chromium fonts-dejavu-core fonts-nanum >/dev/null; \
	  else echo "chromium is missing and cannot be installed here: browser tests will skip"; fi; }
	@test -f $(AXE) || { \
	  if command -v npm >/dev/null 2>&1 && npm install --prefix $(NPM_DIR) --no-save \
	      --no-package-lock --no-audit --no-fund --silent axe-core@$(AXE_VERSION); then \
	    echo "installed axe-core $(AXE_VERSION) into $(NPM_DIR) for the accessibility tests"; \
	  elif [ "$$CI" = true ]; then \
	    echo "axe-core cannot be installed (npm install failed or no npm): CI cannot check accessibility"; exit 1; \
	  else echo "axe-core is missing and cannot be installed here: accessibility tests will skip"; fi; }

## test: lint, type-check and run the whole suite
test: venv-test lint typecheck browser
	$(BIN)/python -m pytest

## docs: regenerate docs/cli.md from the commands' --help (a test fails while it is stale)
docs: venv
	$(BIN)/python docs/make_cli_reference.py

# The peers (PyTorch, JAX, TensorFlow, Dask, and the accuracy page's SciPy, statsmodels,
# scikit-learn) live in their own venv, never in the core one.
$(BENCH_VENV)/.installed: benchmarks/requirements-bench.txt pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r benchmarks/requirements-bench.txt -e ".[dask,fast]"
	touch $@

## bench: gdlab's engines against NumPy, PyTorch, JAX, TensorFlow and Dask, side by side;
##        writes benchmarks/results.md (minutes; BENCH_ARGS=--quick for a smoke run)
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/bench.py $(BENCH_ARGS)
	$(BENCH_VENV)/bin/python benchmarks/statistics_cost.py $(filter --quick,$(BENCH_ARGS))

## accuracy: LRE of gdlab's engines beside NumPy, SciPy, statsmodels, scikit-learn and
##           PyTorch on NIST's sets and on columns far from zero; writes docs/accuracy.md
accuracy: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/accuracy.py

clean:
	rm -rf $(VENV) $(NPM_DIR) gdlab-demo .pytest_cache .mypy_cache .ruff_cache
