# limner: `make run` opens the demo project, `make test` runs the whole suite headless.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench clean labelstudio

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/limner demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .

labelstudio:
	bash tests/integration/install_labelstudio.sh

test: $(STAMP) lint labelstudio
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP) labelstudio
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.perf.run_bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
