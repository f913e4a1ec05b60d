# make run  — install (first time) and start the bot; sandbox mode when TELEGRAM_BOT_TOKEN is unset
# make test — install dev tools (first time), then ruff, mypy and the whole pytest suite
# make screenshot — remake docs/web-chat.png, the README's picture of the web chat (needs chromium)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint typecheck pytest chromium clean bench screenshot

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "safetynet needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.python-ok
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: $(VENV)/.installed
	$(BIN)/safetynet run $(ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The browser test drives Debian's chromium; install it when we can, and say so when we cannot.
CHROMIUM := /usr/bin/chromium
APT_CHROMIUM := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		echo "installing Debian's chromium for the browser test (apt-get)..." && \
		{ $(APT_CHROMIUM) >/dev/null 2>&1 || \
		  { apt-get update -qq >/dev/null 2>&1 && $(APT_CHROMIUM) >/dev/null 2>&1; }; } && \
		[ -x $(CHROMIUM) ]; then :; \
	else echo "note: $(CHROMIUM) is missing and could not be installed (apt-get install chromium, as root); the browser test will be skipped"; fi

pytest: $(VENV)/.installed-dev chromium
	$(BIN)/pytest

test: lint typecheck pytest

screenshot: $(VENV)/.installed-dev chromium
	$(BIN)/python -m tests.browser.screenshot --out docs/web-chat.png

# make bench — quick benchmarks (under 2 minutes); make bench FULL=1 — the issue's full scale
bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks $(if $(FULL),--full,)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
