#!/bin/sh
# PostgreSQL backup and restore for motcua.
#   deploy/backup.sh backup  [DIR]          dump to DIR/motcua-YYYYmmdd-HHMM.dump (custom format)
#   deploy/backup.sh restore FILE           restore into the database of MOTCUA_DATABASE_URL
# Run from cron at lunch break and after closing, e.g.
#   30 12,18 * * 1-6  motcua  /opt/motcua/deploy/backup.sh backup /var/backups/motcua
set -eu
# MOTCUA_DATABASE_URL from the environment, else from the centre's env file.  (In dash,
# Debian's sh, a failing `.` ends the script whatever follows it: test first.)
ENV_FILE="${MOTCUA_ENV_FILE:-/etc/motcua/motcua.env}"
if [ -z "${MOTCUA_DATABASE_URL:-}" ] && [ -r "$ENV_FILE" ]; then
  . "$ENV_FILE"
fi
if [ -z "${MOTCUA_DATABASE_URL:-}" ]; then
  echo "backup.sh: set MOTCUA_DATABASE_URL or make $ENV_FILE readable" >&2
  exit 2
fi
URL="$MOTCUA_DATABASE_URL"
URL="$(echo "$URL" | sed 's#^postgresql+psycopg2://#postgresql://#')"
case "${1:-}" in
  backup)
    DIR="${2:-/var/backups/motcua}"; mkdir -p "$DIR"
    FILE="$DIR/motcua-$(date +%Y%m%d-%H%M).dump"
    pg_dump --format=custom --no-owner --file="$FILE" "$URL"
    find "$DIR" -name 'motcua-*.dump' -mtime +60 -delete
    echo "$FILE" ;;
  restore)
    FILE="${2:?usage: $0 restore FILE}"
    # Stop the hubs and the device worker first (systemctl stop 'motcua@*' motcua-devices):
    # a ticket issued during the restore would be lost with the old tables.
    echo "restoring $FILE into the database of MOTCUA_DATABASE_URL" >&2
    pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$URL" "$FILE" ;;
  *) echo "usage: $0 backup [DIR] | restore FILE" >&2; exit 2 ;;
esac
