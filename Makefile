# limner: `make run` opens the demo project, `make test` runs the whole suite headless.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

NOQT := .venv-noqt
NOQT_STAMP := $(NOQT)/.installed-stamp

.PHONY: run test lint headless bench bench-peers soak clean labelstudio translations

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,vips]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/limner demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# The catalogues: lupdate collects every marked text of the code into the .ts files (new
# texts arrive unfinished, for a translator to fill in with Qt Linguist or an editor), and
# lrelease compiles each .ts into the .qm limner loads. Both are committed, so a fresh clone
# runs translated without this step; tests/app/test_translations.py fails when they lag.
I18N := resources/i18n
LUPDATE := $(VENV)/bin/pyside6-lupdate -extensions py -no-obsolete -locations none -source-language en app widgets models sync
translations: $(STAMP)
	$(LUPDATE) -ts $(I18N)/limner_de.ts $(I18N)/limner_zh_CN.ts
	for ts in $(I18N)/limner_*.ts; do $(VENV)/bin/pyside6-lrelease -silent $$ts -qm $${ts%.ts}.qm; done

# models/ and sync/ tests in a virtualenv without PySide6: a stray Qt import fails here.
# It has no libvips either (no `vips` extra), so the Pillow strip reader is tested alone.
$(NOQT_STAMP): pyproject.toml
	@test -x $(NOQT)/bin/python || $(PYTHON) -m venv $(NOQT)
	$(NOQT)/bin/python -m pip install --quiet --upgrade pip
	$(NOQT)/bin/python tests/headless_requirements.py > $(NOQT)/requirements.txt
	$(NOQT)/bin/python -m pip install --quiet -r $(NOQT)/requirements.txt
	$(NOQT)/bin/python -m pip install --quiet --no-deps -e .
	@touch $(NOQT_STAMP)

headless: $(NOQT_STAMP)
	$(NOQT)/bin/python -c "import importlib.util as u, sys; sys.exit(u.find_spec('PySide6') is not None)"
	$(NOQT)/bin/python -m pytest -q -p no:cacheprovider -W ignore::pytest.PytestConfigWarning tests/models tests/sync

labelstudio:
	bash tests/integration/install_labelstudio.sh

test: $(STAMP) lint headless labelstudio
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

bench: $(STAMP) labelstudio
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.perf.run_bench

# labelme 6.3.1 in its own virtualenv, timed on the same shapes and events as limner.
LABELME := .venv-labelme
LABELME_STAMP := $(LABELME)/.installed-stamp

$(LABELME_STAMP):
	@test -x $(LABELME)/bin/python || $(PYTHON) -m venv $(LABELME)
	$(LABELME)/bin/python -m pip install --quiet labelme==6.3.1
	@touch $(LABELME_STAMP)

bench-peers: $(STAMP) $(LABELME_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.perf.peers

# The reliability suite at length: 200 SIGKILL trials of each kind, the bad inputs, the
# races; it ends with a table of trials, acknowledged edits, lost, integrity failures, tracebacks.
soak: $(STAMP)
	LIMNER_CRASH_TRIALS=200 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider tests/reliability

clean:
	rm -rf $(VENV) $(NOQT) $(LABELME) build *.egg-info .pytest_cache .ruff_cache
