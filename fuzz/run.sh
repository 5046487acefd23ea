#!/usr/bin/env bash
# Run one fuzz target (or all) for SECONDS each: fuzz/run.sh TARGET|all SECONDS [--keep-going]
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
exec nice -n "${FUZZ_NICE:-19}" "$PY" -m fuzz.run "$@"
