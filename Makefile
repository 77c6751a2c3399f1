# Two commands for users: `make run` (the app on the bundled sample) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tested versions (pip constraints): CI installs what the tests passed with.
LOCK := requirements-lock.txt
# Stamp files make re-installs happen only when pyproject.toml or the lock changes.
INSTALLED := $(VENV)/.installed
DEV_INSTALLED := $(VENV)/.dev-installed

.PHONY: run test lint bench lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The app needs the [app] extra (Streamlit, Altair) besides the library.
$(INSTALLED): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[app]"
	touch $@

# Everything: the app, Dask, and the tests' references and tools ([dev]).
$(DEV_INSTALLED): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c $(LOCK) -e ".[dev]"
	touch $(INSTALLED) $@

run: $(INSTALLED)
	$(BIN)/streamlit run app.py --server.port 8501 --server.headless true --browser.gatherUsageStats false

lint: $(DEV_INSTALLED)
	$(BIN)/ruff check .

test: $(DEV_INSTALLED)
	$(BIN)/python -m pytest -q -n 2

bench: $(DEV_INSTALLED)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# After a tested upgrade: record the working environment's versions (wfm itself left out).
lock: $(DEV_INSTALLED)
	@{ sed -n '/^#/p' $(LOCK); $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^wfm=='; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
