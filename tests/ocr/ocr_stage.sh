#!/usr/bin/env bash
# ingest + ocr on shipped scans: known words are found, every box lies inside
# its page, every confidence is within 0-100, exports come in every format.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$SAMPLES/s003_reg_clean.jpg" "$SAMPLES/s015_ledger_moderate.tif" in/

"$DANGAN" --db t.db ingest in > /dev/null
"$DANGAN" --db t.db ocr --jobs 2 > ocr.txt
check_eq "ocr exit" "$?" 0
check_contains "summary" "$(cat ocr.txt)" "3 pages read, 0 failed"
st=$("$DANGAN" --db t.db status --json)
check_eq "all pages read" "$(json_num read "$st")" 3

pages=$("$DANGAN" --db t.db export pages --format jsonl)
check_eq "one JSON line per page" "$(printf '%s\n' "$pages" | wc -l)" 3
card=$(printf '%s\n' "$pages" | grep s003_reg_clean)
for word in 杭州大学 研究生学籍登记表 S867146 040202 教育心理; do
    check_contains "card text has $word" "$card" "$word"
done
check_contains "page number 1-based" "$card" '"page":1,'
ledger2=$(printf '%s\n' "$pages" | grep s015 | grep '"page":2,')
check_contains "second TIFF page read" "$ledger2" "毕业研究生名册"

# Boxes inside the page, confidences in range, for every word of every page.
for id in $(printf '%s\n' "$pages" | grep -o '"page_id":[0-9]*' | cut -d: -f2); do
    "$DANGAN" --db t.db export ocr --page "$id" --format hocr > "page$id.hocr"
    check_eq "hocr export $id" "$?" 0
    read -r pw ph < <(grep -o "ocr_page' id='page_$id' title='bbox 0 0 [0-9]* [0-9]*" "page$id.hocr" \
        | awk '{print $(NF-1), $NF}')
    bad=$(grep -o "ocrx_word' title='bbox [0-9 -]*; x_wconf [0-9-]*" "page$id.hocr" |
        awk -v W="$pw" -v H="$ph" '{x0=$3+0; y0=$4+0; x1=$5+0; y1=$6+0; c=$8+0;
            if (x0 < 0 || y0 < 0 || x1 > W || y1 > H || x0 > x1 || y0 > y1 || c < 0 || c > 100) n++}
            END {print n + 0}')
    check_eq "words outside page $id or bad confidence" "$bad" 0
    words=$(grep -c "ocrx_word" "page$id.hocr")
    check "page $id has words" [ "$words" -gt 10 ]
done
alto=$("$DANGAN" --db t.db export ocr --page 1 --format alto)
check_contains "ALTO export" "$alto" "<alto xmlns"
check_contains "ALTO strings" "$alto" "<String HPOS="
txt=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
check_contains "txt export" "$txt" "S867146"
"$DANGAN" --db t.db export ocr --page 999 --format txt > /dev/null 2>&1
check_eq "unknown page exit" "$?" 5

# A second run has nothing to do; --redo reads again and gives the same text.
check_contains "nothing left" "$("$DANGAN" --db t.db ocr)" "0 pages read"
"$DANGAN" --db t.db ocr --redo --jobs 1 > /dev/null
check_eq "redo gives the same text" "$("$DANGAN" --db t.db export pages)" "$pages"

# Missing language data names the Debian package.
"$DANGAN" --db t.db ocr --redo --lang xyz_nope > /dev/null 2> err.txt
check_eq "missing language exit" "$?" 4
check_contains "package named" "$(cat err.txt)" "tesseract-ocr-xyz-nope"
finish
