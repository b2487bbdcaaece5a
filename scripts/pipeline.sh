#!/usr/bin/env bash
# The command-line pipeline on the demo county 青石县, the way its offices would run it without the
# web service: set everything up (see setup.sh), build the demo data, validate the case files, import
# the Excel ledger back into case JSON, issue every document, and check and assemble the county's
# archive as an auditor. Outputs go to build/.
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
echo "==> 为示例县出具全部文书（Word 和 PDF；示例县的工作区是 $out/，全县共用其中的文号登记簿）"
export DOCGEN_WORKSPACE="$out"
$docgen templates check
$docgen templates list --names --source cases | while read -r template; do
  $docgen render "$out/cases.json" --template "$template" --out "build/notices/$template" --pdf --quiet
done
echo "==> 入学通知书：按适龄儿童少年台账，只发给今年应入学（满六周岁入一年级、小学毕业升入初中）的儿童家长"
$docgen templates list --names --source roster | while read -r template; do
  $docgen render "$out/roster.json" --template "$template" --out "build/notices/$template" --date 2022-08-01 --pdf --quiet
done
$docgen numbers list > /dev/null
echo "==> 适龄儿童少年台账（Excel）导入，A3B3 就读台账（分村统计、乡镇合计、巩固率）"
$docgen roster import "$out/roster.xlsx" -o "$out/roster-from-excel.json" --county 青石县 --school-year 2022
$docgen ledgers "$out/roster.json" --cases "$out/cases.json" --out build/ledgers --pdf
echo "==> 2022年9月控辍保学月报表（没有辍学学生的学校出零报告）、开学工作统计报表、待办清单"
$docgen monthly "$out/cases.json" --roster "$out/roster.json" --month 2022-09 --filler 罗晓梅 --out build/monthly --pdf
$docgen term-start "$out/roster.json" --cases "$out/cases.json" --term-start 2022-09-01 --out build/开学工作统计报表.xlsx
$docgen due "$out/cases.json" --date 2022-10-20 --out build/待办清单.xlsx
echo "==> 核查全县档案（示例县预设了缺漏，核查应当把它们全部找出来）"
status=0
$docgen check "$out/cases.json" --evidence "$out/evidence" --institutions "$out/institutions.json" \
  --report build/report || status=$?
[ "$status" -le 1 ] || exit "$status"   # 1 = gaps found, which the demo expects
echo "==> 整理全县迎检档案（一生一案文件夹、封面、卷内目录、案卷 PDF，BagIt 校验）"
status=0
$docgen assemble "$out/cases.json" --evidence "$out/evidence" --institutions "$out/institutions.json" \
  --out build/archive --zip || status=$?
[ "$status" -le 1 ] || exit "$status"   # 1 = the archive holds the planted gaps, as the demo expects
$docgen verify build/archive
echo "==> 完成。示例数据在 $out/，文书在 build/notices/，就读台账在 build/ledgers/，月报表在 build/monthly/，"
echo "    待办清单 build/待办清单.xlsx，核查报告 build/report/核查报告.pdf，档案在 build/archive/（及 build/archive.zip）"
