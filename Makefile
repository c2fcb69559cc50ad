# Qingshan 青山 — the two commands in the README are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
MAP    := src/qingshan/web/static/chongqing-districts.json
# The suite runs on both cores (pytest-xdist, one test file per worker) under coverage, whose
# floor (pyproject.toml) is checked at the end; the schemathesis fuzz runs beside it in a
# process of its own (under xdist its per-operation cases are not run one by one), without
# coverage (it hunts server errors and schema mismatches; measured, it doubled its own time
# and pushed make test past 15 minutes), its output shown when both are done. The slowest
# tests are listed (--durations) so that the next budget cut starts from numbers.
FUZZ   := tests/e2e/test_fuzz_api.py
SWAGGER := src/qingshan/web/static/swagger-ui-bundle.js
# Python may write its bytecode caches (__pycache__, ignored by git): with them forbidden, as
# this machine's environment does, every process the tests start (CLI runs, servers killed
# and restarted) compiled the whole package again, about 2.5 s each.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-fast install fonts browser lint typecheck pytest pg bench clean screenshots

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) fonts

# A TrueType CJK font for Chinese text in PDF certificates (embedded as a subset).
fonts:
	@if ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc >/dev/null 2>&1; then :; else \
	  echo "installing fonts-wqy-microhei"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-wqy-microhei; fi

# PostgreSQL server binaries for the integration tests (the suite starts its own throwaway
# server from them); installed from Debian's packages where missing.
pg:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; else \
	  echo "installing PostgreSQL server binaries"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq postgresql-15 || \
	  $(SUDO) apt-get install -y -qq postgresql; fi

demo: install $(MAP) $(SWAGGER)
	$(BIN)/qingshan demo load
	$(BIN)/qingshan serve

# ruff (with a complexity ceiling) and the import contracts of pyproject.toml (the layers of
# docs/architecture.md, the pure domains)
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy --strict src

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "installing chromium"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# Front-end files from the npm registry (axe-core for the accessibility check).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent --ignore-scripts
	touch node_modules/.installed

# District boundaries for the cockpit's map, decoded from the echarts package (npm).
$(MAP): $(STAMP) node_modules/.installed
	$(BIN)/python -m qingshan.web.geo

# Swagger UI for /docs, served by the platform itself (the pages' policy allows no CDN).
$(SWAGGER): node_modules/.installed
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   src/qingshan/web/static/

pytest: install pg browser node_modules/.installed $(MAP) $(SWAGGER)
	rm -f .coverage .coverage.* .fuzz.log .mypy.log
	$(BIN)/python -m pytest $(FUZZ) > .fuzz.log 2>&1 & fuzz=$$!; \
	$(BIN)/mypy --strict src > .mypy.log 2>&1 & types=$$!; \
	COVERAGE_FILE=.coverage $(BIN)/python -m pytest -n 2 --dist loadfile --durations=20 \
	    --ignore=$(FUZZ) --cov --cov-report= --cov-fail-under=0; suite=$$?; \
	wait $$fuzz; fuzzed=$$?; wait $$types; typed=$$?; cat .fuzz.log .mypy.log; \
	[ $$suite -eq 0 ] && [ $$fuzzed -eq 0 ] && [ $$typed -eq 0 ]
	$(BIN)/coverage report --skip-covered

# make test: ruff and the import contracts first (seconds), then the suite with mypy --strict
# and the fuzz beside it (each fails the run)
test: lint pytest

# The edit–test loop: the pure unit tests under Hypothesis's "dev" profile (tests/support/search.py).
test-fast: install
	QINGSHAN_HYPOTHESIS_PROFILE=dev $(BIN)/python -m pytest tests/unit -q -p no:cacheprovider

# docs/img/cockpit.png and docs/img/market.png: the full demo in Chromium (Playwright)
screenshots: install browser $(MAP)
	$(BIN)/python -m tests.support.screenshots

bench: install pg
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python bench/ledger.py

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis
