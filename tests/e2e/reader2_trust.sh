#!/usr/bin/env bash
# reader2_trust.sh - the line reader on keeps the trust stage's readers
# independent.  tests/data/ocr/rule_free_card.png (drawn by
# tests/ocr/draw_rule_free_card.sh): a card without rules whose values'
# 蕉 chi_sim misreads and PP-OCRv4 reads right.  Read with
# <reader2 lines="cjk">, the page's lines hold the second reader's text
# (王美蕉), each such line keeps Tesseract's own reading (ocr_line.tess), and
# the fields are extracted from it: every field's text, confidence, box and
# trust evidence are what they are with lines="none", so the second reader's
# re-read of a name box is weighed against Tesseract's reading, never
# against its own.  Skipped (77) without the model (tools/fetch-models.sh).
# usage: reader2_trust.sh DANGAN DATA_DIR CONFIGS_DIR WORKDIR SRC
set -u
DANGAN=$1 DATA=$2 CONFIGS=$3 WORK=$4 SRC=$5
. "$(dirname "$0")/../lib/testlib.sh"
if [ ! -f "${DANGAN_MODELS:-$SRC/models}/ppocr_rec_v4_w320.onnx" ]; then
    echo "SKIP: no second reader model (tools/fetch-models.sh)"
    exit 77
fi
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/rule_free_card.png" in/
for mode in none cjk; do
    cp -r "$CONFIGS" "cfg-$mode"
    sed -i "s|<reader2 lines=\"[a-z]*\"|<reader2 lines=\"$mode\"|" "cfg-$mode/ocr.xml"
    check_contains "config lines=$mode" "$(cat "cfg-$mode/ocr.xml")" "<reader2 lines=\"$mode\""
    DANGAN_CONFIG_DIR="$PWD/cfg-$mode" "$DANGAN" -q --db "$mode.db" run in > /dev/null
done
q() { sqlite3 -cmd ".timeout 10000" "$1" "$2"; }
text=$("$DANGAN" --db cjk.db export ocr --page 1 --format txt)
check_contains "lines on: the page text reads 王美蕉" "$text" 王美蕉
check_contains "lines on: and 李蕉声" "$text" 李蕉声
check "lines on: re-read lines keep Tesseract's reading" \
    [ "$(q cjk.db "SELECT count(*) FROM ocr_line WHERE tess IS NOT NULL")" -gt 0 ]
check "lines off: no line has a second reading" \
    [ "$(q none.db "SELECT count(*) FROM ocr_line WHERE tess IS NOT NULL")" = 0 ]
check "Tesseract's own reading of the name line is not the second reader's" \
    [ "$(q cjk.db "SELECT count(*) FROM ocr_line WHERE text LIKE '%王美蕉%' AND tess NOT LIKE '%蕉%'")" = 1 ]
fields="SELECT f.key || '|' || coalesce(f.raw, '') || '|' || round(f.conf_min, 2) || '|' ||
        f.x || ',' || f.y || ',' || f.w || ',' || f.h || '|' || f.evidence FROM field f ORDER BY f.key"
off=$(q none.db "$fields") on=$(q cjk.db "$fields")
check "fields were extracted and weighed" [ "$(q cjk.db "SELECT count(*) FROM field WHERE p IS NOT NULL")" -gt 5 ]
check_eq "fields' text, confidence, box and trust evidence as with lines off" "$on" "$off"
check "the name's Tesseract reading is not the second reader's" \
    [ "$(q cjk.db "SELECT raw FROM field WHERE key = 'name'")" != 王美蕉 ]
check "the second reader's re-read of the name box is a reading of its own" \
    [ "$(q cjk.db "SELECT text FROM field_reading fr JOIN field f ON f.id = fr.field_id
                  WHERE f.key = 'name' AND fr.reader = 'rec2'")" = 王美蕉 ]
finish
