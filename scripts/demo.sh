#!/usr/bin/env bash
# Set everything up (see setup.sh), make the demo county 青石县's workspace in build/demo/, and start the
# county service on it at http://127.0.0.1:8000/ (gunicorn) with the demo loaded: its units, one account per
# unit (printed, fresh passwords every start) and its 24 cases. Ctrl+C stops it. The command-line pipeline on
# the same county is scripts/pipeline.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out=build/demo
echo "==> 生成示例县“青石县”的工作区：$out/"
.venv/bin/docgen demo "$out" > /dev/null
echo "==> 启动县级网页服务（示例县已载入）：在浏览器中打开 http://${DOCGEN_BIND:-127.0.0.1:8000}/ ，用下面任一账号登录"
exec .venv/bin/docgen serve --demo --workspace "$out" --bind "${DOCGEN_BIND:-127.0.0.1:8000}"
