#!/bin/bash
# The database backup, in two steps that run in two containers of one pod
# sharing $BACKUP_DIR: `dump` (MySQL image) writes a consistent, compressed
# dump; `upload` (Google Cloud CLI image) copies it to the bucket and checks
# the copy. Any failure exits non-zero, so the Job fails visibly.
#   dump:   MYSQL_HOST, MYSQL_DUMP_USER, MYSQL_DUMP_PASSWORD, MYSQL_DATABASE
#           [, BACKUP_NAME]; the dump account may only read (backup-user.sh)
#   upload: BACKUP_BUCKET [, BACKUP_PREFIX, BACKUP_NEWEST]
set -euo pipefail
dir=${BACKUP_DIR:-/backup}
# The client password file, gone whatever happens.
trap 'rm -f "$dir/.client.cnf"' EXIT

dump() {
  local name=${BACKUP_NAME:-${MYSQL_DATABASE}-$(date -u +%Y%m%dT%H%M%SZ).sql.gz}
  case $name in
    */* | .* | "") echo "backup: bad BACKUP_NAME '$name'" >&2; exit 2 ;;
  esac
  # The password goes through a file only this process reads, never argv.
  local creds="$dir/.client.cnf"
  umask 077
  printf '[client]\nuser=%s\npassword="%s"\n' "$MYSQL_DUMP_USER" "$(printf '%s' "$MYSQL_DUMP_PASSWORD" | sed 's/[\\"]/\\&/g')" > "$creds"
  # --single-transaction: one consistent snapshot of InnoDB tables without
  # locking the app out; --routines and --triggers: the schema's code too;
  # --skip-extended-insert: one INSERT line per row, so the dump's rows
  # can be counted from the dump itself (restores run a little slower);
  # --no-tablespaces: one schema has none to dump, and the account then
  # needs no PROCESS privilege.
  mysqldump --defaults-extra-file="$creds" --host="$MYSQL_HOST" --port="${MYSQL_PORT:-3306}" \
    --single-transaction --no-tablespaces --quick --routines --triggers --hex-blob --skip-extended-insert \
    --default-character-set=utf8mb4 "$MYSQL_DATABASE" | gzip -6 > "$dir/dump.sql.gz"
  # mysqldump ends a complete dump with this line; a cut-off one has none.
  if ! gzip -dc "$dir/dump.sql.gz" | tail -n 1 | grep -q '^-- Dump completed'; then
    echo "backup: the dump of $MYSQL_DATABASE is incomplete" >&2
    exit 1
  fi
  # A first line with the rows of each table, which `restore.sh load`
  # with RESTORE_VERIFY checks a scratch load against. A gzip file may
  # hold several members; gzip -d reads them as one stream.
  local counts
  # shellcheck disable=SC2016 # the backquotes are MySQL's, not the shell's
  counts=$(gzip -dc "$dir/dump.sql.gz" | sed -n 's/^INSERT INTO `\([^`]*\)` VALUES .*/\1/p' | sort | uniq -c |
    while read -r n table; do printf ' %s=%s' "$table" "$n"; done)
  { printf -- '-- infra-rows:%s\n' "$counts" | gzip -6; cat "$dir/dump.sql.gz"; } > "$dir/dump-counted.sql.gz"
  rm "$dir/dump.sql.gz"
  mv "$dir/dump-counted.sql.gz" "$dir/$name"
  printf '%s\n' "$name" > "$dir/name"
  echo "backup: dumped $MYSQL_DATABASE to $name ($(wc -c < "$dir/$name") bytes compressed)"
}

upload() {
  local name object local_crc remote
  name=$(cat "$dir/name")
  object="gs://$BACKUP_BUCKET/${BACKUP_PREFIX:-}$name"
  gzip -t "$dir/$name"
  gcloud storage cp --no-clobber "$dir/$name" "$object"
  # The copy must be the file: same size and CRC32C as stored.
  local_crc=$(gcloud storage hash "$dir/$name" --skip-md5 --format='value(crc32c_hash)')
  remote=$(gcloud storage objects describe "$object" --format='value(size,crc32c_hash)')
  if [ "$remote" != "$(wc -c < "$dir/$name")	$local_crc" ]; then
    echo "backup: $object does not match the dump (stored: $remote)" >&2
    exit 1
  fi
  echo "backup: uploaded $object"
  # One name per database whose newest versions the bucket's lifecycle
  # keeps, so the last backups survive however long the schedule stops.
  if [ -n "${BACKUP_NEWEST:-}" ]; then
    gcloud storage cp "$object" "gs://$BACKUP_BUCKET/$BACKUP_NEWEST"
    echo "backup: copied to gs://$BACKUP_BUCKET/$BACKUP_NEWEST"
  fi
  # What `infra backup` reads back from the pod.
  printf "%s" "$object" > "${TERMINATION_LOG:-/dev/termination-log}" 2>/dev/null || true
}

case ${1:-} in
  dump) dump ;;
  upload) upload ;;
  *) echo "usage: backup.sh dump|upload" >&2; exit 2 ;;
esac
