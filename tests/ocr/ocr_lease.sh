#!/usr/bin/env bash
# ocr_lease.sh - pages are claimed before they are read: two `dangan ocr` on
# one workspace read each page once; `ocr --redo` refuses pages whose records
# are loaded (no field->word link left dangling, provenance keeps its OCR
# words); `ocr --retry-failed` reads only the failed pages.
# usage: ocr_lease.sh DANGAN SAMPLES_DIR WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 WORK=$3
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$SAMPLES/s015_ledger_moderate.tif" "$SAMPLES/s003_reg_clean.jpg" "$SAMPLES/s008_reg_clean.jpg" in/

# ---- two processes at once: every page read exactly once ----------------------
"$DANGAN" --db two.db ingest in > /dev/null
total=$(json_num pages_total "$("$DANGAN" --db two.db status --json)")
"$DANGAN" --db two.db ocr --jobs 1 --json > a.json 2> a.err & pa=$!
"$DANGAN" --db two.db ocr --jobs 1 --json > b.json 2> b.err & pb=$!
wait $pa; ea=$?
wait $pb; eb=$?
check_eq "first ocr exit" "$ea" 0 || cat a.err
check_eq "second ocr exit" "$eb" 0 || cat b.err
ra=$(json_num pages_read "$(cat a.json)") rb=$(json_num pages_read "$(cat b.json)")
check_eq "pages read by both together = pages ($ra + $rb)" "$((ra + rb))" "$total"
check_eq "every page read" "$(tl_sql two.db "SELECT count(*) FROM page WHERE state = 'read'")" "$total"
check_eq "one reading per page (ocr runs' page counts)" \
    "$(tl_sql two.db "SELECT sum(json_extract(counts, '\$.pages_read')) FROM run WHERE stage = 'ocr'")" "$total"
check_eq "no lease left" "$(tl_sql two.db "SELECT count(*) FROM page WHERE claim_run IS NOT NULL")" 0
"$DANGAN" --db one.db ingest in > /dev/null
"$DANGAN" --db one.db ocr --jobs 2 > /dev/null
check_eq "as many words as one process reads" "$(tl_sql two.db "SELECT count(*) FROM ocr_word")" \
    "$(tl_sql one.db "SELECT count(*) FROM ocr_word")"

# ---- --redo leaves the pages of loaded records alone ----------------------------
mkdir scans && cp "$SAMPLES/s003_reg_clean.jpg" "$SAMPLES/s009_ledger_clean.jpg" scans/
"$DANGAN" --db run.db run --jobs 2 scans > /dev/null
STUDY=$(tl_sql run.db "SELECT min(study_id) FROM study_source")
need "records loaded ($STUDY)" [ -n "$STUDY" ]
DANGLING="SELECT count(*) FROM field f, json_each(f.words) j
          WHERE NOT EXISTS (SELECT 1 FROM ocr_word w WHERE w.id = j.value)"
check_eq "no dangling field->word link before" "$(tl_sql run.db "$DANGLING")" 0
loaded_pages=$(tl_sql run.db "SELECT count(DISTINCT page_id) FROM record WHERE state = 'loaded'")
pages=$(tl_sql run.db "SELECT count(*) FROM page")
words_before=$(tl_sql run.db "SELECT group_concat(id) FROM ocr_word WHERE page_id IN
                         (SELECT page_id FROM record WHERE state = 'loaded')")
check_exit "ocr --redo: refused pages, exit 1" 1 "$DANGAN" --db run.db ocr --redo --json
check_contains "redo: the loaded pages counted" "$TL_OUT" "\"skipped_loaded\":$loaded_pages,"
check_eq "redo: the other pages re-read" "$(json_num pages_read "$TL_OUT")" "$((pages - loaded_pages))"
check_contains "redo: a clear message" "$TL_ERR" "records are in the archive"
check_eq "no dangling field->word link of a loaded record after --redo" \
    "$(tl_sql run.db "$DANGLING AND f.record_id IN (SELECT id FROM record WHERE state = 'loaded')")" 0
check_exit "extract the re-read pages" 0 "$DANGAN" --db run.db extract
check_eq "no dangling field->word link at all once extracted again" "$(tl_sql run.db "$DANGLING")" 0
check_eq "the loaded pages' words untouched" "$(tl_sql run.db "SELECT group_concat(id) FROM ocr_word
    WHERE page_id IN (SELECT page_id FROM record WHERE state = 'loaded')")" "$words_before"
check_exit "provenance after --redo" 0 "$DANGAN" --db run.db provenance "$STUDY" name
check_contains "provenance keeps its ocr words" "$TL_OUT" "ocr words:"

# ---- --retry-failed reads the failed pages only ---------------------------------
mkdir retry && cp "$SAMPLES/s003_reg_clean.jpg" retry/a.jpg
cp "$SAMPLES/s008_reg_clean.jpg" retry/b.jpg
"$DANGAN" --db retry.db ingest retry/a.jpg retry/b.jpg > /dev/null
cp retry/a.jpg keep.jpg && printf 'x' >> retry/a.jpg # changed since ingest: a fails
check_exit "ocr with a changed scan: exit 1" 1 "$DANGAN" --db retry.db ocr --jobs 1
check_eq "one page failed" "$(tl_sql retry.db "SELECT count(*) FROM page WHERE state = 'failed'")" 1
cp "$SAMPLES/s002_reg_moderate.jpg" retry/c.jpg
"$DANGAN" --db retry.db ingest retry/c.jpg > /dev/null
cp keep.jpg retry/a.jpg
check_exit "ocr --redo --retry-failed" 2 "$DANGAN" --db retry.db ocr --redo --retry-failed
check_exit "ocr --retry-failed" 0 "$DANGAN" --db retry.db ocr --retry-failed --json
check_eq "retry read the failed page only" "$(json_num pages_read "$TL_OUT")" 1
check_eq "the new page is still new" "$(tl_sql retry.db "SELECT count(*) FROM page WHERE state = 'new'")" 1
check_eq "no page failed now" "$(tl_sql retry.db "SELECT count(*) FROM page WHERE state = 'failed'")" 0
finish
