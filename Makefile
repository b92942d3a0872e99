# assessment-kit: every target does its own set-up on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= demo-output

.PHONY: help install system test jstest check lint typecheck format demo bench app clean

help:
	@echo "make demo    set up, seed a demo mission, score it and export the briefing PDF"
	@echo "make test    set up and run the tests"
	@echo "make check   lint (ruff), types (mypy) and tests"
	@echo "make bench   run the benchmarks in benchmarks/"
	@echo "make app     open the interview notebook as a Voila app"

# The Debian packages come first: installing the package builds its JupyterLab extension,
# which needs Node.js. A change to the extension's sources installs (and builds) again.
$(STAMP): pyproject.toml labextension/package.json labextension/yarn.lock $(wildcard labextension/src/*.ts labextension/style/*) | system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[all,dev]'
	# Register the venv's kernel so notebooks run with this environment's packages.
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (assessment-kit)" >/dev/null
	touch $@

install: $(STAMP)

system:
	@tools/system-packages.sh

test: system install jstest
	$(BIN)/pytest

# The JupyterLab extension's unit tests (jest), with the node packages the lockfile names.
jstest: install
	cd labextension && ../$(BIN)/jlpm install --immutable >/dev/null && ../$(BIN)/jlpm test

lint: install
	$(BIN)/ruff check assessment_kit tests benchmarks
	$(BIN)/ruff format --check assessment_kit tests benchmarks

typecheck: install
	$(BIN)/mypy

check: lint typecheck test

format: install
	$(BIN)/ruff format assessment_kit tests benchmarks
	$(BIN)/ruff check --fix assessment_kit tests benchmarks

demo: system install
	$(BIN)/assessment-kit demo --out $(OUT)

bench: system install
	@for bench in benchmarks/bench_*.py; do \
	  echo "== $$bench"; $(BIN)/python $$bench || exit 1; echo; \
	done

# The interview notebook as a web app; MISSION=path/to/mission.db (default: the demo mission).
MISSION ?= notebooks/freedonia-demo.db
app: install
	ASSESSMENT_KIT_MISSION="$(abspath $(MISSION))" $(BIN)/voila notebooks/02_interview.ipynb \
	  --Voila.ip=127.0.0.1 --port=8866

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache test-artifacts
	rm -rf assessment_kit/labextension labextension/node_modules labextension/lib labextension/.yarn
