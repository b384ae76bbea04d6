#!/usr/bin/env bash
# Set up (first time) and start Café concertation on the embedded SQLite database.
# Extra arguments go to `streamlit run`, e.g. scripts/run.sh --server.port 8502
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# With no organiser password anywhere, the server prints below a one-time link to choose it.
# 0.0.0.0: phones reach the app on the café's network (set CAFE_PUBLIC_BASE_URL to match).
exec .venv/bin/streamlit run serve.py --server.address "${CAFE_SERVER_ADDRESS:-0.0.0.0}" \
  --server.port "${CAFE_SERVER_PORT:-8501}" --server.headless true "$@"
