#!/bin/bash
# Makes, or brings up to date, the MySQL account the backup Job dumps as,
# so that no backup holds the root password. It runs as the MySQL
# container's postStart hook: on a new disk (where it waits for the
# entrypoint to set the root password) and on a disk older than the
# account alike. It never fails the container: if MySQL does not accept
# root in time, it says so and the next backup fails with "Access denied",
# which `infra backup` shows.
#   MYSQL_ROOT_PASSWORD, MYSQL_BACKUP_USER, MYSQL_BACKUP_PASSWORD,
#   MYSQL_DATABASE [, MYSQL_HOST, MYSQL_PORT (else the local socket),
#   BACKUP_USER_TRIES (default 120, 5 s apart)]
set -uo pipefail
user=${MYSQL_BACKUP_USER:-}
db=${MYSQL_DATABASE:-}
pw=${MYSQL_BACKUP_PASSWORD:-}
# Names and the password go into SQL as they are: allow nothing to quote.
for v in "$user" "$db" "$pw"; do
  case $v in
    "" | *[!A-Za-z0-9_]*) echo "backup-user: MYSQL_BACKUP_USER, MYSQL_DATABASE and MYSQL_BACKUP_PASSWORD must be letters, digits and _" >&2; exit 0 ;;
  esac
done
umask 077
creds=$(mktemp "${TMPDIR:-/tmp}/backup-user.XXXXXX")
trap 'rm -f "$creds"' EXIT
printf '[client]\nuser=root\npassword="%s"\n' "$(printf '%s' "$MYSQL_ROOT_PASSWORD" | sed 's/[\\"]/\\&/g')" > "$creds"
client=(mysql --defaults-extra-file="$creds" --batch --skip-column-names)
if [ -n "${MYSQL_HOST:-}" ]; then
  client+=(--host="$MYSQL_HOST" --port="${MYSQL_PORT:-3306}")
else
  client+=(--protocol=socket --socket=/var/run/mysqld/mysqld.sock)
fi
# A server still starting is waited for up to 10 minutes (a new disk is
# initialised first); a server refusing root's password, for 2 (on a new
# disk root has none for a moment): the pod is not ready until this ends.
tries=${BACKUP_USER_TRIES:-120} denied=0
for ((try = 1; try <= tries; try++)); do
  if ! version=$("${client[@]}" -e 'SELECT VERSION()' 2>&1); then
    case $version in
      *"Access denied"*) if ((++denied >= tries / 5 + 1)); then break; fi ;;
    esac
  else
    # mysqldump --single-transaction --no-tablespaces needs SELECT, SHOW
    # VIEW for views and TRIGGER for --triggers; --routines needs
    # SHOW_ROUTINE (MySQL 8.0.20 and later; MariaDB 11.3 names it SHOW
    # CREATE ROUTINE; older MariaDB lists only the account's own routines).
    routines="GRANT SHOW_ROUTINE ON *.* TO '$user'@'%';"
    case $version in
      *MariaDB*) routines="" ;;
    esac
    if "${client[@]}" -e "CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$pw';
ALTER USER '$user'@'%' IDENTIFIED BY '$pw';
GRANT SELECT, SHOW VIEW, TRIGGER ON \`$db\`.* TO '$user'@'%';
$routines"; then
      echo "backup-user: $user may dump $db"
      exit 0
    fi
  fi
  sleep 5
done
echo "backup-user: MySQL did not accept root; the backup account $user is not up to date" >&2
exit 0
