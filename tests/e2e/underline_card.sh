#!/usr/bin/env bash
# A card without a ruled grid, end to end: tests/data/e2e/underline_card.png
# (drawn by bench/draw_underline_fixture.py) is the top of a registration
# card whose values were typed onto underlines a line higher than their
# labels.  The shipped card template declares such cards (rules="grid
# underline none"), so each value is found above its line, right of its
# label; before, a value so far above its label was no value of it and
# the card came out empty.  Also read end to end: a one-character value.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/e2e/underline_card.png" in/
"$DANGAN" --db t.db ingest in > /dev/null
OMP_THREAD_LIMIT=1 "$DANGAN" --db t.db ocr --jobs 1 > /dev/null
check_eq "ocr exit" "$?" 0
"$DANGAN" --db t.db extract > /dev/null
check_eq "extract exit" "$?" 0
rec=$("$DANGAN" --db t.db export records)
check_contains "underline card: a registration card" "$rec" '"form":"registration_card"'
# raw value of one field of the card's record
raw() { printf '%s\n' "$rec" | python3 -c "import json, sys
print((json.loads(sys.stdin.readline())['fields'].get('$1') or {}).get('raw'))"; }
check_eq "underline card: name above its line" "$(raw name)" 欧阳建平
check_eq "underline card: birth date above its line" "$(raw birth_date)" 1961年3月
check_eq "underline card: ethnicity above its line" "$(raw ethnicity)" 回族
check_eq "underline card: native place above its line" "$(raw native_place)" 河南洛阳
check_eq "underline card: student number above its line" "$(raw student_no)" 8531207
# A value of one character alone on its phrase (男), which Tesseract's page
# layout leaves out, shares its text row with its label: the floor keeps
# it (ocr/floor.c); it was dropped as a speck of texture before.
check_eq "underline card: a one-character value beside its label" "$(raw sex)" 男
finish
