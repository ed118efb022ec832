#!/usr/bin/env bash
# bad_inputs.sh - `dangan run` over the bad-input corpus (make_bad_corpus.py:
# bombs by their headers, too many pages, tiny pages, damaged and truncated
# PNG/JPEG/TIFF, a non-UTF-8 name, dangling and looping links) mixed with a
# good scan: each bad entry is set aside with a reason naming it, the good
# scan is read and archived once, the run exits 1 (files set aside), and a
# second run changes nothing.  Then: the limits hold again at OCR for pages
# ingested under looser ones, a TIFF's pages are walked in linear time, a
# broken template stops extract with exit 4 naming it, and truth files
# with absurd dates are scored without harm.
# usage: bad_inputs.sh DANGAN SAMPLES CONFIGS WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 SAMPLES=$2 CONFIGS=$3 W=$4
HERE=$(cd "$(dirname "$0")" && pwd)
fresh_dir "$W" && cd "$W" || exit 1
need "corpus written" python3 "$HERE/make_bad_corpus.py" in "$SAMPLES"
cp "$SAMPLES/s003_reg_clean.jpg" in/
cp "$SAMPLES/s003_reg_clean.jpg" in/sub/again.jpg # the same bytes again: an alias

valid_json() { # valid_json FILE: one JSON document, or JSON lines with --lines
    python3 - "$@" << 'EOF'
import json, sys
data = open(sys.argv[1], "rb").read().decode("utf-8")  # strict: must be UTF-8
if len(sys.argv) > 2:
    for line in data.splitlines():
        json.loads(line)
else:
    json.loads(data)
EOF
}

"$DANGAN" --db a.db run in > out.txt 2> err.txt
check_eq "run exit: files were set aside" "$?" 1
nbad=$(wc -l < in/MANIFEST.tsv)
check_contains "summary counts every bad entry" "$(cat out.txt)" "$nbad files quarantined"
check_eq "nothing on stderr (reasons go to the workspace)" "$(cat err.txt)" ""
"$DANGAN" --db a.db status --json > st.json
check "status --json is valid JSON (a non-UTF-8 name among the reasons)" valid_json st.json
st=$(cat st.json)
check_eq "the good scan is archived once" "$(json_num files "$st")" 1
check_eq "its copy is an alias, not a second file" "$(json_num aliases "$st")" 1
check_eq "quarantined" "$(json_num quarantined "$st")" "$nbad"
check_eq "its page was read and extracted" "$(tl_sql a.db "SELECT group_concat(state) FROM page")" extracted
check "its record was found" [ "$(tl_sql a.db 'SELECT count(*) FROM record')" -ge 1 ]
# every entry of the manifest is set aside under its own name, with its reason
missing=$(python3 - st.json in/MANIFEST.tsv << 'EOF'
import json, sys
st = json.load(open(sys.argv[1], encoding="utf-8"))
got = {q["file"]: q["reason"] for q in st["quarantine"]}
for line in open(sys.argv[2], "rb").read().splitlines():
    name, why = line.decode("utf-8", "replace").split("\t")
    path = "in/" + name
    if path not in got or why not in got[path]:
        print(f"{path}: want '{why}', got '{got.get(path)}'")
EOF
)
check_eq "each bad entry set aside with its reason" "$missing" ""
"$DANGAN" --db a.db export pages > pages.jsonl
check "export pages is valid JSON lines" valid_json pages.jsonl --lines
"$DANGAN" --db a.db export records > records.jsonl
check "export records is valid JSON lines" valid_json records.jsonl --lines

# Nothing lost, nothing duplicated: a second run adds and changes nothing.
"$DANGAN" --db a.db run in > /dev/null 2>&1
check_eq "second run exit" "$?" 1
check_eq "second run: status unchanged" "$("$DANGAN" --db a.db status --json)" "$st"

# Limits hold at OCR too: pages ingested under looser limits (another
# ocr.xml) fail at OCR with the reason, none as out of memory; a small page
# at 1200 dpi, read at a quarter of its size, is read.
mkdir -p loose/cfg loose/in
sed -e 's/pages-per-file="[0-9]*"/pages-per-file="5000"/' \
    -e 's/megapixels-per-page="[0-9]*"/megapixels-per-page="500"/' \
    -e 's/min-side="[0-9]*"/min-side="1"/' "$CONFIGS/ocr.xml" > loose/cfg/ocr.xml
cp in/tiny_8x8.png in/tiny_64x32.png in/bomb_12000x12000.png loose/in/
python3 -c "import sys; sys.path.insert(0, '$HERE'); import make_bad_corpus as m; \
m.png('loose/in/slip_1200dpi.png', 150, 120, fill=128, dpi=1200)"
DANGAN_CONFIG_DIR=$PWD/loose/cfg "$DANGAN" --db l.db ingest loose/in > /dev/null 2>&1
check_eq "loose limits: all four ingested" "$("$DANGAN" --db l.db status --json | grep -o '"files":[0-9]*')" '"files":4'
"$DANGAN" --db l.db ocr > /dev/null 2>&1
check_eq "ocr exit: pages failed" "$?" 1
stl=$("$DANGAN" --db l.db status)
check_contains "8x8 fails as too small" "$stl" "tiny_8x8.png page 1: page 1 is 8x8 pixels: too small to read"
check_contains "64x32 fails as too small" "$stl" "tiny_64x32.png page 1: page 1 is 64x32 pixels: too small to read"
check_contains "bomb fails at OCR, undecoded" "$stl" "bomb_12000x12000.png page 1: page 1 claims 12000x12000 pixels"
case "$stl" in *"out of memory"*) fail "no page fails as out of memory: $stl" ;; esac
check_eq "the 1200 dpi slip is read" \
    "$(tl_sql l.db "SELECT p.state FROM page p JOIN file f ON f.id = p.file_id WHERE f.path LIKE '%slip%'")" read

# A TIFF's directories are walked once: 2,000 pages ingest in well under a
# second (40 s when each page's header was sought from the first one).
mkdir many && mv in/pages_many.tif many/
start=$(date +%s%N)
DANGAN_CONFIG_DIR=$PWD/loose/cfg "$DANGAN" --db m.db ingest many > /dev/null 2>&1
ms=$((($(date +%s%N) - start) / 1000000))
check_eq "2,000-page TIFF ingested" "$("$DANGAN" --db m.db status --json | grep -o '"pages_total":[0-9]*')" '"pages_total":2000'
check "2,000 pages walked in under 10 s (took $ms ms)" [ "$ms" -lt 10000 ]

# A broken form template stops extract (exit 4) and names the file.
mkdir tpl && cp "$CONFIGS"/templates/*.xml tpl/
printf '<?xml version="1.0"?>\n<template name="broken"><field key="name"></templte>\n' > tpl/broken.xml
check_exit "broken template: extract exit 4" 4 "$DANGAN" --db a.db extract --redo --templates tpl
check_contains "broken template named" "$TL_ERR" "tpl/broken.xml"

# Truth files with absurd dates are scored (the dates simply do not match).
mkdir truth
python3 - "$SAMPLES/s003_reg_clean.truth.json" truth/s003_reg_clean.truth.json << 'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
f = d["pages"][0]["fields"]
f["birth_date"].update(printed="公元前二〇〇〇〇年十三月", normalized="9999-99-99")
f["enroll_date"]["normalized"] = "1986-02-30"
f["grad_date"]["normalized"] = "-0001-00"
f["duration"]["normalized"] = "1e309"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
check_exit "eval over absurd truth dates" 0 "$DANGAN" --db a.db eval --truth truth --json
printf '%s' "$TL_OUT" > eval.json
check "eval --json is valid JSON" valid_json eval.json
# every file set aside is an event of the audit chain, and the chain holds
check_exit "audit verify after the bad corpus" 0 "$DANGAN" --db a.db audit verify
check "each set-aside entry is an ingest event" test \
    "$(tl_sql a.db "SELECT count(*) FROM quarantine q WHERE NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.kind = 'ingest' AND e.subject = 'quarantine:' || q.id)")" -eq 0
finish
