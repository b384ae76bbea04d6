#!/usr/bin/env bash
# Set up (first time) and run every check: ruff, then the whole pytest suite
# (SQLite, PostgreSQL, AppTest, headless Chromium). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/lint-imports --no-cache
# Two workers (pytest-xdist); tests that drive a live server and Chromium share one of them, one at a
# time (tests/conftest.py, group « live-server »), as their delays are measured. `-n 0`: one process.
# --durations=20: every run ends with its 20 slowest steps (the README lists them).
exec .venv/bin/python -m pytest -n 2 --dist loadgroup --durations=20 "$@"
