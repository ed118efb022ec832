#!/usr/bin/env bash
# A small ruled form cut from a registration card (tests/data/ocr/form_rows.jpg:
# two closed rows of label/value cells, letter-spaced labels, an ID in
# letters and digits, a date in Han numerals) is ingested and read; each
# known value must come out in its own cell (row, column), as read by the
# grid and the cell-by-cell recogniser.  Values are checked through the DB.
# Also: workers sharing cells read as one worker does, a page without a
# grid is read as free text, a noisy page's header line is read, a
# 150 dpi scan is read scaled up, dot-matrix print is read, a value
# crossed by a seal rim is read as a line, a line Tesseract's line
# finding drops is read raw, a lone digit read as Han is read again, and a
# 1-bit 300 dpi scan is read thickened first, a 1-bit 200 dpi scan is
# read scaled up, values under a grey seal are read without it, values in
# a spine's shadow are read, a turned page OSD cannot orient is read each
# way round, and a 600 dpi scan is read at 300 dpi with its boxes on the
# scan as filed, the two pages of a spread are read one after the other,
# parentheses keep the width the print sets them in, a character chi_sim
# reads as two (和 and itself) is read as one, and faded print is read from
# the scan's own grey, in cells where the cleaned page shows none as well.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 DATA=$2 WORK=$3
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$DATA/ocr/form_rows.jpg" in/
"$DANGAN" --db t.db ingest in > /dev/null
"$DANGAN" --db t.db ocr --jobs 1 > /dev/null
check_eq "ocr exit" "$?" 0

# value in cell (row, col): "row|col" of the cell holding a line equal to $1
# in workspace $2 (default t.db)
cell_of() {
    tl_sql "${2:-t.db}" "SELECT c.row_no || '|' || c.col_no FROM ocr_line l
        JOIN ocr_cell c ON c.id = l.cell_id WHERE l.text = '$1' LIMIT 1"
}
# read_fixture FILE DB: a fresh workspace DB holding only tests/data/ocr/FILE,
# ingested and read by one worker; returns the ocr exit status
read_fixture() {
    local dir="in_${2%.db}"
    mkdir "$dir" && cp "$DATA/ocr/$1" "$dir/"
    "$DANGAN" --db "$2" ingest "$dir" > /dev/null 2>&1
    "$DANGAN" --db "$2" ocr --jobs 1 > /dev/null
}
# in_cells DB WHAT "VALUE ROW|COL"...: each value read in its own cell
in_cells() {
    local db=$1 what=$2 v
    shift 2
    for v in "$@"; do
        check_eq "$what: ${v% *} in cell ${v#* }" "$(cell_of "${v% *}" "$db")" "${v#* }"
    done
}
check_eq "汉族 in row 0 col 1" "$(cell_of 汉族)" "0|1"
check_eq "北京 in row 0 col 3" "$(cell_of 北京)" "0|3"
check_eq "民盟盟员 in row 0 col 5" "$(cell_of 民盟盟员)" "0|5"
check_eq "S867146 in row 1 col 1" "$(cell_of S867146)" "1|1"
check_eq "入学年月 in row 1 col 2" "$(cell_of 入学年月)" "1|2"
check_eq "一九八六年九月 in row 1 col 3" "$(cell_of 一九八六年九月)" "1|3"
check_eq "2.5年 in row 1 col 5" "$(cell_of 2.5年)" "1|5"
# letter-spaced labels (民　族, 学　号) read as one word
check_eq "民族 label in row 0 col 0" "$(cell_of 民族)" "0|0"
check_eq "学号 label in row 1 col 0" "$(cell_of 学号)" "1|0"
txt=$("$DANGAN" --db t.db export ocr --page 1 --format txt)
check_contains "txt export has the ID" "$txt" "S867146"

# Workers share the cells of their pages (a worker with no page left helps
# the others): three copies of the form (one trailing byte apart, so three
# files) read by three workers give each page the text one worker gives.
mkdir three && cp in/form_rows.jpg three/a.jpg && cp in/form_rows.jpg three/b.jpg &&
    cp in/form_rows.jpg three/c.jpg && printf '\0' >> three/b.jpg && printf '\0\0' >> three/c.jpg
"$DANGAN" --db j.db ingest three > /dev/null
"$DANGAN" --db j.db ocr --jobs 3 > /dev/null
check_eq "ocr --jobs 3 exit" "$?" 0
texts=$(tl_sql j.db "SELECT group_concat(text, '/') FROM (SELECT page_id, text FROM ocr_line ORDER BY page_id, seq) GROUP BY page_id" | sort -u)
one=$(tl_sql t.db "SELECT group_concat(text, '/') FROM (SELECT page_id, text FROM ocr_line ORDER BY page_id, seq) GROUP BY page_id")
check_eq "three workers read each copy as one worker reads it" "$texts" "$one"

# A page with no ruled grid (tests/data/ocr/header_nogrid.jpg: the title
# and department line above a ledger's table, cut from sample s009) is
# read as free text: no cells, the title exact.
read_fixture header_nogrid.jpg n.db
check_eq "no-grid page: ocr exit" "$?" 0
check_eq "no-grid page: no cells" "$(tl_sql n.db 'SELECT count(*) FROM ocr_cell')" 0
check_eq "no-grid page: title read" \
    "$(tl_sql n.db "SELECT count(*) FROM ocr_line WHERE text = '杭州大学1985届毕业研究生名册'")" 1
check_eq "no-grid page: department line read" \
    "$(tl_sql n.db "SELECT count(*) FROM ocr_line WHERE text LIKE '%数学系%'")" 1

# Text outside the grid on a noisy page (tests/data/ocr/header_noisy.jpg:
# the top of sample s012, 240 dpi, yellowed, with noise specks on every
# pixel row and the table's first row): the department and the page number,
# one line a page width apart, are found as phrases and read.  When bands
# were cut by empty pixel rows, the specks joined title, header line and
# table top into one block and the header line was not read at all.
read_fixture header_noisy.jpg h.db
check_eq "noisy header: ocr exit" "$?" 0
outside() { tl_sql h.db "SELECT count(*) FROM ocr_line WHERE cell_id IS NULL AND text LIKE '%$1%'"; }
check_eq "noisy header: title read" "$(outside 华中工学院1995届毕业研究生名册)" 1
check_eq "noisy header: department read" "$(outside 化学系)" 1
check_eq "noisy header: page number read" "$(outside 第1页)" 1

# The same form scanned at 150 dpi (tests/data/ocr/form_rows_150dpi.jpg,
# 860x165) is read scaled up to 300 dpi: the values that 150 dpi garbles
# (籍贡, 人学年如, a lost 政治面貌) come out right, and the cells' boxes are
# on the 860x165 scan as filed.
read_fixture form_rows_150dpi.jpg l.db
check_eq "150 dpi: ocr exit" "$?" 0
check_eq "150 dpi: 籍贯 in row 0 col 2" "$(cell_of 籍贯 l.db)" "0|2"
check_eq "150 dpi: 政治面貌 in row 0 col 4" "$(cell_of 政治面貌 l.db)" "0|4"
check_eq "150 dpi: 民盟盟员 in row 0 col 5" "$(cell_of 民盟盟员 l.db)" "0|5"
check_eq "150 dpi: 入学年月 in row 1 col 2" "$(cell_of 入学年月 l.db)" "1|2"
check_eq "150 dpi: cells inside the scan" \
    "$(tl_sql l.db 'SELECT count(*) FROM ocr_cell WHERE x < 0 OR y < 0 OR x + w > 860 OR y + h > 165')" 0
check_contains "150 dpi: upscaling logged" "$(tl_sql l.db 'SELECT cleanup FROM ocr_page')" \
    '"step":"upscale","on":true,"from":150,"to":300'

# Dot-matrix print (tests/data/ocr/dotted_rows.png: two ledger rows of
# sample s004 at 300 dpi, every stroke redrawn as 2x2 dots on a 3 px
# lattice, as a 16-dot printer prints): each date is read whole.  Read as
# solid print, the LSTM made 18544 .所 of 1954.6 and 8上.9 of 89.9.
read_fixture dotted_rows.png d.db
check_eq "dot-matrix: ocr exit" "$?" 0
in_cells d.db dot-matrix "1954.6 0|3" "88.9 0|6" "1991.7 0|7" "1961.3 1|3" "89.9 1|6" "91.3 1|7"
# with the switch off in the config the dots are read as they are
sed 's|<dot-matrix enabled="true"/>|<dot-matrix enabled="false"/>|' "$DATA/../../configs/ocr.xml" > nodots.xml
"$DANGAN" --db d.db ocr --redo --jobs 1 --config nodots.xml > /dev/null
check_eq "dot-matrix off: 1954.6 not read whole" "$(cell_of 1954.6 d.db)" ""

# A value under a seal's rim (tests/data/ocr/seal_rows.jpg: two rows of
# sample s010, grey, its seal as grey as the print, so no colour removes
# it): the rim joins the rows above and below the value into one tall
# band, once read as a block that gave nothing.  The busy rows of the text
# line are read as a line, and the rim's pieces crossing them, which reach
# far above and below, are left out of the crop (read with them: 站"理学硕士：6).
read_fixture seal_rows.jpg s.db
check_eq "seal rim: ocr exit" "$?" 0
check_eq "seal rim: 理学硕士 alone in row 1 col 1" "$(cell_of 理学硕士 s.db)" "1|1"

# A clean name Tesseract's line finding takes for noise (tests/data/ocr/
# name_row.png: one row of sample s004): PSM 7, the block and the binary
# variants read nothing; read as a raw line it is right.
read_fixture name_row.png r.db
check_eq "raw line: ocr exit" "$?" 0
check_eq "raw line: 朱志勇 in row 0 col 1" "$(cell_of 朱志勇 r.db)" "0|1"

# A lone sequence number chi_sim reads as a Han character (tests/data/ocr/
# seq_row.png: row 7 of sample s004, its 7 read 了): the ink is far
# narrower than a Han character, so eng reads it too and its digits win.
read_fixture seq_row.png q.db
check_eq "narrow digit: ocr exit" "$?" 0
check_eq "narrow digit: 7 in row 0 col 0" "$(cell_of 7 q.db)" "0|0"

# A 1-bit G4 scan at 300 dpi (tests/data/ocr/rows_1bit.tif: rows of sample
# s015 page 1) is read through two passes of a 3x3 mean, which leave its
# thin strokes light grey: thickened they are read first (the supervisor
# 向光明 read 疝光明 from the softened strokes).
read_fixture rows_1bit.tif b.db
check_eq "1-bit 300 dpi: ocr exit" "$?" 0
check_eq "1-bit 300 dpi: 向光明 in row 1 col 5" "$(cell_of 向光明 b.db)" "1|5"

# A 1-bit G4 scan at 200 dpi (tests/data/ocr/rows_1bit_200.tif: three rows
# of sample s015 page 2, whose thin strokes are broken) is read scaled up to
# 300 dpi; read at 200 dpi, 1990.7 came out 19590(0).7 and 1988.9 1988 .人.
read_fixture rows_1bit_200.tif u.db
check_eq "1-bit 200 dpi: ocr exit" "$?" 0
check_contains "1-bit 200 dpi: scaled up to 300" "$(tl_sql u.db 'SELECT cleanup FROM ocr_page')" \
    '"step":"upscale","on":true,"from":200,"to":300'
check_eq "1-bit 200 dpi: 1990.7 in row 0 col 7" "$(cell_of 1990.7 u.db)" "0|7"
check_eq "1-bit 200 dpi: 1988.9 in row 2 col 6" "$(cell_of 1988.9 u.db)" "2|6"

# A grey seal over two values (tests/data/ocr/seal_grey.jpg: three rows of
# sample s009, whose seal no colour test finds): the cells read poorly are
# read again without the ink far lighter than their darkest, placed by the
# dark ink; read with the seal, 毛向阳 came out as nothing and 82.03 as 以.
read_fixture seal_grey.jpg g.db
check_eq "grey seal: ocr exit" "$?" 0
check_eq "grey seal: 毛向阳 in row 2 col 5" "$(cell_of 毛向阳 g.db)" "2|5"
check_eq "grey seal: 82.03 in row 2 col 6" "$(cell_of 82.03 g.db)" "2|6"

# The same form with a shadow along its left edge, as a bound ledger's
# spine gives (tests/data/ocr/form_rows_shadow.jpg: paper darkened to 23%
# at the edge): the page is flattened first, and the values in the shadow
# are read (with the tile normalisation alone: 区 for 民族 and 汉族,
# 9867146 for S867146).
read_fixture form_rows_shadow.jpg w.db
check_eq "spine shadow: ocr exit" "$?" 0
check_contains "spine shadow: flattened" "$(tl_sql w.db 'SELECT cleanup FROM ocr_page')" \
    '"step":"lighting","on":true'
in_cells w.db "spine shadow" "民族 0|0" "汉族 0|1" "学号 1|0" "S867146 1|1"

# The same form turned a quarter (tests/data/ocr/form_rows_turned.jpg),
# read with OSD's answer refused (min-conf 99), as OSD gives none on some
# faded or stained pages: a page read this poorly is read each other way
# round, and the one that reads well is kept.
mkdir in_o && cp "$DATA/ocr/form_rows_turned.jpg" in_o/
"$DANGAN" --db o.db ingest in_o > /dev/null 2>&1
sed 's|<orientation enabled="true" min-conf="2.0"/>|<orientation enabled="true" min-conf="99"/>|' \
    "$DATA/../../configs/ocr.xml" > noosd.xml
check_contains "no OSD: config edited" "$(cat noosd.xml)" 'min-conf="99"'
"$DANGAN" --db o.db ocr --jobs 1 --config noosd.xml > /dev/null
check_eq "no OSD: ocr exit" "$?" 0
check_eq "no OSD: turned back" "$(tl_sql o.db 'SELECT orientation FROM ocr_page')" 270
in_cells o.db "no OSD" "汉族 0|1" "民盟盟员 0|5" "S867146 1|1" "一九八六年九月 1|3"
# ... found by a probe (the page's middle read plainly each way round), not
# by reading the whole page every way: besides the probe's four small
# readings, the orientation search reads the page turned once (the
# upright reading's count, give or take a variant), where reading it each
# way made 82 readings against the upright's 19.
steps_reads() {
    tl_sql o.db "SELECT sum(json_extract(s.value, '\$.reads')) FROM ocr_page,
        json_each(ocr_page.cleanup) t, json_each(json_extract(t.value, '\$.steps')) s
        WHERE json_extract(t.value, '\$.step') = 'times' AND $1"
}
turned_reads=$(steps_reads "s.key = 'orientation'")
upright_reads=$(steps_reads "s.key <> 'orientation'")
check_eq "no OSD: the upright reading counted" "$([ "${upright_reads:-0}" -gt 0 ] && echo yes)" yes
check_eq "no OSD: probed, read turned once (${turned_reads} reads, upright ${upright_reads})" \
    "$([ "${turned_reads:-999}" -le $((4 + upright_reads * 3 / 2)) ] && echo yes)" yes

# The same form scanned at 600 dpi (tests/data/ocr/form_rows_600dpi.jpg,
# 3440x660, as preservation masters are scanned) is read at 300 dpi: decoded
# half size by libjpeg (a colour A4 page at 600 dpi takes 140 MB decoded)
# and read as the 300 dpi form is; every cell's box is twice the 300 dpi
# form's, on the scan as filed.
read_fixture form_rows_600dpi.jpg m.db
check_eq "600 dpi: ocr exit" "$?" 0
check_contains "600 dpi: read at 300 dpi" "$(tl_sql m.db 'SELECT cleanup FROM ocr_page')" \
    '"step":"downscale","on":true,"from":600,"to":300'
in_cells m.db "600 dpi" "汉族 0|1" "民盟盟员 0|5" "S867146 1|1" "一九八六年九月 1|3"
cells() { tl_sql "$1" 'SELECT count(*) FROM ocr_cell'; }
check_eq "600 dpi: as many cells as the 300 dpi form" "$(cells m.db)" "$(cells t.db)"
check_eq "600 dpi: each cell twice the 300 dpi form's (to 4 px)" "$(tl_sql m.db "
    ATTACH 't.db' AS t;
    SELECT count(*) FROM ocr_cell m JOIN t.ocr_cell c USING (row_no, col_no)
    WHERE abs(m.x - 2 * c.x) > 4 OR abs(m.y - 2 * c.y) > 4
       OR abs(m.w - 2 * c.w) > 4 OR abs(m.h - 2 * c.h) > 4")" 0

# Two pages of a bound ledger side by side (tests/data/ocr/spread_rows.jpg:
# the first rows of samples s009 and s004, a gutter between them): the
# page text gives the left page's lines before the right page's, each
# page's rows in order.  Ordered by position alone, the two pages' rows
# came interleaved (姚向东's row, then 冯涛's, then 段燕's).
read_fixture spread_rows.jpg p.db
check_eq "spread: ocr exit" "$?" 0
order=$(tl_sql p.db "SELECT group_concat(text, ' ') FROM (SELECT text FROM ocr_line
    WHERE text IN ('姚向东', '段燕', '卢小军', '冯涛', '田丽萍', '唐玉兰') ORDER BY seq)")
check_eq "spread: left page's rows, then the right page's" "$order" "姚向东 段燕 卢小军 冯涛 田丽萍 唐玉兰"
# A row of sample s003 (tests/data/ocr/paren_row.jpg) whose label prints
# its parentheses half width, 系(所), and whose value full width,
# 孟红霞（教授）: chi_sim reads both as ASCII, and the width is measured
# from the blank around them (widened blindly, the label read 系（所）).
read_fixture paren_row.jpg pr.db
check_eq "parentheses: ocr exit" "$?" 0
line_count() { tl_sql pr.db "SELECT count(*) FROM ocr_line WHERE text LIKE '$1'"; }
check_eq "parentheses: half width kept ASCII" "$(line_count '系(所)')" 1
check_eq "parentheses: full width widened" "$(line_count '%红霞（教授）')" 1
# A row of sample s008 (tests/data/ocr/split_row.jpg) whose 中共党员 chi_sim
# reads 中共和党员: the ink of 党 read as two symbols, 和 and 党, their
# boxes together one character wide.  The 和 goes.
read_fixture split_row.jpg sp.db
check_eq "split glyph: ocr exit" "$?" 0
check_eq "split glyph: 中共党员 read whole" "$(tl_sql sp.db "SELECT count(*) FROM ocr_line
    WHERE text = '中共党员'")" 1
# Faded print (tests/data/ocr/faded_column.jpg: nine degree cells of sample
# s011, 工学硕士 printed at 40-60 grey levels under the paper): the
# background step lifts such ink nearly to white and the lines read 和,
# 学硕 or 2硕士.  Read again from the scan's own grey, smoothed and
# stretched, at least four of them read whole; with <faded-ink> off fewer.
read_fixture faded_column.jpg fc.db
check_eq "faded: ocr exit" "$?" 0
degrees() { tl_sql "$1" "SELECT count(*) FROM ocr_line WHERE text = '工学硕士'"; }
on=$(degrees fc.db)
sed 's|<faded-ink enabled="true" cells="true"/>|<faded-ink enabled="false"/>|' \
    "$DATA/../../configs/ocr.xml" > faded_off.xml
"$DANGAN" --db fc.db ocr --redo --jobs 1 --config faded_off.xml > /dev/null
off=$(degrees fc.db)
check "faded: 4 or more of 9 read 工学硕士 (got $on)" test "$on" -ge 4
check "faded: more than with <faded-ink> off (got $on against $off)" test "$on" -gt "$off"
check_contains "faded: config switched off" "$(cat faded_off.xml)" '<faded-ink enabled="false"/>'

# Faded cells (tests/data/ocr/faded_cells.jpg: dates and degrees of five
# rows of sample s012, some printed 15-25 grey levels under the paper):
# the cleaned page shows 1995.3 (row 4) no ink at all and the two 1993.9
# (rows 0, 3) only as fragments, read 当当 and 好.  Looked at on the scan's
# grey flattened, at least two of the three read right, where with
# cells="false" fewer do; the value found that way is boxed in its cell.
read_fixture faded_cells.jpg fd.db
check_eq "faded cells: ocr exit" "$?" 0
faded_values() {
    tl_sql "$1" "SELECT count(*) FROM ocr_line l JOIN ocr_cell c ON c.id = l.cell_id
        WHERE (c.row_no, c.col_no, l.text) IN
              (VALUES (0, 0, '1993.9'), (3, 0, '1993.9'), (4, 1, '1995.3'))"
}
on=$(faded_values fd.db)
check_eq "faded cells: 1995.3 boxed inside its cell" "$(tl_sql fd.db "SELECT count(*)
    FROM ocr_line l JOIN ocr_cell c ON c.id = l.cell_id
    WHERE c.row_no = 4 AND c.col_no = 1 AND l.text = '1995.3' AND l.x >= c.x AND l.y >= c.y
      AND l.x + l.w <= c.x + c.w AND l.y + l.h <= c.y + c.h")" 1
sed 's|<faded-ink enabled="true" cells="true"/>|<faded-ink enabled="true" cells="false"/>|' \
    "$DATA/../../configs/ocr.xml" > cells_off.xml
check_contains "faded cells: config switched off" "$(cat cells_off.xml)" 'cells="false"'
"$DANGAN" --db fd.db ocr --redo --jobs 1 --config cells_off.xml > /dev/null
off=$(faded_values fd.db)
check "faded cells: 2 or more of 3 read right (got $on)" test "$on" -ge 2
check "faded cells: more than with cells off (got $on against $off)" test "$on" -gt "$off"
# A cell too thin to flatten (tests/data/ocr/thin_row.jpg: a row 20 px
# high, read with a 10 px inset, leaves 0 px; Leptonica's flattening needs
# 7) is not looked at on the scan's grey: the page is read, not failed.
read_fixture thin_row.jpg tr.db
sed 's|<cells enabled="true" inset="3" min-size="12"/>|<cells enabled="true" inset="10" min-size="12"/>|' \
    "$DATA/../../configs/ocr.xml" > inset10.xml
check_contains "thin row: config edited" "$(cat inset10.xml)" 'inset="10"'
"$DANGAN" --db tr.db ocr --redo --jobs 1 --config inset10.xml > /dev/null
check_eq "thin row: ocr exit" "$?" 0
check_eq "thin row: the thin row is a row of cells" \
    "$(tl_sql tr.db 'SELECT count(*) FROM ocr_cell WHERE h < 30')" 3
in_cells tr.db "thin row" "1984.7 0|0" "1990.3 0|1" "1986.2 2|0"
finish
