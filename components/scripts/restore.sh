#!/bin/bash
# Restores a backup into the running database, in two steps that run in
# two containers of one pod sharing $BACKUP_DIR: `download` (Google Cloud CLI
# image) fetches the object and checks it; `load` (MySQL image) refuses a
# database with rows in it unless RESTORE_FORCE=true, then loads the dump.
#   download: RESTORE_OBJECT (gs://bucket/path)
#   load:     MYSQL_HOST, MYSQL_ROOT_PASSWORD, MYSQL_DATABASE [, RESTORE_FORCE]
set -euo pipefail
dir=${BACKUP_DIR:-/backup}
# The client password file, gone whatever happens.
trap 'rm -f "$dir/.client.cnf"' EXIT

download() {
  case $RESTORE_OBJECT in
    gs://?*/?*) ;;
    *) echo "restore: RESTORE_OBJECT must be gs://BUCKET/OBJECT, not '$RESTORE_OBJECT'" >&2; exit 2 ;;
  esac
  gcloud storage cp "$RESTORE_OBJECT" "$dir/restore.sql.gz"
  gzip -t "$dir/restore.sql.gz"
  echo "restore: downloaded $RESTORE_OBJECT ($(wc -c < "$dir/restore.sql.gz") bytes)"
}

load() {
  local creds="$dir/.client.cnf" tables table rows=""
  umask 077
  printf '[client]\nuser=root\npassword="%s"\n' "$(printf '%s' "$MYSQL_ROOT_PASSWORD" | sed 's/[\\"]/\\&/g')" > "$creds"
  sql() { mysql --defaults-extra-file="$creds" --host="$MYSQL_HOST" --port="${MYSQL_PORT:-3306}" "$@"; }
  # Which tables hold at least one row (exact, not the statistics).
  tables=$(sql -N -B -e "SELECT table_name FROM information_schema.tables WHERE table_schema='$MYSQL_DATABASE' AND table_type='BASE TABLE'")
  for table in $tables; do
    if [ "$(sql -N -B -e "SELECT EXISTS(SELECT 1 FROM \`$MYSQL_DATABASE\`.\`$table\`)")" = 1 ]; then
      rows="$rows $table"
    fi
  done
  if [ -n "$rows" ] && [ "${RESTORE_FORCE:-false}" != true ]; then
    echo "restore: refused: $MYSQL_DATABASE is not empty (rows in:$rows); restoring replaces those tables, rerun with --force to do so" >&2
      exit 3
  fi
  # The dump drops and recreates each table it holds.
  gunzip -c "$dir/restore.sql.gz" | sql "$MYSQL_DATABASE"
  echo "restore: loaded into $MYSQL_DATABASE"
  printf "restored into %s" "$MYSQL_DATABASE" > "${TERMINATION_LOG:-/dev/termination-log}" 2>/dev/null || true
}

case ${1:-} in
  download) download ;;
  load) load ;;
  *) echo "usage: restore.sh download|load" >&2; exit 2 ;;
esac
