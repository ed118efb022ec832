#!/usr/bin/env bash
# A card without rules stored turned 90 degrees (tests/data/ocr/card_turned90.jpg,
# drawn by draw_turned_card.sh: faint letter-spaced Kai print on tinted
# paper, as bench/drawpages.py draws hard plain cards).  Read upright,
# Tesseract's layout takes its short pairs for vertical text, a character a
# line, at a confidence (57) over the bar under which the orientation probe
# ran, and in lines too short for the sideways test: the page read as ten
# stray characters.  A reading made of such fragments is now searched for
# its orientation (ocr/sideways.c, page.c).  OSD is kept out by a min-conf
# above any confidence it gives.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/card_turned90.jpg" in/
sed 's|<orientation [^>]*/>|<orientation enabled="true" min-conf="99"/>|' \
    "$DATA/../../configs/ocr.xml" > noosd.xml
check_contains "config: OSD's direction never taken" "$(cat noosd.xml)" 'min-conf="99"'
"$DANGAN" --db t.db ingest in > /dev/null
"$DANGAN" --db t.db ocr --jobs 1 --config noosd.xml > /dev/null
check_eq "ocr exit" "$?" 0
text=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
for p in 姓名 王美蕉 学号 8501023 家庭出身 本人成分; do
    check_contains "turned card: $p read" "$text" "$p"
done
check_contains "turned card: read turned a quarter" \
    "$(tl_sql t.db "SELECT orientation FROM ocr_page")" 270
finish
