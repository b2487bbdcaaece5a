#!/usr/bin/env bash
# The README's pictures of the service (docs/img/), taken from the current code by the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
shots="$(mktemp -d)"
trap 'rm -rf "$shots"' EXIT
DOCGEN_SCREENSHOTS="$shots" .venv/bin/pytest -q -p no:cacheprovider tests/service/test_browser.py \
  -k "dashboard or ding" >/dev/null
.venv/bin/python scripts/readme_pictures.py "$shots" docs/img
