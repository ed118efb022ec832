#!/usr/bin/env bash
# fixity.sh - `dangan fixity` over a workspace with a store: everything
# intact first (exit 0), then a recorded path changed and a store object
# deleted are both reported (exit 1, text and JSON), each sweep recorded in
# the database (run of stage 'fixity', one fixity_event per copy checked),
# and --last shows the latest.
# usage: fixity.sh DANGAN SAMPLES WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 W=$3
fresh_dir "$W" && mkdir -p "$W/share"
cp "$SAMPLES/s003_reg_clean.jpg" "$W/share/card.jpg"
cp "$SAMPLES/s015_ledger_moderate.tif" "$W/share/ledger.tif"
cp "$SAMPLES/s002_reg_moderate.jpg" "$W/share/other.jpg"
export DANGAN_DB="$W/w.db"
Q() { tl_sql "$W/w.db" "$1"; }

check_exit "ingest --store" 0 "$DANGAN" ingest --store "$W/S" "$W/share"
check_exit "fixity --last before any sweep" 5 "$DANGAN" fixity --last
check_contains "--last: never checked" "$TL_ERR" "never checked"
check_exit "fixity: all intact" 0 "$DANGAN" fixity
check_contains "fixity: 3 files, 6 copies intact" "$TL_OUT" "3 files, 6 copies checked: 6 intact, 0 missing, 0 changed"
check_exit "fixity --json: all intact" 0 "$DANGAN" fixity --json
check_contains "json: counts" "$TL_OUT" '"files":3,"checked":6,"ok":6,"missing":0,"changed":0,"unreadable":0,"not_stored":0,"lost":0,"problems":[]'

# A scan changed on the share, another's store copy deleted.
printf 'x' >> "$W/share/ledger.tif"
card_sha=$(sha256sum "$W/share/card.jpg" | cut -c1-64)
rm "$W/S/${card_sha:0:2}/${card_sha:2:2}/$card_sha.jpeg"
check_exit "fixity: changed and missing" 1 "$DANGAN" fixity
check_contains "text names the changed path" "$TL_OUT" "changed  path"
check_contains "text names the changed file" "$TL_OUT" "$W/share/ledger.tif"
check_contains "text names the missing store object" "$TL_OUT" "missing  store"
check_contains "text: totals" "$TL_OUT" "6 copies checked: 4 intact, 1 missing, 1 changed"
check_exit "fixity --json: changed and missing" 1 "$DANGAN" fixity --json
check_contains "json: counts" "$TL_OUT" '"checked":6,"ok":4,"missing":1,"changed":1,"unreadable":0,"not_stored":0,"lost":0'
check_contains "json: the changed copy's hash" "$TL_OUT" "\"found\":\"$(sha256sum "$W/share/ledger.tif" | cut -c1-64)\""
check_contains "json: missing store object" "$TL_OUT" "\"location\":\"store\",\"path\":\"$W/S/${card_sha:0:2}"
run=$(json_num run "$TL_OUT")
check_exit "fixity --only store" 1 "$DANGAN" fixity --only store --json
check_contains "only the store: one missing" "$TL_OUT" '"checked":3,"ok":2,"missing":1,"changed":0'
check_exit "fixity --only paths" 1 "$DANGAN" fixity --only paths --json
check_contains "only the paths: one changed" "$TL_OUT" '"checked":3,"ok":2,"missing":0,"changed":1'
check_exit "fixity --only nonsense" 2 "$DANGAN" fixity --only both

# Recorded for the auditor.
check_eq "every check recorded" "$(Q "SELECT count(*) FROM fixity_event WHERE run_id = $run")" 6
check_eq "the problems recorded" "$(Q "SELECT group_concat(location || ':' || outcome, ' ') FROM (SELECT * FROM fixity_event WHERE run_id = $run AND outcome <> 'ok' ORDER BY location)")" "path:changed store:missing"
check_eq "the sweep is a finished run" "$(Q "SELECT status FROM run WHERE id = $run")" done
check_exit "fixity --last" 0 "$DANGAN" fixity --last
check_contains "--last: the latest sweep" "$TL_OUT" '"sweep_store":false,"sweep_paths":true'
check_contains "--last: its problem" "$TL_OUT" '"outcome":"changed"'

# Both copies of one file bad: it is lost.
rm "$W/share/card.jpg"
check_exit "fixity: a file with no copy left" 1 "$DANGAN" fixity --json
check_contains "json: lost" "$TL_OUT" '"lost":1'
check_exit "help" 0 "$DANGAN" fixity --help
check_contains "help names --only" "$TL_OUT" "--only store"
finish
