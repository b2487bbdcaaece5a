#!/usr/bin/env bash
# The README's pictures (docs/img/), made by the current code: the service's pages as the browser tests see them,
# and a 请示, a binder's 卷内备考表 and the printed A3B3 workbook of the demo county.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
docgen=.venv/bin/docgen
DOCGEN_SCREENSHOTS="$tmp/shots" .venv/bin/pytest -q -p no:cacheprovider tests/service/test_browser.py \
  -k "dashboard or ding" >/dev/null
$docgen demo "$tmp/demo" >/dev/null
export DOCGEN_WORKSPACE="$tmp/demo"
$docgen render "$tmp/demo/cases.json" --template 远程送教请示 --out "$tmp/请示" --pdf --quiet >/dev/null
$docgen ledgers "$tmp/demo/roster.json" --cases "$tmp/demo/cases.json" --out "$tmp/ledgers" >/dev/null || true
soffice --headless --convert-to pdf --outdir "$tmp/ledgers" "$tmp/ledgers/A3B3_就读台账.xlsx" >/dev/null 2>&1
$docgen assemble "$tmp/demo/cases.json" --evidence "$tmp/demo/evidence" --institutions "$tmp/demo/institutions.json" \
  --out "$tmp/archive" >/dev/null || [ $? -eq 1 ]   # 1: the demo's planted gaps are in the archive, as expected
request="$(find "$tmp/请示" -name '*远程送教请示.pdf' ! -name '*打印*' | sort | head -1)"
note="$(find "$tmp/archive" -path '*叶明宇*' -name '99_卷内备考表.pdf' | head -1)"
ledger="$tmp/ledgers/A3B3_就读台账.pdf"
.venv/bin/python scripts/readme_pictures.py docs/img \
  "工作台.png=$tmp/shots/09-督导工作台-全县.png@1900" \
  "案卷页.png=$tmp/shots/10-丁志强-学校的待办和可出具的文书.png@1500" \
  "案卷打印.png=$tmp/shots/13-丁志强-打印.pdf" \
  "请示.png=$request" "卷内备考表.png=$note" "就读台账.png=$ledger"
