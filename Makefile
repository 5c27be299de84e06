# Two commands do everything (CONTRACT.md): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.motcua-installed

.PHONY: run test lint format translations migration bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "motcua needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "Install the venv module first: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

run: $(STAMP)
	$(BIN)/motcua run --config $${MOTCUA_CONFIG:-examples/demo-centre.toml} --host $${MOTCUA_HOST:-127.0.0.1} --port $${MOTCUA_PORT:-5000}

# Four pytest workers on the 2-core reference machine (PYTEST_ARGS=-n0: serial): the
# suite mostly waits (hub subprocesses starting, Chromium, sockets, ping timeouts), so two
# workers kept about one core busy; three used about 60% of both cores (pytest 296 s,
# load average 5), four 237 s (load average 8), every test passing.  loadscope sends whole
# modules, so tests that share a module's hub process run in one worker (pytest-xdist's
# loadgroup does not group under pytest 9); modules go out in the order
# tests/conftest.py gives them, the longest first (--no-loadscope-reorder).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q -ra -n 4 --dist loadscope --no-loadscope-reorder --durations=20 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract every user-facing text and update the Vietnamese and English catalogues.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -o kiosk/translations/messages.pot .
	$(BIN)/pybabel update -i kiosk/translations/messages.pot -d kiosk/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d kiosk/translations

migration: $(STAMP)
	$(BIN)/python -c "from kiosk.store.migrate import revision; revision('sqlite:///instance/migration-check.db', '$(m)')"

bench: $(STAMP)
	$(BIN)/python bench/next_to_display.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
