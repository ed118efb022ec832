#!/usr/bin/env bash
# third.sh - golden cases of the third reader (Tesseract's tessdata 4.0.0
# chi_sim over name boxes, ocr/tess3.c) with the shipped configs/trust.conf:
#  - on s008 both readers read the name 邵建军 and the third confirms it: the
#    name is verified, and without the third reading it waits for review
#    (p just under the name threshold: docs/trust.md);
#  - on s003 the page reader reads 秦国强 and the second reader 龚国强 (the
#    truth); the third sides with 龚国强, which is chosen and more probable
#    than without it.
# Needs the third reader's model (tools/fetch-models.sh): skipped (77)
# with a message when it is absent.
# usage: third.sh DANGAN SAMPLES_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 WORK=$3
. "$(dirname "$0")/../lib/testlib.sh"
fresh_dir "$WORK"
DB="$WORK/a.db"
mkdir -p "$WORK/in"
cp "$SAMPLES/s008_reg_clean.jpg" "$SAMPLES/s003_reg_clean.jpg" "$WORK/in/"

# stage by stage, not `run`: a loaded record is not weighed again
need "ingest two sample cards" "$DANGAN" -q --db "$DB" ingest "$WORK/in"
need "ocr" "$DANGAN" -q --db "$DB" ocr
need "extract" "$DANGAN" -q --db "$DB" extract
if ! "$DANGAN" --db "$DB" reread --json | grep -q '"third":true'; then
    echo "SKIP: the third reader's model is not installed (run tools/fetch-models.sh)"
    exit 77
fi
if ! "$DANGAN" --db "$DB" reread --json | grep -q '"available":true'; then
    echo "SKIP: the second reader's model is not installed (run tools/fetch-models.sh)"
    exit 77
fi
need "normalize" "$DANGAN" -q --db "$DB" normalize
q() { tl_sql "$DB" "$1"; }
# the name field of the card of file $1 (its value, state and p)
fld() {
    q "SELECT f.$2 FROM field f JOIN record r ON r.id = f.record_id JOIN page p ON p.id = r.page_id
       JOIN file fl ON fl.id = p.file_id WHERE f.key = 'name' AND fl.path LIKE '%$1%'"
}
check_eq "the third reader read 邵建军" \
    "$(q "SELECT fr.text FROM field_reading fr JOIN field f ON f.id = fr.field_id JOIN record r ON r.id = f.record_id JOIN page p ON p.id = r.page_id JOIN file fl ON fl.id = p.file_id WHERE fr.reader = 'tess3' AND f.key = 'name' AND fl.path LIKE '%s008%'")" "邵建军"
check_eq "s008: the agreed name" "$(fld s008 value)" "邵建军"
check_eq "s008: the third reading confirms it" \
    "$(fld s008 "evidence ->> '\$.candidates[0].features.agree3'")" "1.0"
check_eq "s008: verified without review" "$(fld s008 state)" "auto"
check_eq "s003: the second reader's 龚国强 chosen over 秦国强" "$(fld s003 value)" "龚国强"
check_eq "s003: with the third reader's vote" \
    "$(fld s003 "evidence ->> '\$.candidates[0].readers'")" '["rec2","tess3"]'
p3=$(fld s003 p)

# the same pages without the third reading
q "DELETE FROM field_reading WHERE reader = 'tess3'"
need "weigh again" "$DANGAN" -q --db "$DB" normalize --redo
check_eq "s008 without it: the name waits for review" "$(fld s008 state)" "review"
check "s003 without it: 龚国强 less probable ($(fld s003 p) < $p3)" \
    awk -v a="$(fld s003 p)" -v b="$p3" 'BEGIN { exit !(a < b) }'
finish
