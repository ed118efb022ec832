#!/usr/bin/env bash
# exports.sh DANGAN METS_CHECK RNG SAMPLES WORKDIR - the exchange exports on
# a workspace `dangan run` makes from the bundled two-page ledger TIFF,
# filed under a directory whose name holds a comma, quotes and a leading '='
# (CSV quoting, the Excel formula guard and XML escaping all meet it):
#   mets: one file per archived record, 0600 in a 0700 directory, each valid
#         against schema/mets-dangan.rng (read by libxml2 in mets_check), with
#         the scan's real SHA-256, the events from ingest to load and a review
#         decision with its operator; a broken copy is refused;
#   csv:  RFC 4180 rows equal to 'export archive', BOM and formula guard;
#   pdf:  pdfinfo pages and sizes from the recorded dpi, pdftotext holding
#         every OCR word of the file and the archived names, fonts embedded;
#   each personal-data export is in the access log.
set -u
DANGAN=$1 CHECK=$2 RNG=$3 SAMPLES=$4 W=$5
. "$(dirname "$0")/../lib/testlib.sh"
# Under ASan: full stacks through cairo (built without frame pointers), so
# tests/lsan.supp's cairo_surface_finish entry can match; no effect otherwise.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}fast_unwind_on_malloc=0"
fresh_dir "$W"
cd "$W" || exit 1
DIR='=scans, "1985"'
mkdir -p "$DIR" && cp "$SAMPLES/s015_ledger_moderate.tif" "$DIR/"
SCAN="$DIR/s015_ledger_moderate.tif"
d() { "$DANGAN" --db "$W/a.db" -q "$@"; }

check_exit "run on the ledger" 0 d run "$SCAN"
# One review decision that lets records load: its operator must reach METS.
item=$(d review list --reason match | awk 'NR == 1 {print $1}')
need "a match item to decide" test -n "$item"
check_exit "review accept" 0 d review accept "$item" --operator "档案员 李"
# With the fitted thresholds every row of the ledger may wait for review
# (names are verified only above p 0.99, docs/trust.md): an operator settles
# the first three waiting rows, so records load whatever the thresholds are.
for id in $(tl_sql "$W/a.db" "SELECT id FROM review_item WHERE state = 'open'
            AND record_id IN (SELECT DISTINCT record_id FROM review_item WHERE state = 'open'
                              ORDER BY record_id LIMIT 3)"); do
    d review accept "$id" --operator "档案员 李" > /dev/null
done
check_exit "load after the decision" 0 d load
d export archive > archive.jsonl
n=$(wc -l < archive.jsonl)
need "records archived" test "$n" -ge 3

# ---- METS ------------------------------------------------------------------
check_exit "export mets" 0 d export mets --out out/mets
check_eq "one METS file per archived record" "$(ls out/mets | wc -l)" "$n"
check_eq "mets dir mode" "$(stat -c %a out/mets)" 700
check_eq "mets file modes" "$(stat -c %a out/mets/* | sort -u)" 600
check "every METS file valid against the RELAX NG profile" "$CHECK" "$RNG" out/mets/*.mets.xml
sha=$(sha256sum "$SCAN" | cut -d' ' -f1)
m1=out/mets/study-1.mets.xml
all=$(cat out/mets/*.mets.xml)
check_contains "fileSec checksum is the scan's SHA-256" "$(cat $m1)" "CHECKSUM=\"$sha\" CHECKSUMTYPE=\"SHA-256\""
check_contains "the file path escaped in FLocat" "$(cat $m1)" 'xlink:href="=scans, &quot;1985&quot;/s015_ledger_moderate.tif"'
name1=$(head -n1 archive.jsonl | grep -o '"name":"[^"]*"' | cut -d'"' -f4)
code1=$(head -n1 archive.jsonl | grep -o '"current_code":"[^"]*"' | cut -d'"' -f4)
check_contains "DC title carries the archived name" "$(cat $m1)" "<dc:title>研究生学籍记录：$name1</dc:title>"
check_contains "the archived name among dangan's fields" "$(cat $m1)" "<dg:field key=\"name\">$name1</dg:field>"
check_contains "the 2022 code as a DC subject" "$(cat $m1)" "<dc:subject>$code1 "
for ev in ingestion 'message digest calculation' 'optical character recognition' \
          'metadata extraction' normalization accession; do
    check_contains "PREMIS event '$ev'" "$(cat $m1)" ">$ev</premis:eventType>"
done
check_contains "fixity event holds the SHA-256" "$(cat $m1)" "SHA-256 $sha"
check_contains "a review decision event" "$all" ">review decision</premis:eventType>"
check_contains "the operator as a PREMIS agent" "$all" "<premis:agentName>档案员 李</premis:agentName>"
check_contains "the record's box on its page" "$(cat $m1)" '<mets:area FILEID="file-1" SHAPE="RECT" COORDS="'
# The profile can fail: a document without an event date, a file with MD5.
sed 's#<premis:eventDateTime>[^<]*</premis:eventDateTime>##' $m1 > no-date.xml
sed 's#CHECKSUMTYPE="SHA-256"#CHECKSUMTYPE="MD5"#' $m1 > md5.xml
sed 's#<mets:structMap#<mets:structMapX#; s#</mets:structMap>#</mets:structMapX>#' $m1 > no-map.xml
for bad in no-date.xml md5.xml no-map.xml; do
    check_exit "the profile refuses $bad" 1 "$CHECK" "$RNG" $bad
done
check_exit "export mets --study 2" 0 d export mets --out out/one --study 2
check_eq "--study writes one file" "$(ls out/one)" "study-2.mets.xml"
check_exit "unknown study: exit 5" 5 d export mets --out out/none --study 9999
check_exit "bad --study: exit 2" 2 d export mets --study x

# ---- CSV -------------------------------------------------------------------
check_exit "export csv" 0 d export csv
csv=$TL_OUT
check_eq "header and one row per record" "$(printf '%s\n' "$csv" | wc -l)" $((n + 1))
check_contains "header: the canonical keys" "$csv" "record,name,sex,birth_date,student_no,department,major,major_code,enroll_date,grad_date,degree,certificate_no,supervisor,university,current_code,current_name,edition,loaded,sources"
check "lines end in CRLF" test "$(printf '%s\n' "$csv" | grep -c $'\r$')" -eq $((n + 1))
row1=$(printf '%s\n' "$csv" | sed -n 2p)
check_contains "row 1 holds the archived name and 2022 code" "$row1" "1,$name1,"
check_contains "row 1 holds the 2022 code" "$row1" ",$code1,"
check_contains "a field with comma and quotes is quoted, quotes doubled" "$row1" ',"=scans, ""1985""/s015_ledger_moderate.tif p.1 row '
check_exit "export csv --excel --out" 0 d export csv --excel --out out/archive.csv
check_eq "csv file mode" "$(stat -c %a out/archive.csv)" 600
check_eq "UTF-8 BOM" "$(head -c3 out/archive.csv | od -An -tx1 | tr -d ' ')" efbbbf
check_contains "formula-looking cell guarded" "$(sed -n 2p out/archive.csv)" ',"'"'"'=scans, ""1985""/'
# Read back as CSV: the names equal 'export archive' (python3's csv module).
if command -v python3 >/dev/null; then
    got=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1],encoding="utf-8-sig",newline=""))); print(len(r), r[0]["name"], r[0]["current_code"], r[-1]["record"])' out/archive.csv)
    last=$(tail -n1 archive.jsonl | grep -o '"record":[0-9]*' | cut -d: -f2)
    check_eq "csv parses back" "$got" "$n $name1 $code1 $last"
fi

check_exit "export --help" 0 d export --help
for w in "export mets" "export csv" "export pdf" "docs/exchange.md"; do
    check_contains "help names $w" "$TL_OUT" "$w"
done

# ---- PDF -------------------------------------------------------------------
check_exit "pdf without --out: exit 2" 2 d export pdf 1
check_exit "pdf of an unknown file: exit 5" 5 d export pdf 99 --out out/pdf
check_exit "export pdf" 0 d export pdf 1 --out out/pdf --operator "registrar 周"
pdf=out/pdf/file-1.pdf
check_eq "pdf mode" "$(stat -c %a $pdf)" 600
info=$(pdfinfo -f 1 -l 9 $pdf)
check_contains "two pages" "$info" "Pages:           2"
# Page 1: 2480x3508 at 300 dpi; page 2: 1653x2339 whose sheet says 200 dpi.
check_contains "page 1 size from its dpi" "$info" "Page    1 size:  595.2 x 841.92 pts"
check_contains "page 2 size from the dpi its sheet implies" "$info" "Page    2 size:  595.08 x 842.04 pts"
check_contains "XMP metadata stream" "$info" "Metadata Stream: yes"
meta=$(pdfinfo -meta $pdf)
check_contains "XMP declares PDF/A-2" "$meta" "<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>"
check_contains "XMP title equals the information dictionary's" "$meta" "<rdf:li xml:lang=\"x-default\">=scans, &quot;1985&quot;/s015_ledger_moderate.tif (sha256 $sha)</rdf:li>"
check_contains "info title" "$info" "Title:           =scans, \"1985\"/s015_ledger_moderate.tif (sha256 $sha)"
check "sRGB output intent and trailer ID" grep -aq -e '/GTS_PDFA1' $pdf
check "trailer ID" grep -aq -e '/ID \[<' $pdf
# The file named by its path as ingested or its SHA-256: the same file.
check_exit "export pdf by path" 0 d export pdf "$SCAN" --out out/bypath
check_exit "export pdf by sha256" 0 d export pdf "$sha" --out out/bysha
check_eq "path and sha256 name file 1" "$(ls out/bypath out/bysha | grep -c file-1.pdf)" 2
check_eq "the same pages" "$(pdftotext out/bysha/file-1.pdf - | md5sum)" "$(pdftotext $pdf - | md5sum)"
check "fonts embedded" test "$(pdffonts $pdf | awk 'NR > 2 && $(NF-4) != "yes"' | wc -l)" -eq 0
pdftotext $pdf text.txt
flat=$(tr -d ' \n\f' < text.txt)
check_contains "pdftotext holds the archived name" "$flat" "$name1"
tl_sql "$W/a.db" "SELECT text FROM ocr_word w JOIN page p ON p.id = w.page_id WHERE p.file_id = 1" > words.txt
missing=0
while IFS= read -r w; do
    case "$flat" in *"${w// /}"*) ;; *) missing=$((missing + 1)); echo "not in the PDF text: $w" >&2;; esac
done < words.txt
check "every OCR word of the file in the PDF text ($(wc -l < words.txt) words)" test "$missing" -eq 0
# A scan not read yet, under a name that is not UTF-8: the image only, and
# the title made valid (U+FFFD for the bad byte).
cp "$(dirname "$0")/../data/scans/photo_72dpi.png" $'\xffphoto.png'
check_exit "ingest a second scan" 0 d ingest $'\xffphoto.png'
check_exit "export pdf --all" 0 "$DANGAN" --db "$W/a.db" export pdf --all --out out/all
check_eq "--all: one PDF per file" "$(ls out/all | tr '\n' ' ')" "file-1.pdf file-2.pdf "
check_contains "pages without OCR text said" "$TL_OUT$TL_ERR" "1 PDF(s) have pages without OCR text"
check_contains "a non-UTF-8 name made valid in the title" "$(pdfinfo out/all/file-2.pdf)" $'Title:           \xef\xbf\xbdphoto.png (sha256 '
check_eq "the unread page has no text" "$(pdftotext out/all/file-2.pdf - | tr -d ' \n\f')" ""
# A scan changed since ingest is refused, not copied.
printf 'x' >> "$SCAN"
check_exit "changed scan: exit 4" 4 d export pdf 1 --out out/changed
check_contains "the error names the change" "$TL_ERR" "changed since ingest"

# ---- the access log ---------------------------------------------------------
log=$(d log)
check_contains "mets export logged" "$log" '{"what":"mets","study":0} -> {"count":'"$n"'}'
check_contains "csv export logged" "$log" '"format":"csv"} -> {"count":'"$n"'}'
check_contains "excel csv export logged" "$log" '"excel":true} -> {"count":'"$n"'}'
check_contains "pdf export logged with its operator" "$(printf '%s\n' "$log" | grep '"what":"pdf","file":"1"}')" 'registrar 周'
check_contains "pdf export logged with its count" "$log" '{"what":"pdf","file":"1"} -> {"count":1}'
check_contains "pdf --all logged" "$log" '{"what":"pdf","file":null} -> {"count":2}'
finish
