#!/usr/bin/env bash
# Set up (first time) and run every check: ruff, then the whole pytest suite
# (SQLite, PostgreSQL, AppTest, headless Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
