#!/usr/bin/env bash
# The floor under the structured reading (ocr/floor.c): a page that is no
# form is read completely.  tests/data/ocr/book_page.png (drawn by
# draw_book_page.sh) is a book page at 200 dpi: two pictures with a lattice
# in them (whose lines enclose cells, as photographs of windows or charts
# do), a paragraph of running text, a ruled table, and a paragraph after
# it.  The grid spans the pictures and the table, and the phrase reading
# masks everything between them as table: the first paragraph was lost.
# With the floor it is read, before the table, and the table's values and
# the last paragraph stay; with <floor enabled="false"> it is lost again.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/book_page.png" in/
"$DANGAN" --db t.db ingest in > /dev/null
"$DANGAN" --db t.db ocr --jobs 1 > /dev/null
check_eq "ocr exit" "$?" 0
text=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
for p in 档案材料 统一保管 尚待复核 化学系 物理系 一九八七年 逐项补充; do
    check_contains "book page: $p read" "$text" "$p"
done
# line number of the first line holding $1
line_of() { printf '%s\n' "$text" | grep -n -m1 "$1" | cut -d: -f1; }
first=$(line_of 档案材料) table=$(line_of 化学系) last=$(line_of 逐项补充)
check "book page: paragraph (line ${first:-none}) before the table (line ${table:-none})" \
    test "${first:-999}" -lt "${table:-0}"
check "book page: the table (line ${table:-none}) before the last paragraph (line ${last:-none})" \
    test "${table:-999}" -lt "${last:-0}"
check_contains "book page: the floor ran" \
    "$(tl_sql t.db "SELECT cleanup FROM ocr_page")" '"step":"floor","on":true'

sed 's|<floor enabled="true"/>|<floor enabled="false"/>|' "$DATA/../../configs/ocr.xml" > off.xml
check_contains "floor: config switched off" "$(cat off.xml)" '<floor enabled="false"/>'
"$DANGAN" --db t.db ocr --redo --jobs 1 --config off.xml > /dev/null
off=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
check "floor off: the first paragraph is lost (the floor is what reads it)" \
    test -z "$(printf '%s\n' "$off" | grep 档案材料)"
finish
