# Two commands on a fresh machine: `make run` and `make test` (see README.md).
VENV ?= .venv
BIN := $(VENV)/bin
DEV := HAVEN_ENV=development
PORT ?= 5000

.PHONY: run test install translations assets messages chromium mutants

$(BIN)/activate:
	python3 -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

translations: install
	$(BIN)/pybabel -q compile -d translations

## What the browser is served: pwa/src built into pwa/dist.
assets: install
	$(BIN)/python -m webapp.assets

## After changing user-facing strings: refresh the template and every catalog, then translate.
messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o translations/messages.pot .
	$(BIN)/pybabel -q update -i translations/messages.pot -d translations \
		--no-fuzzy-matching --ignore-obsolete

## Haven on its embedded defaults: SQLite in instance/, console SMS and voice, demo data, printed
## logins; the outbox worker runs beside the web server (its alerts are printed too).
run: translations assets
	$(DEV) $(BIN)/flask --app webapp db upgrade
	$(DEV) $(BIN)/flask --app webapp seed --demo
	$(DEV) $(BIN)/flask --app webapp logins --url http://127.0.0.1:$(PORT)/
	$(DEV) $(BIN)/flask --app webapp outbox work & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
		$(DEV) $(BIN)/flask --app webapp run --port $(PORT)

## Chromium for the browser tests: Debian's package where we are root, else Playwright's own.
chromium: install
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else $(BIN)/playwright install chromium; fi

## Everything the tests need, then the whole suite, spread over every core.
test: translations assets chromium
	$(BIN)/pytest -n auto

## Mutation testing of the security-critical modules (bench/mutants.toml); not part of `make test`.
mutants: translations assets
	$(BIN)/python -m pip install -q -e '.[test,mutants]'
	$(BIN)/python bench/mutants.py
