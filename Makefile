# Arms and influence in the Western Balkans: build and test.
#   make book       - set up .venv, validate the data, execute the notebooks, build _build/html
#                     and the runnable bundle _build/html/balkanarms-book.zip
#   make test       - set up .venv and Debian's chromium, run every test tier
#   make test-fast  - the unit tests only (validator, aggregation, claims, charts, map functions)
#   make lab        - open the notebooks in JupyterLab with the project's environment
#                     (students without make: python -m balkanarms lab, see requirements-student.txt)
#   make serve      - serve _build/html on http://127.0.0.1:8000
#   make bench      - time cold and warm builds against executing the notebooks alone
#   make validate   - check the data against datapackage.json and the book's rules
#   make clean      - remove build artefacts (keeps .venv)
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000
# what the browser and handout tests need from Debian, and how the Makefile sees that it is there
BROWSER_PACKAGES := chromium fonts-dejavu-core poppler-utils
DEJAVU ?= /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
# the unit-test tier: everything that needs neither a book build, a browser nor the notebook grid
FAST := not build and not browser and not notebooks and not slow and not environment
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
# Python may cache the package's and the tests' bytecode (in __pycache__, ignored by git) even
# where the environment says not to: otherwise every run, kernel and build compiles them again.
unexport PYTHONDONTWRITEBYTECODE
# Jupyter refuses to run as root unless told (CI and containers run as root)
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: book test test-fast lab serve bench clean validate venv browser-deps

# The pinned environment, then the package itself (editable, so the notebooks import this checkout).
$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps -e .
	@# left behind by older set-ups: a path file and a copied kernel config
	rm -f $(VENV)/lib/python3*/site-packages/balkanarms-repo.pth $(VENV)/etc/ipython/ipython_kernel_config.py
	touch $(STAMP)

# A venv shared with another checkout would import that checkout's package: re-point it here.
venv: $(STAMP)
	@$(PY) -c 'import sys, balkanarms; sys.exit(str(balkanarms.ROOT) != "$(CURDIR)")' || { \
	  echo "the package in $(VENV) is not this checkout's: installing $(CURDIR) (editable)"; \
	  $(PIP) --no-deps -e .; }

validate: venv
	$(PY) -m balkanarms validate

# `balkanarms build` validates the data once, then executes and builds.
book: venv
	$(PY) -m balkanarms build
	@echo "Book built: open _build/html/index.html (or run 'make serve')"

# Debian's chromium and fonts for the browser tests: installed when missing and we may
# (root with apt-get), otherwise stop at once with the one command to run.
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 && test -e $(DEJAVU); then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's $(BROWSER_PACKAGES) for the browser tests"; \
	  apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  command -v chromium >/dev/null 2>&1 || { echo "apt-get ran, but no chromium is on PATH"; exit 1; }; \
	else \
	  echo "make test: the browser tests need Debian's chromium, fonts and poppler-utils. Run once, then make test again:"; \
	  echo "  sudo apt-get install -y $(BROWSER_PACKAGES)"; \
	  exit 1; \
	fi

test: browser-deps venv
	$(PY) -m pytest

# the unit tests need no build: two processes share them (pytest-xdist)
test-fast: venv
	$(PY) -m pytest -n 2 -m "$(FAST)"

lab: venv
	$(VENV)/bin/jupyter lab notebooks/ $(LAB_FLAGS)

serve:
	@test -d _build/html || { echo "no _build/html: run 'make book' first"; exit 1; }
	@echo "Serving the book at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build .jupyter_cache .pytest_cache

bench: venv
	$(PY) -m balkanarms bench

# The teaching kit: the student edition (answers and instructor's notes removed) and the instructor's
# edition, built side by side into _build/student; `make handout` prints the student handout, the role
# briefs and the instructor's copy, and `make slides` the seminar's slide deck (tagged A4 and 16:9 PDFs,
# printed offline by chromium). `make student-env` checks the student route: a fresh venv from
# requirements-student.txt alone, then two chapters executed in it.
.PHONY: student handout slides student-env
student: venv
	$(PY) -m balkanarms.teaching student

handout: venv browser-deps
	$(PY) -m balkanarms.teaching handout
	$(PY) -m balkanarms.teaching slides

slides: venv browser-deps
	@test -f _build/student/html/book/teaching/guide.html || $(PY) -m balkanarms.teaching student
	$(PY) -m balkanarms.teaching slides

student-env: venv
	$(PY) -m pytest tests/test_teaching.py -m environment
