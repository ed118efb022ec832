#!/usr/bin/env bash
# backup_restore.sh - `dangan backup` while another dangan writes, then
# `dangan restore` into a new workspace, compared with the original.
#
# The writer ingests a new scan (a copy of the ledger with a different tail,
# so new bytes) again and again during the backup; the backup is slowed
# (--step 1 --pause 5) so that it spans several of the writer's commits.
# What is compared:
#  - export records and export archive of the restored workspace equal the
#    original's before the writer started (the writer adds scans only);
#  - export pages of the restored workspace is a prefix of the original's
#    after the writer stopped, and the original's before the backup is a
#    prefix of it: the backup is the database at one instant, between the
#    writer's commits, never a mix; every restored file has all its pages;
#  - the restored store holds every scan of the restored database, intact.
# Then: a second backup to the same DEST copies only what is new; damaged
# backups (database copy, a scan, the manifest) are refused and write
# nothing; an existing database is replaced only with --force.
# usage: backup_restore.sh DANGAN SAMPLES WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 W=$3
fresh_dir "$W" && mkdir -p "$W/share" "$W/wr"
cp "$SAMPLES/s015_ledger_moderate.tif" "$W/share/ledger.tif"
O="$W/orig.db" N="$W/new/w.db"
D() { "$DANGAN" --db "$O" "$@"; }
R() { "$DANGAN" --db "$N" "$@"; }
files() { tl_sql "$1" "SELECT count(*) FROM file"; }

D run --store "$W/S" "$W/share" > /dev/null
need "run --store on the ledger (exit $?)" [ -s "$O" ]
check_eq "run --store stored the scan" "$(find "$W/S" -type f | wc -l)" 1
D export records --format jsonl > "$W/records0"
D export archive --format jsonl > "$W/archive0"
D export pages --format jsonl > "$W/pages0"
check "records to compare" [ -s "$W/records0" ]

writer() {
    local i=0
    while [ ! -e "$W/stop" ]; do
        i=$((i + 1))
        { cat "$W/share/ledger.tif"; printf 'writer %06d' "$i"; } > "$W/wr/w$i.tif"
        "$DANGAN" -q --db "$O" ingest "$W/wr/w$i.tif" > /dev/null 2>&1
    done
}
writer & wpid=$!
for _ in $(seq 100); do [ "$(files "$O")" -ge 3 ] && break; sleep 0.1; done
n_before=$(files "$O")
check_exit "backup while the writer runs" 0 D backup --step 1 --pause 5 --json "$W/B"
n_after=$(files "$O")
touch "$W/stop"; wait "$wpid"
check "the writer committed during the backup ($n_before -> $n_after files)" [ "$n_after" -gt "$n_before" ]
D export pages --format jsonl > "$W/pages1"
check_eq "backup files 0600" "$(find "$W/B" -type f ! -perm 600 | wc -l)" 0
check_eq "backup dirs 0700" "$(find "$W/B" -type d ! -perm 700 | wc -l)" 0
check_eq "one database copy in the backup" "$(ls "$W/B" | grep -c '^archive-.*\.db$')" 1

check_exit "restore" 0 "$DANGAN" --db "$N" restore --json "$W/B"
check_contains "restore: the new store" "$TL_OUT" "\"store\":\"$W/new/store\""
check_eq "restored database 0600" "$(stat -c %a "$N")" 600
n_r=$(files "$N")
check "restored files between before and after the backup ($n_before <= $n_r <= $n_after)" \
    [ "$n_r" -ge "$n_before" ] && [ "$n_r" -le "$n_after" ]
check_eq "records equal the original's" "$(R export records --format jsonl)" "$(cat "$W/records0")"
check_eq "archive equals the original's" "$(R export archive --format jsonl)" "$(cat "$W/archive0")"
R export pages --format jsonl > "$W/pagesR"
check_eq "pages before the backup are a prefix of the restored" \
    "$(head -n "$(wc -l < "$W/pages0")" "$W/pagesR")" "$(cat "$W/pages0")"
check_eq "restored pages are a prefix of the original's after the writer" \
    "$(head -n "$(wc -l < "$W/pagesR")" "$W/pages1")" "$(cat "$W/pagesR")"
check_eq "no file without all its pages" \
    "$(tl_sql "$N" "SELECT count(*) FROM file f WHERE page_count <> (SELECT count(*) FROM page WHERE file_id = f.id)")" 0
check_eq "integrity" "$(tl_sql "$N" "PRAGMA integrity_check")" ok
check_exit "restored store intact" 0 R fixity --only store --json
check_contains "every restored file in the new store" "$TL_OUT" "\"files\":$n_r,\"checked\":$n_r,\"ok\":$n_r"
check_exit "restored workspace's store" 0 R store --json
check_contains "restored store setting" "$TL_OUT" "\"dir\":\"$W/new/store\""
check_exit "the restored audit chain verifies" 0 R audit verify

# A second backup to the same DEST copies only the scans added since.
n_final=$(files "$O")
check_exit "second backup" 0 D backup --json "$W/B"
check_contains "incremental" "$TL_OUT" "\"files\":$n_final,\"copied\":$((n_final - n_r)),\"kept\":$n_r,\"missing\":0"
check_eq "the older database copy is gone" "$(ls "$W/B" | grep -c '^archive-.*\.db$')" 1

# Damaged backups are refused, and nothing is written.
flip() { # flip FILE: change one byte in the middle
    local f=$1 off=$(( $(stat -c %s "$1") / 2 )) b
    b=$(dd if="$f" bs=1 skip="$off" count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
    printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
}
cp -a "$W/B" "$W/Bdb" && flip "$W/Bdb"/archive-*.db
check_exit "a damaged database copy is refused" 4 "$DANGAN" --db "$W/bad1/w.db" restore "$W/Bdb"
check_contains "says damaged" "$TL_ERR" "damaged"
check "nothing restored" [ ! -e "$W/bad1/w.db" ]
cp -a "$W/B" "$W/Bscan" && flip "$(find "$W/Bscan/store" -type f | head -n1)"
check_exit "a damaged scan is refused" 4 "$DANGAN" --db "$W/bad2/w.db" restore "$W/Bscan"
check_contains "says changed" "$TL_ERR" "changed"
check "nothing restored" [ ! -e "$W/bad2/w.db" ] && [ ! -e "$W/bad2/store" ]
cp -a "$W/B" "$W/Bman" && rm "$W/Bman/manifest.json"
check_exit "a backup without manifest is refused" 4 "$DANGAN" --db "$W/bad3/w.db" restore "$W/Bman"
cp -a "$W/B" "$W/Bjson" && printf '{"format":"dangan-backup","version":1,"database":{"file":"../../x.db","sha256":"%064d"},"files":[]}' 0 > "$W/Bjson/manifest.json"
check_exit "a manifest naming a path outside is refused" 4 "$DANGAN" --db "$W/bad4/w.db" restore "$W/Bjson"

check_exit "restore over an existing database" 2 R restore "$W/B"
check_contains "says --force" "$TL_ERR" "--force"
check_exit "restore --force" 0 R restore --force "$W/B"
check_eq "the forced restore is the second backup" "$(files "$N")" "$n_final"
# A workspace without a store: the backup takes the scans from their
# recorded paths; one that is gone is listed as missing (exit 1).
mkdir -p "$W/plain"
cp "$SAMPLES/s015_ledger_moderate.tif" "$W/plain/a.tif"
cp "$SAMPLES/s003_reg_clean.jpg" "$W/plain/b.jpg"
P() { "$DANGAN" --db "$W/plain.db" "$@"; }
need "ingest without a store" P ingest "$W/plain"
check_exit "backup of a workspace without a store" 0 P backup --json "$W/PB"
check_contains "both scans from their paths" "$TL_OUT" '"files":2,"copied":2,"kept":0,"missing":0'
rm "$W/plain/b.jpg"
check_exit "backup with a scan gone" 1 P backup --json "$W/PB2"
check_contains "one missing" "$TL_OUT" '"files":2,"copied":1,"kept":0,"missing":1'
check_contains "the manifest lists it" "$(cat "$W/PB2/manifest.json")" "no intact copy"
check_exit "restore of the workspace without a store" 0 "$DANGAN" --db "$W/plainR/w.db" restore "$W/PB"
check_exit "its scans are in the new store" 0 "$DANGAN" --db "$W/plainR/w.db" fixity --only store --json
check_contains "both stored" "$TL_OUT" '"files":2,"checked":2,"ok":2'

check_exit "backup --help" 0 "$DANGAN" backup --help
check_exit "restore without SRC" 2 "$DANGAN" restore
finish
