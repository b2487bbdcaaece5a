#!/usr/bin/env bash
# Set everything up (see setup.sh), then run the linter and the test suite — and the service's tests once
# more against a real PostgreSQL cluster made for the run (scripts/with-postgres.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check .
.venv/bin/pytest "$@"
if [ "${DOCGEN_SKIP_POSTGRES:-}" != 1 ]; then
  bash scripts/with-postgres.sh .venv/bin/pytest -q -p no:cacheprovider tests/service
fi
