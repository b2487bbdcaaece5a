#!/usr/bin/env bash
# Set everything up (see setup.sh), then run docgen on the demo county 青石县 the way a
# township office would: build the demo data, validate the case files, import the Excel
# ledger back into case JSON. Outputs go to build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
docgen=.venv/bin/docgen
out=build/demo

echo "==> 生成示例县数据"
$docgen demo "$out"
echo "==> 检查案卷"
$docgen validate "$out/cases.json"
echo "==> 从 Excel 台账导入案卷"
$docgen import "$out/ledger.xlsx" -o "$out/cases-from-ledger.json"
echo "==> 完成。结果在 $out/：cases.json（案卷）、ledger.xlsx（台账）、evidence/（佐证材料）"
