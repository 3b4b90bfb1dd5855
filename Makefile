# Arms and influence in the Western Balkans: build and test.
#   make book   - set up .venv, validate the data, execute the notebooks, build _build/html
#   make test   - set up .venv, run the whole test suite (includes a strict build)
#   make serve  - serve _build/html on http://127.0.0.1:8000
#   make bench  - time cold and warm builds against executing the notebooks alone
#   make clean  - remove build artefacts (keeps .venv)
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8000

.PHONY: book test serve bench clean validate venv

venv: $(STAMP)

$(STAMP): requirements.txt ipython_kernel_config.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	mkdir -p $(VENV)/etc/ipython && cp ipython_kernel_config.py $(VENV)/etc/ipython/
	$(PY) -c "import site; open(site.getsitepackages()[0] + '/balkanarms-repo.pth', 'w').write('$(CURDIR)\n')"
	touch $(STAMP)

validate: $(STAMP)
	$(PY) -m balkanarms validate

book: validate
	$(PY) -m balkanarms build
	@echo "Book built: open _build/html/index.html (or run 'make serve')"

test: $(STAMP)
	$(PY) -m pytest

serve:
	@test -d _build/html || { echo "no _build/html: run 'make book' first"; exit 1; }
	@echo "Serving the book at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build .jupyter_cache .pytest_cache

bench: $(STAMP)
	$(PY) -m balkanarms bench

# The teaching kit: the student edition (solutions and facilitator notes removed) and the
# printable A4 handout (seminar guide, exercises, glossary) printed from it by chromium.
.PHONY: student handout
student: venv
	$(PY) -m balkanarms.teaching student

handout: venv browser-deps
	$(PY) -m balkanarms.teaching handout
