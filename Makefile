# Two commands set everything up on a fresh machine:
#   make run   — virtualenv, install, migrate, demo town, serve http://127.0.0.1:8000 (SQLite)
#   make test  — install what tests need (and Debian's chromium when missing), run every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?= -n auto --dist loadgroup

.PHONY: run test install install-dev browser lint format check messages bench bench-load clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) runserver 127.0.0.1:8000

# Debian's chromium and Japanese fonts for the browser tests. Installed when missing and this
# user may (root, or sudo without a password); otherwise the browser tests fail, never skip.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
		if [ "$$SUDO" = none ]; then \
			echo "chromium is missing and cannot be installed here: the browser tests will fail."; \
		else \
			$$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium fonts-noto-cjk; \
		fi; \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

test: install-dev browser lint check
	$(VENV)/bin/pytest $(PYTEST_ARGS)

messages: install-dev
	$(MANAGE) makemessages -l en --ignore=.venv --ignore=tests --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv

bench: install-dev
	$(PY) bench/pages.py

# gunicorn (2 workers) + wrk: every page type cached and uncached, page weight, 10,000 mixed requests.
bench-load: install-dev
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) db.sqlite3 media static_collected .pytest_cache
