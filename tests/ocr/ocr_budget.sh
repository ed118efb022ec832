#!/usr/bin/env bash
# Where a page's time goes, the retry budget and the page time limit
# (ocr/meter.c, <budget> in configs/ocr.xml).  Nothing here is timed: the
# checks are on what is counted (steps present, Tesseract reads, retries
# skipped) and on the failure a 1 ms limit gives.
#  - `dangan -v ocr` prints a line per page with its steps and the batch's
#    table, and each page's clean-up log ends with the `times` step;
#  - with retries="0" a page reads no line another way (variants) but
#    inside a faded re-read, and counts them as skipped; with the budget
#    off it makes them and skips none;
#  - with page="0.01" a page with no grid makes its plain reading and no
#    variant after it (the budget is spent), and counts the skips;
#  - with time-limit="0.001" every page fails "over the page time limit of
#    0.001 s", each is tried (the batch goes on: exit 1, the run is done,
#    not aborted), and the same pages read with the shipped limit.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3
CONF="$DATA/../../configs/ocr.xml"
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/faded_cells.jpg" "$DATA/ocr/seal_rows.jpg" in/
"$DANGAN" --db t.db ingest in > /dev/null
need "two pages ingested" test "$(tl_sql t.db 'SELECT count(*) FROM page')" = 2

out=$("$DANGAN" -v --db t.db ocr --jobs 2)
check_eq "ocr -v exit" "$?" 0
check_contains "-v: a line for the first page" "$out" "ocr: faded_cells.jpg p1: "
check_contains "-v: a line for the second page" "$out" "ocr: seal_rows.jpg p1: "
check_contains "-v: the page line names its steps" "$out" " s CPU, "
check_contains "-v: the batch table has a cells row" "$out" $'\ncells '
check_contains "-v: the batch table has a total" "$out" $'\ntotal '
times=$(tl_sql t.db "SELECT json_extract(value, '$.steps.cells.reads') FROM ocr_page,
        json_each(ocr_page.cleanup) WHERE json_extract(value, '$.step') = 'times'" | sort -n)
check "times step: cells read by Tesseract on both pages ($(echo $times))" \
    test "$(echo "$times" | awk '$1 > 0' | wc -l)" -eq 2
check_contains "run log: CPU seconds of the batch" \
    "$(tl_sql t.db "SELECT counts FROM run WHERE stage = 'ocr'")" '"cpu_seconds":'
check_contains "run log: the batch's CPU step by step" \
    "$(tl_sql t.db "SELECT counts FROM run WHERE stage = 'ocr'")" '"cpu_steps":{"'

# variants made (budget off) and skipped (no budget for them)
retries() { # retries DB -> reads of variants, and variants skipped, summed over pages
    tl_sql "$1" "SELECT printf('%d %d',
        coalesce(sum(json_extract(value, '$.steps.variants.reads')), 0),
        coalesce(sum(json_extract(value, '$.steps.variants.skipped')), 0))
        FROM ocr_page, json_each(ocr_page.cleanup) WHERE json_extract(value, '$.step') = 'times'"
}
sed 's|<budget enabled="true"[^/]*/>|<budget enabled="false"/>|' "$CONF" > off.xml
sed 's|<budget enabled="true"[^/]*/>|<budget enabled="true" retries="0"/>|' "$CONF" > zero.xml
check_contains "budget: config switched off" "$(cat off.xml)" '<budget enabled="false"/>'
check_contains "budget: config with no retries" "$(cat zero.xml)" 'retries="0"'
"$DANGAN" --db t.db ocr --redo --jobs 1 --config off.xml > /dev/null
read -r made_off skipped <<< "$(retries t.db)"
check "budget off: variants made ($made_off), none skipped ($skipped)" \
    test "$made_off" -gt 0 -a "$skipped" -eq 0
"$DANGAN" --db t.db ocr --redo --jobs 1 --config zero.xml > /dev/null
# only those inside a faded or lighter re-read are still made (a number's
# eng reading made smaller is part of reading a faded cell)
read -r made skipped <<< "$(retries t.db)"
check "retries=0: fewer variants made ($made against $made_off), the skipped counted ($skipped)" \
    test "$made" -lt "$made_off" -a "$skipped" -gt 0

# the page's budget (<budget page="P">): on a page with no grid the plain
# reading is made first and charged to it; with page="0.01" that alone
# spends the budget, so no phrase is read another way after it (variants)
# and the skips are counted, while the plain reading, what keeps a page
# from reading worse than plainly, and faded re-reads (made on evidence,
# at most one a line) are still made; page="0" bounds nothing.  Counted,
# not timed.
mkdir note && cp "$DATA/ocr/plant_note.png" note/
"$DANGAN" --db n.db ingest note > /dev/null
sed 's|<budget enabled="true"[^/]*/>|<budget enabled="true" retries="4" page="0"/>|' \
    "$CONF" > page0.xml
sed 's|<budget enabled="true"[^/]*/>|<budget enabled="true" retries="4" page="0.01"/>|' \
    "$CONF" > page001.xml
check_contains "page budget: config with page=0.01" "$(cat page001.xml)" 'page="0.01"'
steps() { # steps DB -> variants read, faded read, variants skipped, floor read, pool, spent
    tl_sql "$1" "SELECT printf('%d %d %d %d %d %d',
        coalesce(json_extract(value, '$.steps.variants.reads'), 0),
        coalesce(json_extract(value, '$.steps.faded.reads'), 0),
        coalesce(json_extract(value, '$.steps.variants.skipped'), 0),
        coalesce(json_extract(value, '$.steps.floor.reads'), 0),
        json_extract(value, '$.budget.pool'), json_extract(value, '$.budget.spent'))
        FROM ocr_page, json_each(ocr_page.cleanup) WHERE json_extract(value, '$.step') = 'times'"
}
"$DANGAN" --db n.db ocr --jobs 1 --config page0.xml > /dev/null
read -r var0 fad0 skip0 floor0 pool0 spent0 <<< "$(steps n.db)"
check "page=0: the note's phrases read other ways ($var0 variants), none skipped ($skip0)" \
    test "${var0:-0}" -gt 0 -a "${skip0:-1}" -eq 0
check_eq "page=0: no page pool" "${pool0:-}" 0
"$DANGAN" --db n.db ocr --redo --jobs 1 --config page001.xml > /dev/null
read -r var fad skip floor pool spent <<< "$(steps n.db)"
check "page=0.01: the plain reading made ($floor) and charged ($spent of $pool)" \
    test "${floor:-0}" -eq 1 -a "${pool:-0}" -gt 0 -a "${spent:-0}" -ge "${pool:-1}"
check "page=0.01: no variant after the budget is spent ($var; faded re-reads: $fad of $fad0)" \
    test "${var:-1}" -eq 0 -a "${fad:-1}" -eq "${fad0:-0}"
check "page=0.01: the variants left out are counted ($skip)" test "${skip:-0}" -gt 0

# the page time limit
sed 's|<budget enabled="true"[^/]*/>|<budget enabled="true" retries="4" time-limit="0.001"/>|' \
    "$CONF" > tiny.xml
check_contains "time limit: config with 1 ms" "$(cat tiny.xml)" 'time-limit="0.001"'
check_exit "time limit: the batch ends partial (exit 1), not stopped" 1 \
    "$DANGAN" --db t.db ocr --redo --jobs 1 --config tiny.xml
check_eq "time limit: both pages failed with the reason" \
    "$(tl_sql t.db "SELECT count(*) FROM page WHERE state = 'failed'
                     AND error = 'over the page time limit of 0.001 s'")" 2
check_eq "time limit: the run is done, not failed" \
    "$(tl_sql t.db "SELECT status FROM run WHERE stage = 'ocr' ORDER BY id DESC LIMIT 1")" done
"$DANGAN" --db t.db ocr --redo --jobs 2 > /dev/null
check_eq "shipped limit: both pages read" "$?" 0
check_eq "shipped limit: no page failed" \
    "$(tl_sql t.db "SELECT count(*) FROM page WHERE state = 'failed'")" 0
finish
