#!/usr/bin/env bash
# readonly.sh - the commands that only read (audit verify, audit anchor, log,
# user list, qa report, catalog list) open the database read-only
# (docs/audit.md, "Verifying read-only"):
#  - on a copy taken while a run was going (its run row left `running`, its
#    process gone), they write nothing: the file's bytes and mtime unchanged,
#    its -wal empty (a read-write open would mark the run aborted);
#  - in a directory that cannot be written (chmod 0555, entered as `nobody`
#    through setpriv when the test runs as root, who ignores permissions),
#    verify passes and creates no file; a -wal holding changes there is
#    refused with exit 3, naming it;
#  - on a full disk (a tmpfs, when the test may mount one) verify passes.
# usage: readonly.sh DANGAN SAMPLES WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 W=$3
fresh_dir "$W" && cd "$W"
command -v sqlite3 > /dev/null || { echo "sqlite3 shell not installed"; exit 1; }
cp "$SAMPLES/s003_reg_clean.jpg" scan.jpg
export DANGAN_DB="$W/base.db"
check_exit "ingest" 0 "$DANGAN" -q ingest scan.jpg
printf 'correct horse 1\n' | check_exit "user add" 0 "$DANGAN" user add ursula --role operator
check_exit "a lookup (an access event)" 0 "$DANGAN" lookup --name nobody --operator carol

# a run whose process is gone, as in a copy taken mid-run
sleep 0 & wait; DEAD=$!
tl_sql base.db "INSERT INTO run(stage, version, params, params_hash, started, status, pid, host)
    VALUES ('ocr', 'test', '{}', '', '2026-01-01T00:00:00Z', 'running', $DEAD, '$(uname -n)')"
tl_sql base.db "PRAGMA wal_checkpoint(TRUNCATE)" > /dev/null
fresh_dir copy
cp base.db copy/a.db
SUM=$(sha256sum < copy/a.db) MTIME=$(stat -c %Y.%y copy/a.db)
export DANGAN_DB="$W/copy/a.db"
check_exit "verify the copy" 0 "$DANGAN" audit verify
check_contains "the copy is intact" "$TL_OUT" "intact"
check_exit "anchor" 0 "$DANGAN" audit anchor
check_exit "log" 0 "$DANGAN" log
check_contains "log shows the lookup" "$TL_OUT" carol
check_exit "user list" 0 "$DANGAN" user list
check_contains "user list" "$TL_OUT" ursula
check_exit "qa report" 0 "$DANGAN" qa report
check_exit "catalog list" 0 "$DANGAN" catalog list
check_eq "the copy's bytes unchanged" "$(sha256sum < copy/a.db)" "$SUM"
check_eq "the copy's mtime unchanged" "$(stat -c %Y.%y copy/a.db)" "$MTIME"
check_eq "no write-ahead log written" "$(stat -c %s copy/a.db-wal 2> /dev/null || echo 0)" 0
check_eq "the dead run left as it was" \
    "$(tl_sql -readonly copy/a.db "SELECT status FROM run WHERE pid = $DEAD")" running

# a directory that cannot be written; root ignores permissions, so as root
# the commands run as nobody (the files handed to nobody, the dir 0555)
RO=$(mktemp -d)
as_reader() { "$@"; }
if [ "$(id -u)" = 0 ]; then
    command -v setpriv > /dev/null || { echo "setpriv (util-linux) not installed"; exit 1; }
    as_reader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
fi
on_ro() { # on_ro FILE...: RO holds the files, readable only, in a dir nobody can write
    chmod -R u+w "$RO" && rm -rf "${RO:?}"/* && cp "$@" "$RO"/
    [ "$(id -u)" = 0 ] && chown -R 65534 "$RO"
    chmod 0444 "$RO"/* && chmod 0555 "$RO"
}
on_ro base.db
LIST=$(ls -A "$RO")
need "the directory cannot be written" as_reader test ! -w "$RO"
export DANGAN_DB="$RO/base.db"
check_exit "verify in a read-only directory" 0 as_reader "$DANGAN" audit verify
check_contains "intact there" "$TL_OUT" "intact"
check_exit "log there" 0 as_reader "$DANGAN" log
check_eq "no file made there" "$(ls -A "$RO")" "$LIST"

# changes still in a -wal (copied while a writer had the file open) cannot be
# read without the -shm: refused, naming the -wal
cp base.db walcase.db && mkdir -p "$RO.wal"
tl_sql walcase.db "INSERT INTO run(stage, version, params, params_hash, started, status)
    VALUES ('ocr', 'test', '{}', '', '2026-01-01T00:00:00Z', 'done')" \
    ".shell cp walcase.db walcase.db-wal $RO.wal/"
need "the copied -wal holds changes" [ -s "$RO.wal/walcase.db-wal" ]
on_ro "$RO.wal/walcase.db" "$RO.wal/walcase.db-wal"
export DANGAN_DB="$RO/walcase.db"
check_exit "a -wal with changes, no -shm: refused" 3 as_reader "$DANGAN" audit verify
check_contains "the message names the -wal" "$TL_ERR" "walcase.db-wal"
chmod -R u+w "$RO" && rm -rf "$RO" "$RO.wal"

# a full disk (a tmpfs filled up; mounting needs root: without it this part
# is skipped and says so): verify and log still read the copy
mkdir -p full
if mount -t tmpfs -o size=$(( $(stat -c %s base.db) / 1024 + 64 ))k tmpfs full 2> /dev/null; then
    cp base.db full/
    dd if=/dev/zero of=full/filler bs=4k 2> /dev/null
    export DANGAN_DB="$W/full/base.db"
    check_exit "verify on a full disk" 0 "$DANGAN" audit verify
    check_contains "intact on a full disk" "$TL_OUT" "intact"
    check_exit "log on a full disk" 0 "$DANGAN" log
    umount full
else
    echo "full disk: skipped, cannot mount a tmpfs (not root?)"
fi
finish
