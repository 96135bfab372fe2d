#!/usr/bin/env bash
# Set up (if needed), create the embedded SQLite database with demo data on
# first run, and serve the dashboard on http://127.0.0.1:8050/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/csat init-db
.venv/bin/csat demo --if-empty --responses "${DEMO_RESPONSES:-20000}"
echo "sign in as executive (or admin, head.lending, head.harbour, team.harbour) with password demo-password"
exec .venv/bin/csat serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8050}"
