#!/usr/bin/env bash
# A page stored turned 90 degrees, read with OSD kept out (a min-conf above
# any confidence it gives), must be read turned a quarter: the orientation
# search (ocr/page.c probe_turn, ocr/sideways.c) on a page OSD gives no
# direction.  Usage: DANGAN DATA WORK IMAGE WHAT PHRASE... (each PHRASE must
# be in the page's text).  Two pages use it (tests/ocr/CMakeLists.txt):
# - ledger_turned90.jpg (draw_turned_ledger.sh), a landscape ledger: read
#   upright, Tesseract's plain layout takes its Han columns for vertical
#   text and reads the page's middle as confidently (92) as turned the right
#   way, so the probe kept it upright and the page read as noise
#   (bench/unseen's s011_turned90, 0.096 bag-F1).  A probe reading whose
#   lines stand on their side no longer counts.
# - card_turned90.jpg (draw_turned_card.sh), a card without rules: faint
#   letter-spaced Kai print on tinted paper, as bench/drawpages.py draws hard
#   plain cards.  Read upright, Tesseract takes its short pairs for vertical
#   text, a character a line, at a confidence (57) over the bar under which
#   the orientation probe ran, in lines too short for the sideways test: the
#   page read as ten stray characters.  A reading made of such fragments is
#   now searched for its orientation.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3 IMAGE=$4 WHAT=$5
shift 5
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/$IMAGE" in/
sed 's|<orientation [^>]*/>|<orientation enabled="true" min-conf="99"/>|' \
    "$DATA/../../configs/ocr.xml" > noosd.xml
check_contains "config: OSD's direction never taken" "$(cat noosd.xml)" 'min-conf="99"'
"$DANGAN" --db t.db ingest in > /dev/null
"$DANGAN" --db t.db ocr --jobs 1 --config noosd.xml > /dev/null
check_eq "ocr exit" "$?" 0
text=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
for p in "$@"; do
    check_contains "turned $WHAT: $p read" "$text" "$p"
done
check_contains "turned $WHAT: read turned a quarter" \
    "$(tl_sql t.db "SELECT orientation FROM ocr_page")" 270
finish
