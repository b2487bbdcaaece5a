#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster (Debian's postgresql package): made in a temporary
# folder, started on a private Unix socket, removed afterwards. The command sees DATABASE_URL.
#   bash scripts/with-postgres.sh .venv/bin/pytest tests/service
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dir=$(mktemp -d /tmp/docgen-pg.XXXXXX)
chmod 755 "$dir"
as_postgres() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }
chown postgres "$dir" 2>/dev/null || true
cleanup() {
  as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
as_postgres "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=off -c max_connections=50" start >/dev/null
as_postgres "$bin/createdb" -h "$dir" -U postgres docgen
export DATABASE_URL="postgres://postgres@/docgen?host=$dir"
echo "==> PostgreSQL $("$bin/postgres" --version | awk '{print $3}')（临时库，$dir）"
"$@"
