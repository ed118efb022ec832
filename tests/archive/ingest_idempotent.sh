#!/usr/bin/env bash
# Re-ingesting a tree adds nothing; a renamed copy is an alias, not new pages.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK" && mkdir -p tree/box1 tree/box2
cp "$SAMPLES/s015_ledger_moderate.tif" tree/box1/
cp "$SAMPLES/s003_reg_clean.jpg" tree/box2/card.jpeg
cp "$SAMPLES/s003_reg_clean.truth.json" tree/box2/   # not a scan: skipped

"$DANGAN" --db t.db ingest tree > /dev/null
check_eq "first ingest exit" "$?" 0
first=$("$DANGAN" --db t.db status --json)
check_eq "files" "$(json_num files "$first")" 2
check_eq "pages" "$(json_num pages_total "$first")" 3

"$DANGAN" --db t.db ingest tree > /dev/null
check_eq "second ingest exit" "$?" 0
check_eq "second ingest changes nothing" "$("$DANGAN" --db t.db status --json)" "$first"

cp tree/box2/card.jpeg tree/box1/renamed_copy.jpg     # same bytes, other name
out=$("$DANGAN" --db t.db ingest --json tree)
check_eq "alias recorded" "$(json_num aliases "$out")" 1
check_eq "no new files" "$(json_num files_new "$out")" 0
after=$("$DANGAN" --db t.db status --json)
check_eq "files unchanged by alias" "$(json_num files "$after")" 2
check_eq "pages unchanged by alias" "$(json_num pages_total "$after")" 3
check_eq "alias counted" "$(json_num aliases "$after")" 1

# Format comes from the bytes: a JPEG named .png is still a JPEG page.
cp "$SAMPLES/s008_reg_clean.jpg" tree/misnamed.png
"$DANGAN" --db t.db ingest tree/misnamed.png > /dev/null
check_eq "misnamed file accepted" "$?" 0
check_eq "misnamed file added" "$(json_num files "$("$DANGAN" --db t.db status --json)")" 3
finish
