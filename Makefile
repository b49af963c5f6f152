# Two commands do all the set-up: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
# Pango/HarfBuzz for WeasyPrint (libharfbuzz-subset0: without it font subsetting is ~50x
# slower), CJK fonts, pdftoppm/pdftotext, gettext to compile the translations, and
# chromium for the browser tests.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-ukai \
	poppler-utils gettext chromium
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))

.PHONY: demo test setup system-packages lint format messages drill bench-smoke

demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 — log in with a demo login above (Ctrl-C stops)."
	$(PY) manage.py runserver 127.0.0.1:8000

# One pytest-xdist worker per core (PYTEST_XDIST_AUTO_NUM_WORKERS=n to choose), each with
# its own test database, broker queue and Celery worker (tests/conftest.py); a worker that
# finishes its tests is handed the next. PYTEST_ARGS adds to it:
# `make test PYTEST_ARGS="-n0 -x tests/test_flow.py"` runs in one process.
XDIST ?= -n auto --dist load
test: setup
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

# Fault drills against throwaway PostgreSQL, Redis and SMTP servers of their own (bench/README.md).
drill: setup
	$(PY) bench/drill.py

# Every bench/ script in its small mode, as CI runs them: that each still runs on today's
# schema and prints its figures; no timing asserted. A throwaway database,
# qiaowei_bench_smoke, on the machine's PostgreSQL, dropped at the end (bench/README.md).
bench-smoke: setup
	$(PY) bench/smoke.py

setup: system-packages $(VENV)/.installed $(MO_FILES) var/fonts/.built

# GB2312-trimmed print fonts from the system Noto CJK faces (documents/fonts.py), built once.
var/fonts/.built: documents/fonts.py $(VENV)/.installed
	$(PY) manage.py build_print_fonts --force
	touch $@

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages: $$missing"; \
			apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
		else \
			echo "Missing system packages. Run, then try again:"; \
			echo "  sudo apt-get install -y $$missing"; exit 1; \
		fi; \
	fi

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

%.mo: %.po
	msgfmt --check -o $@ $<

# The layers (.importlinter); --no-cache leaves no .import_linter_cache in the tree.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# After changing interface text: collect the messages into both Chinese catalogues, then
# translate the new ones in locale/zh_Hans/LC_MESSAGES/django.po and run `make messages`
# again (or `manage.py traditional_catalogue`): the Traditional catalogue, zh_Hant, is made
# from the Simplified one, keeping the entries a person edited there (the command says how).
# Tests fail while a message is untranslated in either, or zh_Hant lags behind zh_Hans.
messages: setup
	$(PY) manage.py makemessages -l zh_Hans -l zh_Hant --ignore=.venv --ignore=var --ignore=test-artifacts
	$(PY) manage.py traditional_catalogue
