# Two commands: `make demo` (main job) and `make test`. Both set up .venv when missing.
# Elsewhere, pick another torch build: make test TORCH_SPEC="torch>=2.1"
PYTHON ?= python3
VENV ?= .venv
TORCH_SPEC ?= torch==2.13.0
CHROMIUM ?= /usr/bin/chromium
BIN := $(VENV)/bin

.PHONY: demo test lint setup clean browser

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[dev]"
	$(BIN)/python -m seqpredict.native build || echo "warning: FastGRU runs its Python path"
	touch $@

demo: $(VENV)/.installed
	$(BIN)/seqpredict demo

test: $(VENV)/.installed browser
	$(BIN)/python -m pytest -q

# Headless Chromium for the HTML report test (Debian's package; skipped where apt is missing).
browser:
	@test -x $(CHROMIUM) || ! command -v apt-get >/dev/null || { \
	  export DEBIAN_FRONTEND=noninteractive; \
	  SUDO=$$(test "$$(id -u)" = 0 || echo sudo -n); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium \
	  >/dev/null || echo "warning: could not install chromium; the report browser test will skip"; }

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) runs
