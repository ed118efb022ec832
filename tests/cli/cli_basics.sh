#!/usr/bin/env bash
# --help everywhere, --version lists the libraries, usage errors exit 2,
# a missing database exits 3, $DANGAN_DB is honoured.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK"

v=$("$DANGAN" --version)
for lib in dangan tesseract leptonica sqlite libxml2 icu; do
    check_contains "--version names $lib" "$v" "$lib"
done
h=$("$DANGAN" --help)
check_eq "--help exit" "$?" 0
for cmd in $(printf '%s\n' "$h" | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1} /^$/{if(on) exit}'); do
    out=$("$DANGAN" "$cmd" --help)
    check_eq "$cmd --help exit" "$?" 0
    check_contains "$cmd --help shows usage" "$out" "usage: dangan $cmd"
    check_eq "help $cmd matches $cmd --help" "$("$DANGAN" help "$cmd")" "$out"
done
"$DANGAN" frobnicate > /dev/null 2>&1
check_eq "unknown command exit" "$?" 2
"$DANGAN" --bogus > /dev/null 2>&1
check_eq "unknown option exit" "$?" 2
"$DANGAN" ingest > /dev/null 2>&1
check_eq "ingest without paths exit" "$?" 2
"$DANGAN" --db nowhere.db status > /dev/null 2> err.txt
check_eq "missing database exit" "$?" 3
check_contains "missing database named" "$(cat err.txt)" "nowhere.db"
check "status does not create a database" [ ! -e nowhere.db ]

cp "$DATA/scans/grey_64x32.png" one.png
DANGAN_DB=env.db "$DANGAN" -q ingest one.png > quiet.txt
check_eq "quiet prints nothing" "$(cat quiet.txt)" ""
check "DANGAN_DB honoured" [ -s env.db ]
"$DANGAN" ingest one.png > /dev/null
check "default database is ./archive.db" [ -s archive.db ]
check_contains "low dpi flagged? (300 dpi fixture is not)" "$("$DANGAN" status --json)" '"low_dpi_pages":0'

# The database holds personal records: owner only, whatever the umask, and
# SQLite gives its -wal and -shm the database's mode.
umask 022
rm -f private.db
"$DANGAN" --db private.db ingest one.png > /dev/null 2>&1
check_eq "database created 0600" "$(stat -c %a private.db)" 600
modes=$(printf 'SELECT count(*) FROM file;\n.shell stat -c %%a private.db-wal private.db-shm\n' |
        tl_sql private.db | tail -n 2 | tr '\n' ' ')
check_eq "-wal and -shm 0600" "$modes" "600 600 "
finish
