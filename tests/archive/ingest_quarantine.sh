#!/usr/bin/env bash
# Bad files are set aside with a reason; good files in the same batch are read.
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 DATA=$3 WORK=$4
fresh_dir "$WORK" && cd "$WORK" && mkdir in
cp "$SAMPLES/s015_ledger_moderate.tif" "$DATA/scans/grey_64x32.png" in/
: > in/empty.tif
echo "minutes of the 1986 committee" > in/notes.tif
head -c 100 "$DATA/scans/grey_64x32.png" > in/truncated.png
head -c 200000 "$SAMPLES/s003_reg_clean.jpg" > in/truncated.jpg
cp "$DATA/scans/bomb_100000x100000.png" in/huge.png
# complete (IEND at its end) but with 200 bytes of its compressed rows zeroed
cp "$DATA/ocr/name_row.png" in/damaged.png
dd if=/dev/zero of=in/damaged.png bs=1 seek=5000 count=200 conv=notrunc 2> /dev/null

"$DANGAN" --db t.db ingest in > out.txt 2> err.txt
check_eq "exit code says files were set aside" "$?" 1
st=$("$DANGAN" --db t.db status --json)
check_eq "good files" "$(json_num files "$st")" 1
check_eq "pages of the good file (2-page TIFF)" "$(json_num pages_total "$st")" 2
check_eq "pages waiting for OCR" "$(json_num new "$st")" 2
check_eq "quarantined count" "$(json_num quarantined "$st")" 7
check_contains "zero-byte reason" "$st" '"file":"in/empty.tif","reason":"empty file'
check_contains "text file named .tif" "$st" '"file":"in/notes.tif","reason":"unsupported format'
check_contains "truncated PNG" "$st" '"file":"in/truncated.png","reason":"truncated PNG'
check_contains "truncated JPEG" "$st" '"file":"in/truncated.jpg","reason":"truncated JPEG'
check_contains "decompression bomb refused before decoding" "$st" \
    'claims 100000x100000 pixels, over the limit'
check_contains "damaged PNG, from its chunk CRC, not decoded" "$st" \
    '"file":"in/damaged.png","reason":"corrupt PNG: the IDAT chunk at byte'
check_contains "a page too small to hold a form" "$st" \
    '"file":"in/grey_64x32.png","reason":"page 1 is 64x32 pixels: too small to read'
check_contains "summary names what was set aside" "$(cat out.txt)" "7 set aside"
# Reasons go to the workspace, not the terminal: libpng, left to itself,
# prints its own complaint about the damaged PNG on stderr.
check_eq "nothing on stderr" "$(cat err.txt)" ""
# The 2-page TIFF's second page is an A4 sheet scanned at 200 dpi that its
# file calls 300: the DA/T 31 check goes by the page size.
check_contains "mislabelled resolution caught" "$("$DANGAN" --db t.db status)" \
    "s015_ledger_moderate.tif page 2 is 200 dpi by its size (the file says 300)"
check_eq "low-dpi count" "$(json_num low_dpi_pages "$st")" 1

# A picture marked 72 dpi (a camera's or a program's default) that no sheet
# size explains is said to have no scanner resolution, not to be 72 dpi.
mkdir in72 && cp "$DATA/scans/photo_72dpi.png" in72/
"$DANGAN" --db p.db ingest in72 > /dev/null 2>&1
check_contains "no scanner resolution" "$("$DANGAN" --db p.db status)" \
    "photo_72dpi.png page 1 has no scanner resolution (the file says 72 dpi"

# Set-aside files are not retried as new on every run, and nothing is duplicated.
"$DANGAN" --db t.db ingest in > /dev/null 2>&1
st2=$("$DANGAN" --db t.db status --json)
check_eq "second run adds nothing" "$st2" "$st"

# A path that does not exist is an error naming it.
"$DANGAN" --db t.db ingest no/such/dir > /dev/null 2> err.txt
check_eq "missing path exit code" "$?" 4
check_contains "missing path named" "$(cat err.txt)" "no/such/dir"
finish
