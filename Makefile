# Two entry points: `make demo` scans the bundled samples, `make test` runs the test suite.
# Both create .venv with Python 3.11 and install what they need from PyPI.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    := out

.PHONY: demo test lint samples clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	@mkdir -p $(OUT) && rm -f $(OUT)/samples.jsonl
	$(BIN)/provenance scan samples --generators samples/generators.toml \
		--trust-anchors samples/credentials/ca/test_root.pem \
		--output $(OUT)/samples.jsonl --html $(OUT)/report.html --no-progress; \
	status=$$?; echo "exit code $$status (0 clean, 1 findings, 2 errors)"; \
	echo "HTML report: $(abspath $(OUT)/report.html)"; \
	test $$status -le 1

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check provenance tests bench samples fuzz

samples: $(VENV)/.installed-test
	$(BIN)/python samples/make_credentials.py

clean:
	rm -rf $(VENV) $(OUT) *.egg-info
