#!/usr/bin/env bash
# Page lines read again by the second reader (ocr/lines2.c, <reader2 lines>
# in configs/ocr.xml).  tests/data/ocr/plant_note.png (drawn by
# draw_plant_note.sh): three lines of small serif print in which chi_sim
# reads 美人蕉 as 美人莱 every time and PP-OCRv4 reads it right.  With the
# setting lines="cjk" (the shipped default, docs/reader2.md) the page reads 美人蕉 three times and the `reader2` step
# of the clean-up log counts the lines taken; with lines="none" Tesseract's
# 美人莱 is back.  Skipped (77) without the model (tools/fetch-models.sh).
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3 SRC=$4
if [ ! -f "${DANGAN_MODELS:-$SRC/models}/ppocr_rec_v4_w320.onnx" ]; then
    echo "SKIP: no second reader model (tools/fetch-models.sh)"
    exit 77
fi
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/plant_note.png" in/
"$DANGAN" --db t.db ingest in > /dev/null
sed 's|<reader2 lines="[a-z]*"|<reader2 lines="cjk"|' "$SRC/configs/ocr.xml" > on.xml
check_contains "second reader: config switched on" "$(cat on.xml)" '<reader2 lines="cjk"'
"$DANGAN" --db t.db ocr --jobs 1 --config on.xml > /dev/null
check_eq "ocr exit" "$?" 0
text=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
check_eq "second reader: 美人蕉 read on every line" "$(printf '%s\n' "$text" | grep -c 美人蕉)" 3
check_contains "second reader: the rest of the line kept" "$text" 生长情况对比如图五所示
log=$(tl_sql t.db "SELECT cleanup FROM ocr_page")
check_contains "second reader: its step logged" "$log" '"step":"reader2","lines":3,"taken":3'

sed 's|<reader2 lines="[a-z]*"|<reader2 lines="none"|' "$SRC/configs/ocr.xml" > off.xml
check_contains "second reader: config switched off" "$(cat off.xml)" '<reader2 lines="none"'
"$DANGAN" --db t.db ocr --redo --jobs 1 --config off.xml > /dev/null
off=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
check "lines=none: Tesseract's 美人莱 is back (the second reader is what reads 蕉)" \
    test "$(printf '%s\n' "$off" | grep -c 美人莱)" -ge 2
finish
