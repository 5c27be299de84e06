#!/bin/sh
# PostgreSQL backup and restore for motcua.
#   deploy/backup.sh backup  [DIR]          dump to DIR/motcua-YYYYmmdd-HHMM.dump (custom format)
#   deploy/backup.sh restore FILE           restore into the database of MOTCUA_DATABASE_URL
# Run from cron at lunch break and after closing, e.g.
#   30 12,18 * * 1-6  motcua  /opt/motcua/deploy/backup.sh backup /var/backups/motcua
set -eu
. /etc/motcua/motcua.env 2>/dev/null || true
URL="${MOTCUA_DATABASE_URL:?set MOTCUA_DATABASE_URL}"
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
    pg_restore --clean --if-exists --no-owner --single-transaction --dbname="$URL" "$FILE" ;;
  *) echo "usage: $0 backup [DIR] | restore FILE" >&2; exit 2 ;;
esac
