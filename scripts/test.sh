#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: unit, integration on
# SQLite and PostgreSQL, and real-browser tests. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# PostgreSQL for the backend-parametrised tests (TEST_POSTGRES_URL overrides).
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  ver=$(ls /etc/postgresql 2>/dev/null | head -1)
  [ -n "$ver" ] && pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
fi
# Redis for the shared-session tests (TEST_REDIS_URL overrides).
if command -v redis-server >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save "" --appendonly no >/dev/null
fi
export ARTIFACTS_DIR=${ARTIFACTS_DIR:-$PWD/artifacts}
mkdir -p "$ARTIFACTS_DIR"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
