#!/usr/bin/env bash
# kill -9 the ocr stage mid-run: the next command shows the run aborted and
# frees its leases; re-run: the database equals a clean run's (same pages,
# lines, words and boxes; no duplicates, no page lost).
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

# kill -9 the ocr stage once a page is committed.  The crash proves something
# only if OCR was still running: the process dies of the signal (exit 137, not
# a zombie that had finished) and pages are left unread.  If OCR won the race
# (every page read before the kill), try again on a fresh workspace with one
# worker, whose pages are committed one at a time.
crash() { # crash JOBS: ingest into a fresh crash.db, start ocr, kill it mid-run
    rm -f crash.db crash.db-wal crash.db-shm
    "$DANGAN" --db crash.db ingest in > /dev/null
    total=$(json_num pages_total "$("$DANGAN" --db crash.db status --json)")
    "$DANGAN" --db crash.db ocr --jobs "$1" > /dev/null 2>&1 &
    local pid=$! n
    for _ in $(seq 1 1200); do # wait until at least one page is committed
        n=$(json_num read "$("$DANGAN" --db crash.db status --json 2>/dev/null)")
        [ -n "$n" ] && [ "$n" -ge 1 ] && break
        sleep 0.05
    done
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    killed=$?
    mid=$(json_num read "$("$DANGAN" --db crash.db status --json)")
    mid=${mid:-0}
}
mid_run() { [ "$killed" -eq 137 ] && [ "$mid" -ge 1 ] && [ "$mid" -lt "$total" ]; }
for attempt in 1 2 3; do
    crash $((attempt == 1 ? 2 : 1))
    mid_run && break
    echo "attempt $attempt: the kill did not land mid-run (exit $killed, $mid of $total pages read)"
done
check_eq "ocr was still running when killed (died of SIGKILL)" "$killed" 137
check "killed mid-run: some but not all pages read ($mid of $total)" mid_run
# the command after the kill (status, above) saw the run's process gone
check_contains "the killed run is shown aborted by the next command" \
    "$("$DANGAN" --db crash.db status --json)" '"runs":{"ocr aborted":1}'
check_contains "status text names it" "$("$DANGAN" --db crash.db status)" "ocr aborted"
check_eq "its leases are free" "$(tl_sql crash.db "SELECT count(*) FROM page WHERE claim_run IS NOT NULL")" 0

"$DANGAN" --db crash.db ocr --jobs 2 > /dev/null
check_eq "re-run exit" "$?" 0
check_contains "the resumed run finished: none left running" \
    "$("$DANGAN" --db crash.db status --json)" '"runs":{"ocr aborted":1}'
dump crash.db > crash.txt
check "database after crash + re-run equals a clean run" cmp -s clean.txt crash.txt ||
    diff clean.txt crash.txt | head -20
finish
