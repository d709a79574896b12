# medai-course: every target creates the virtual environment when it is missing.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.medai-installed
CHAPTERS := $(notdir $(wildcard solutions/[0-9][0-9]_*))
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: lab instructor-lab book test test-fast release check-env clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v <= (3, 12) else "medai-course needs Python 3.10 to 3.12; found %d.%d: set PYTHON=python3.11" % v)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# The student Lab reads this config folder too (before the environment's, after ~/.jupyter, which
# is never changed): it switches off nbgrader's instructor extensions. See jupyter-config/README.md.
STUDENT_CONFIG := $(abspath jupyter-config/student)

## lab: install if needed, then open JupyterLab on the course notebooks (student mode: no
## formgrader, course list or create-assignment; nbgrader's Validate stays)
lab: $(STAMP)
	JUPYTER_CONFIG_PATH=$(STUDENT_CONFIG)$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH)) \
		$(BIN)/jupyter lab --ServerApp.root_dir=course $(ALLOW_ROOT)

## instructor-lab: JupyterLab on the whole checkout with every nbgrader extension (formgrader,
## create assignment, course list); nbgrader_config.py here makes solutions/ the source
instructor-lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ALLOW_ROOT)

## test: install if needed, then run the whole suite offline (unit, notebooks, nbgrader, mutants).
## Each solutions notebook runs once, under nbval, where every check must earn full marks.
test: $(STAMP)
	MEDAI_OFFLINE=1 MEDAI_FAST=1 MEDAI_REQUIRE_FULL_MARKS=1 $(BIN)/python -m pytest -p no:cacheprovider \
		--nbval-lax tests solutions

## test-fast: units and the mutant catalogues; no whole notebooks, no nbgrader, no model training
test-fast: $(STAMP)
	MEDAI_OFFLINE=1 MEDAI_FAST=1 $(BIN)/python -m pytest -p no:cacheprovider -m "not slow" -q tests

## release: regenerate course/ from solutions/ with nbgrader (course/ is never edited by hand),
## and the bundle the public checks use where a class has no solutions/ (autograder/bundle/)
release: $(STAMP)
	@set -e; db=$$(mktemp -d)/gradebook.db; for chapter in $(CHAPTERS); do \
		$(BIN)/nbgrader generate_assignment $$chapter --force --CourseDirectory.db_url=sqlite:///$$db; \
	done
	MEDAI_OFFLINE=1 $(BIN)/medai bundle $(CHAPTERS)

## book: the course as a static HTML site (Jupyter Book 1, offline) in build/book/_build/html:
## every chapter executed from solutions/ but shown with the student stubs (never an answer).
## The first build executes every notebook (long: see the README); later ones reuse the
## executed notebooks that did not change (build/book/executed).
book: $(STAMP)
	@$(BIN)/python -c 'import jupyter_book, jupyter_server_mathjax' 2>/dev/null \
		|| $(BIN)/python -m pip install --quiet -e '.[book]'
	MEDAI_OFFLINE=1 $(BIN)/python book/build.py --out build/book

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
