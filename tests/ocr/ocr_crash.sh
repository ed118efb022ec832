#!/usr/bin/env bash
# kill -9 the ocr stage mid-run, re-run: the database equals a clean run's
# (same pages, lines, words and boxes; no duplicates, no page lost).
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$SAMPLES/s015_ledger_moderate.tif" "$SAMPLES/s003_reg_clean.jpg" "$SAMPLES/s008_reg_clean.jpg" in/

dump() { # everything OCR wrote, in a stable order, without row ids
    local db=$1
    "$DANGAN" --db "$db" export pages --format jsonl | sed 's/"page_id":[0-9]*,//'
    for id in $("$DANGAN" --db "$db" export pages | grep -o '"page_id":[0-9]*' | cut -d: -f2); do
        "$DANGAN" --db "$db" export ocr --page "$id" --format hocr | grep -v "ocr_page' id="
    done
}

"$DANGAN" --db clean.db ingest in > /dev/null
"$DANGAN" --db clean.db ocr --jobs 1 > /dev/null
dump clean.db > clean.txt

"$DANGAN" --db crash.db ingest in > /dev/null
"$DANGAN" --db crash.db ocr --jobs 2 > /dev/null 2>&1 &
pid=$!
# Wait until at least one page is committed, then kill without warning.
for _ in $(seq 1 600); do
    n=$(json_num read "$("$DANGAN" --db crash.db status --json 2>/dev/null)")
    [ -n "$n" ] && [ "$n" -ge 1 ] && break
    sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
mid=$(json_num read "$("$DANGAN" --db crash.db status --json)")
check "killed mid-run (some but not all pages read: $mid)" [ "${mid:-0}" -ge 1 ] && [ "${mid:-0}" -lt 4 ]

"$DANGAN" --db crash.db ocr --jobs 2 > /dev/null
check_eq "re-run exit" "$?" 0
dump crash.db > crash.txt
check "database after crash + re-run equals a clean run" cmp -s clean.txt crash.txt
[ "$TL_FAILS" -eq 0 ] || diff clean.txt crash.txt | head -20
finish
