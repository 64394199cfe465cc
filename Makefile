# Two entry points (see README): `make serve` and `make test`.
# Each creates .venv on first use and installs what it needs; nothing else is required
# besides Python >= 3.10 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# PyTorch is the test oracle, never a dependency of the package; pinned on purpose
# (an unpinned torch pulls gigabytes of CUDA wheels).
TORCH  := torch==2.13.0
NO_MKDOCS_2_WARNING := 1
export NO_MKDOCS_2_WARNING

.PHONY: serve docs example test test-fast bench torch clean

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Installs the oracle if it is missing; where it cannot be installed the oracle
# tests skip with a message (or fail under CI=true).
# No stamp: a failed install is retried next time (the check itself is instant).
torch: $(STAMP)
	@$(BIN)/python -c "import importlib.util, sys; sys.exit(importlib.util.find_spec('torch') is None)" \
		|| $(BIN)/python -m pip install --quiet $(TORCH) \
		|| echo "warning: could not install $(TORCH); PyTorch oracle tests will skip (or fail under CI=true)"

# The main job: build the site (every number computed by lstm_ref) and serve it.
serve: $(STAMP)
	$(BIN)/python -m mkdocs serve --strict -a 127.0.0.1:8000

# A static copy of the site in site/, for any web server.
docs: $(STAMP)
	$(BIN)/python -m mkdocs build --strict

example: $(STAMP)
	$(BIN)/lstm-ref example lstm --seed 0

# The whole suite, on every core (pytest-xdist). tests/conftest.py schedules: a page's examples
# stay in one process (one namespace, in page order), as do files that share a costly fixture.
test: torch
	$(BIN)/python -m pytest -n auto --dist loadscope

# A developer's inner loop: everything but the slow and the browser tests (make test runs them).
test-fast: torch
	$(BIN)/python -m pytest -n auto --dist loadscope -m "not slow and not browser"

bench: torch
	$(BIN)/python -m lstm_ref.bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
