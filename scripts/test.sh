#!/usr/bin/env bash
# The whole test suite on a fresh machine: a venv, the package installed from this checkout
# (not editable, so the shipped schemas/templates are what is tested), then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q ".[test,server]"
if [ "${CI:-}" = "true" ]; then
  for tool in soffice pdftotext; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "$tool is required in CI: apt-get install -y libreoffice-calc-nogui poppler-utils" >&2
      exit 1
    fi
  done
fi
# run against the installed package, on every core (pytest-xdist): most tests build a workbook
exec .venv/bin/pytest -p no:cacheprovider -n auto "$@"
