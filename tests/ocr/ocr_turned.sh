#!/usr/bin/env bash
# The orientation probe (ocr/page.c probe_turn) on a page OSD gives no
# direction.  tests/data/ocr/ledger_turned90.jpg (drawn by
# draw_turned_ledger.sh) is a landscape ledger stored turned 90 degrees.
# Read upright, Tesseract's plain layout takes its Han columns for
# vertical text and reads the page's middle as confidently (92) as turned
# the right way: the probe kept it upright and the page read as noise
# (bench/unseen's s011_turned90, OSD finding no direction, 0.096 bag-F1).
# A probe reading whose lines stand on their side no longer counts.  OSD
# is kept out here by a min-conf above any confidence it gives.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/ledger_turned90.jpg" in/
sed 's|<orientation [^>]*/>|<orientation enabled="true" min-conf="99"/>|' \
    "$DATA/../../configs/ocr.xml" > noosd.xml
check_contains "config: OSD's direction never taken" "$(cat noosd.xml)" 'min-conf="99"'
"$DANGAN" --db t.db ingest in > /dev/null
"$DANGAN" --db t.db ocr --jobs 1 --config noosd.xml > /dev/null
check_eq "ocr exit" "$?" 0
text=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
for p in 毕业研究生名册 出生年月 王建国 有机化学 理论物理 自动控制; do
    check_contains "turned ledger: $p read" "$text" "$p"
done
check_contains "turned ledger: read turned a quarter" \
    "$(tl_sql t.db "SELECT orientation FROM ocr_page")" 270
finish
