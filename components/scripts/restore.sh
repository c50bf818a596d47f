#!/bin/bash
# Restores a backup into the running database, in two steps that run in
# two containers of one pod sharing $BACKUP_DIR: `download` (Google Cloud CLI
# image) fetches the object and checks it; `load` (MySQL image) refuses a
# database with rows in it unless RESTORE_FORCE=true, then loads the dump.
# With RESTORE_VERIFY=true, `load` is a restore drill instead: it loads the
# dump into a scratch database beside the app's, checks each table's rows
# against the dump's first line (backup.sh writes it), and drops it.
#   download: RESTORE_OBJECT (gs://bucket/path)
#   load:     MYSQL_HOST, MYSQL_ROOT_PASSWORD, MYSQL_DATABASE [, RESTORE_FORCE, RESTORE_VERIFY]
set -euo pipefail
dir=${BACKUP_DIR:-/backup}
scratch=""
# The client password file and a drill's scratch database, gone whatever
# happens.
cleanup() {
  if [ -n "$scratch" ]; then
    sql -e "DROP DATABASE IF EXISTS \`$scratch\`" || true
  fi
  rm -f "$dir/.client.cnf"
}
trap cleanup EXIT

# fail says why in the log and the termination message, and exits 3:
# final for the Job (its podFailurePolicy), since a damaged backup does
# not heal on a retry.
fail() {
  echo "restore: $*" >&2
  printf '%s' "$*" > "${TERMINATION_LOG:-/dev/termination-log}" 2>/dev/null || true
  exit 3
}

credentials() {
  umask 077
  printf '[client]\nuser=root\npassword="%s"\n' "$(printf '%s' "$MYSQL_ROOT_PASSWORD" | sed 's/[\\"]/\\&/g')" > "$dir/.client.cnf"
}
sql() { mysql --defaults-extra-file="$dir/.client.cnf" --host="$MYSQL_HOST" --port="${MYSQL_PORT:-3306}" "$@"; }
# tables lists a database's tables.
tables() { sql -N -B -e "SELECT table_name FROM information_schema.tables WHERE table_schema='$1' AND table_type='BASE TABLE'"; }

download() {
  case $RESTORE_OBJECT in
    gs://?*/?*) ;;
    *) echo "restore: RESTORE_OBJECT must be gs://BUCKET/OBJECT, not '$RESTORE_OBJECT'" >&2; exit 2 ;;
  esac
  gcloud storage cp "$RESTORE_OBJECT" "$dir/restore.sql.gz"
  gzip -t "$dir/restore.sql.gz" || fail "$RESTORE_OBJECT is not a whole gzip file (cut off, or not a backup)"
  echo "restore: downloaded $RESTORE_OBJECT ($(wc -c < "$dir/restore.sql.gz") bytes)"
}

load() {
  local table rows=""
  credentials
  if [ "${RESTORE_VERIFY:-false}" = true ]; then
    verify
    return
  fi
  # Which tables hold at least one row (exact, not the statistics).
  for table in $(tables "$MYSQL_DATABASE"); do
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

# verify loads the dump into a scratch database and compares each table's
# rows with the dump's own count; the app's database is not touched.
verify() {
  local file="$dir/restore.sql.gz" header pair table want got counted="" ntables=0 total=0
  if ! gzip -dc "$file" | tail -n 1 | grep -q '^-- Dump completed'; then
    fail "verify failed: the backup is incomplete: it does not end with mysqldump's '-- Dump completed' line (cut off while it was dumped)"
  fi
  header=$(gzip -dc "$file" 2>/dev/null | head -n 1 || true)
  case $header in
    "-- infra-rows:"*) ;;
    *) fail "verify failed: the backup has no row counts on its first line (made before restore drills existed): restore it into a scratch database by hand to check it" ;;
  esac
  scratch="${MYSQL_DATABASE}_verify"
  sql -e "DROP DATABASE IF EXISTS \`$scratch\`; CREATE DATABASE \`$scratch\` CHARACTER SET utf8mb4"
  gunzip -c "$file" | sql "$scratch" || fail "verify failed: the dump does not load into a scratch database (above)"
  for pair in ${header#-- infra-rows:}; do
    table=${pair%=*}
    want=${pair##*=}
    counted="$counted $table "
    got=$(sql -N -B -e "SELECT COUNT(*) FROM \`$scratch\`.\`$table\`" 2>/dev/null) ||
      fail "verify failed: table $table, which the dump counts $want rows of, is not in what it loads"
    if [ "$got" != "$want" ]; then
      fail "verify failed: table $table has $got rows loaded, the dump counts $want"
    fi
    ntables=$((ntables + 1))
    total=$((total + want))
  done
  # Tables the header leaves out had no rows when dumped.
  for table in $(tables "$scratch"); do
    case $counted in *" $table "*) continue ;; esac
    got=$(sql -N -B -e "SELECT COUNT(*) FROM \`$scratch\`.\`$table\`")
    [ "$got" = 0 ] || fail "verify failed: table $table has $got rows loaded, the dump counts none"
    ntables=$((ntables + 1))
  done
  local what="$ntables tables, $total rows"
  [ "$ntables" != 1 ] || what="1 table, $total rows"
  echo "restore: verified: $what loaded into a scratch database as the dump counts them; $MYSQL_DATABASE untouched"
  printf "verified %s" "$what" > "${TERMINATION_LOG:-/dev/termination-log}" 2>/dev/null || true
}

case ${1:-} in
  download) download ;;
  load) load ;;
  *) echo "usage: restore.sh download|load" >&2; exit 2 ;;
esac
