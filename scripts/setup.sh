#!/usr/bin/env bash
# Install everything docgen needs on a fresh Debian/Ubuntu machine: system packages
# (CJK fonts), the Python environment in .venv/ and the project itself. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
apt_packages=$(grep -v '^\s*#' scripts/apt-packages.txt | tr '\n' ' ')
# Debian's own python3 ships venv and ensurepip separately.
"$python" -c 'import venv, ensurepip' 2>/dev/null || apt_packages="$apt_packages python3-venv"
missing=""
for p in $apt_packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "==> 安装系统软件包:$missing"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> 创建 Python 虚拟环境 .venv/"
  "$python" -m venv .venv
fi
stamp=.venv/.docgen-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> 安装 Python 依赖"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[dev]"
  touch "$stamp"
fi

# The persistent PDF converters (unoserver) run under Debian's python3, which can import uno (python3-uno).
if [ ! -x .venv-uno/bin/python ] || ! .venv-uno/bin/python -c 'import uno, unoserver.server' 2>/dev/null; then
  echo "==> 建立 LibreOffice 转换服务环境 .venv-uno/"
  rm -rf .venv-uno
  /usr/bin/python3 -m venv --system-site-packages .venv-uno
  .venv-uno/bin/python -m pip install -q "unoserver>=3.1,<4"
fi
