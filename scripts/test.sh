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
.venv/bin/python -m pip install -q ".[test]"
if [ "${CI:-}" = "true" ] && ! command -v soffice >/dev/null 2>&1; then
  echo "LibreOffice (soffice) is required in CI: apt-get install -y libreoffice-calc-nogui" >&2
  exit 1
fi
# run against the installed package, on every core (pytest-xdist): most tests build a workbook
exec .venv/bin/pytest -p no:cacheprovider -n auto "$@"
