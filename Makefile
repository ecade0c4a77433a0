# Duiding: the single entry point for running, testing and measuring.
# `make run` and `make test` are all a newcomer needs (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench bytecode swagger-ui nl-design-system migration messages browser-deps pdf-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,postgres]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## bytecode: compile app/ ahead, as pip does for an installed package: where
## PYTHONDONTWRITEBYTECODE is set (as on our CI machines) Python never writes it, and
## every start compiled the ~170 modules of the editable install anew (~0.3 s)
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 app migrations >/dev/null

## run: install, migrate, load the demo municipality on first run, serve on :8000
run: $(STAMP) pdf-deps bytecode
	$(BIN)/duiding db upgrade
	$(BIN)/duiding demo
	$(BIN)/duiding serve --host $(HOST) --port $(PORT)

## test: lint and the whole test suite (browser tests skip without chromium)
test: $(STAMP) browser-deps pdf-deps bytecode lint
	$(BIN)/pytest -q -n 2 --dist loadfile $(PYTEST_ARGS)

## lint: ruff lint and format check, mypy on app/
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## pdf-deps: Pango, the text layout library WeasyPrint writes the report PDF with
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation
pdf-deps:
	@if ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' && ldconfig -p | grep -q 'libpangoft2-1.0.so'; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Pango for the report PDF: apt-get install $(PDF_LIBS)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_LIBS) >/dev/null || \
	  echo "Pango could not be installed: the report PDF will say so; everything else works"; \
	else echo "Pango not found: install $(PDF_LIBS) for the report PDF; everything else works"; fi

## browser-deps: axe-core from the npm registry for the accessibility checks
browser-deps:
	@if command -v npm >/dev/null 2>&1; then \
	  test -f tests/browser/node_modules/axe-core/axe.min.js || \
	  npm install --silent --no-audit --no-fund --prefix tests/browser axe-core@4 >/dev/null; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

## bench: the large-dataset benchmark, ENGINE=both|sqlite|postgresql (appends bench/RESULTS.md)
ENGINE ?= both
bench: $(STAMP) bytecode
	@$(BIN)/python -m bench.run --engine $(ENGINE) $(BENCH_ARGS)

## swagger-ui: refresh Swagger UI for /api/docs from the npm registry, V=version
swagger-ui:
	rm -rf .swagger-ui && mkdir .swagger-ui && cd .swagger-ui && npm pack swagger-ui-dist@$(or $(V),5.35.0)
	tar xzf .swagger-ui/swagger-ui-dist-*.tgz -C .swagger-ui
	cp .swagger-ui/package/swagger-ui-bundle.js .swagger-ui/package/swagger-ui.css .swagger-ui/package/LICENSE .swagger-ui/package/NOTICE .swagger-ui/package/swagger-ui-bundle.js.LICENSE.txt app/static/vendor/swagger-ui/
	sed -i 's|//# sourceMappingURL=.*||' app/static/vendor/swagger-ui/swagger-ui-bundle.js app/static/vendor/swagger-ui/swagger-ui.css
	echo "swagger-ui-dist $$(node -p "require('./.swagger-ui/package/package.json').version") (npm registry), refreshed by make swagger-ui" > app/static/vendor/swagger-ui/VERSION
	rm -rf .swagger-ui

## nl-design-system: refresh the NL Design System components (Utrecht CSS) from the npm registry, V=version
## (only the EUPL-1.2 component CSS: @utrecht/design-tokens is proprietary to Gemeente Utrecht, so
## our theme, app/static/duiding-theme.css, sets the tokens the components read)
nl-design-system:
	rm -rf .nlds && mkdir .nlds && cd .nlds && npm pack @utrecht/component-library-css@$(or $(V),9.0.4)
	tar xzf .nlds/utrecht-component-library-css-*.tgz -C .nlds
	mkdir -p app/static/vendor/utrecht
	cp .nlds/package/dist/index.css app/static/vendor/utrecht/component-library.css
	cp .nlds/package/dist/html.css app/static/vendor/utrecht/html.css
	cp .nlds/package/LICENSE.md app/static/vendor/utrecht/LICENSE.md
	sed -i 's|/\*# sourceMappingURL=.*\*/||' app/static/vendor/utrecht/component-library.css app/static/vendor/utrecht/html.css
	echo "@utrecht/component-library-css $$(node -p "require('./.nlds/package/package.json').version") (npm registry, EUPL-1.2), refreshed by make nl-design-system" > app/static/vendor/utrecht/VERSION
	rm -rf .nlds

## migration: autogenerate a revision from the models, MSG="what changed"
migration: $(STAMP)
	$(BIN)/alembic revision --autogenerate -m "$(MSG)"

## messages: extract translatable strings to app/translations/messages.pot
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location -o app/translations/messages.pot .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/browser/node_modules
