# `make demo` scans the bundled samples, `make test` runs the whole test suite, `make test-fast`
# the in-process tests (under a minute), `make check` lint + types + the fast tests.
# Each creates $(VENV) (default .venv, Python 3.11) and installs what it needs from PyPI,
# pinned by CONSTRAINTS (default constraints.txt, as in CI: the thresholds were calibrated on
# those OpenCV / PyAV / numpy / onnxruntime builds); `CONSTRAINTS=` installs the newest
# releases the package allows, to try them.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
CONSTRAINTS ?= constraints.txt
PIP_C  := $(if $(CONSTRAINTS),-c $(CONSTRAINTS))
FAST   := not e2e and not slow and not needs_chromium
BIN    := $(VENV)/bin
OUT    := out

.PHONY: demo test test-fast lint format types check constraints samples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_C) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/pip install --quiet $(PIP_C) -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet $(PIP_C) -e '.[test,dev]'
	touch $@

demo: $(VENV)/.installed
	@mkdir -p $(OUT) && rm -f $(OUT)/samples.jsonl
	$(BIN)/provenance scan samples --generators samples/generators.toml \
		--trust-anchors samples/credentials/ca/test_root.pem \
		--output $(OUT)/samples.jsonl --html $(OUT)/report.html --no-progress; \
	status=$$?; echo "exit code $$status (0 clean, 1 findings, 2 errors)"; \
	if [ $$status -gt 1 ] || [ ! -s $(OUT)/samples.jsonl ] || [ ! -s $(OUT)/report.html ]; then \
		echo "make demo FAILED: the scan crashed or wrote no reports (a crash exits 1 too)" >&2; \
		exit 1; \
	fi; \
	echo "HTML report: $(abspath $(OUT)/report.html)"

# pytest writes its JUnit file last: a missing one means the run ended early (a test that
# ended the process with exit code 0 would otherwise pass for the whole suite).
FINISHED = test -s $(VENV)/junit.xml || { echo "error: pytest ended before its summary" >&2; exit 1; }

test: $(VENV)/.installed-test
	@rm -f $(VENV)/junit.xml
	$(BIN)/python -m pytest -q --junitxml=$(VENV)/junit.xml
	@$(FINISHED)

test-fast: $(VENV)/.installed-test
	@rm -f $(VENV)/junit.xml
	$(BIN)/python -m pytest -q -m "$(FAST)" --junitxml=$(VENV)/junit.xml
	@$(FINISHED)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .

types: $(VENV)/.installed-dev
	$(BIN)/mypy

check: lint types test-fast

# Re-pin constraints.txt to what $(VENV) has installed (then re-run the benchmarks).
constraints: $(VENV)/.installed-dev
	{ grep '^#' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

samples: $(VENV)/.installed-test
	$(BIN)/python samples/make_credentials.py

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
