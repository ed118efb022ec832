#!/usr/bin/env bash
# share_moved.sh - with a scan store, the evidence does not depend on where
# the share was mounted: scans stored (by 'store fill' on a workspace
# ingested before, and by 'ingest --store'), then the share renamed away:
# review crops, load, provenance and its crop, OCR and the second reader
# all still work, reading the store; provenance still names the path the
# scan came from, and says when no copy of it is intact any more.  A workspace without a store, same move: the crop fails
# (the control that shows this test can fail).
# usage: share_moved.sh DANGAN TEST_REVIEW SAMPLES WORKDIR
set -u
. "$(dirname "$0")/../lib/testlib.sh"
DANGAN=$1 FIXTURE=$2 SAMPLES=$3 W=$4
fresh_dir "$W" && mkdir -p "$W/share" "$W/ctl"
first_id() { printf '%s\n' "$TL_OUT" | sed -n 's/^\[*{"id":\([0-9]*\),.*/\1/p' | head -n 1; }

# --- the review fixture (three PNG scans), stored after the fact ----------
need "fixture workspace built" "$FIXTURE" fixture "$W/r.db" "$W/share"
export DANGAN_DB="$W/r.db"
check_exit "store show without a store" 0 "$DANGAN" store
check_contains "no store yet" "$TL_OUT" "no store"
check_exit "store set" 0 "$DANGAN" store set "$W/S"
check_exit "store fill" 0 "$DANGAN" store fill --json
check_contains "fill stored the fixture's scans" "$TL_OUT" '"stored":3,"already":0,"failed":0'
check_exit "store fill again" 0 "$DANGAN" store fill --json
check_contains "fill twice stores nothing new" "$TL_OUT" '"stored":0,"already":3'
check_eq "store objects named ab/cd/<sha256>.png" \
    "$(find "$W/S" -type f | grep -Ec '/S/([0-9a-f]{2})/([0-9a-f]{2})/\1\2[0-9a-f]{60}\.png$')" 3
check_eq "store objects are 0600" "$(find "$W/S" -type f -perm 600 | wc -l)" 3
check_eq "store directories are 0700" "$(find "$W/S" -type d ! -perm 700 | wc -l)" 0

mv "$W/share" "$W/share.moved"
check_exit "review list" 0 "$DANGAN" review list --reason low_confidence --json
SEX=$(first_id)
check_exit "review list --reason match" 0 "$DANGAN" review list --reason match --json
MATCH=$(first_id)
check_exit "review crop with the share gone" 0 "$DANGAN" review show "$SEX" --crop "$W/sex.png"
check "review crop written" [ -s "$W/sex.png" ]
check_exit "accept" 0 "$DANGAN" review accept "$SEX"
check_exit "pick" 0 "$DANGAN" review pick "$MATCH" 1
check_exit "load" 0 "$DANGAN" load --json
check_contains "load" "$TL_OUT" '"loaded":2'
check_exit "provenance crop with the share gone" 0 "$DANGAN" provenance 1 name --crop "$W/name.png" --json
check "provenance crop written" [ -s "$W/name.png" ]
check_contains "provenance keeps the path the scan came from" "$TL_OUT" "$W/share/scan"
check_exit "fixity of the store" 0 "$DANGAN" fixity --only store
check_exit "fixity finds the paths gone" 1 "$DANGAN" fixity --json
check_contains "fixity: missing paths" "$TL_OUT" '"checked":6,"ok":3,"missing":3'
check_contains "fixity: no file lost (the store holds them)" "$TL_OUT" '"lost":0'
check_exit "provenance --json" 0 "$DANGAN" provenance 1 name --json
check_contains "provenance: the store's copy is intact" "$TL_OUT" '"intact":true,"problem":null'
# the store's copy of the name's scan changed too: provenance itself says so
SHA=$(tl_sql "$W/r.db" "SELECT fl.sha256 FROM provenance v JOIN field f ON f.id = v.field_id \
    JOIN record r ON r.id = f.record_id JOIN page p ON p.id = r.page_id \
    JOIN file fl ON fl.id = p.file_id WHERE v.study_id = 1 AND v.key = 'name'")
OBJ="$W/S/${SHA:0:2}/${SHA:2:2}/$SHA.png"
cp "$OBJ" "$W/obj.keep" && printf 'x' >> "$OBJ"
check_exit "provenance of a changed scan" 0 "$DANGAN" provenance 1 name
check_contains "provenance says the scan changed" "$TL_OUT" "SCAN CHANGED OR MISSING: scan '$W/share/scan"
check_contains "  ... and why" "$TL_OUT" "no intact copy"
check_exit "provenance --json of a changed scan" 0 "$DANGAN" provenance 1 --json
check_contains "json: not intact" "$TL_OUT" '"intact":false,"problem":"scan '
cp "$W/obj.keep" "$OBJ"

# --- the control: no store, same move, the crop cannot be cut -------------
need "control workspace built" "$FIXTURE" fixture "$W/c.db" "$W/ctl"
mv "$W/ctl" "$W/ctl.moved"
export DANGAN_DB="$W/c.db"
check_exit "control: review list" 0 "$DANGAN" review list --reason low_confidence --json
check_exit "control: crop fails without a store" 4 "$DANGAN" review show "$(first_id)" --crop "$W/ctl.png"
check_contains "control: says no intact copy" "$TL_ERR" "no intact copy"

# --- ingest --store, then OCR, extract and reread from the store ----------
mkdir -p "$W/in"
cp "$SAMPLES/s015_ledger_moderate.tif" "$W/in/ledger.tif"
export DANGAN_DB="$W/o.db"
check_exit "ingest --store" 0 "$DANGAN" ingest --store "$W/S2" --json "$W/in"
check_contains "ingest stored the scan" "$TL_OUT" '"stored":1'
check_exit "the store is kept for later runs" 0 "$DANGAN" store --json
check_contains "store setting" "$TL_OUT" "\"dir\":\"$W/S2\",\"readonly\":false,\"files\":1,\"stored\":1"
mv "$W/in" "$W/in.moved"
check_exit "ocr with the share gone" 0 "$DANGAN" ocr --jobs 1 --json
check_contains "ocr read both pages from the store" "$TL_OUT" '"pages_read":2,"pages_failed":0'
check_exit "extract" 0 "$DANGAN" extract
check_exit "reread with the share gone" 0 "$DANGAN" reread --json
if printf '%s' "$TL_OUT" | grep -q '"available":true'; then
    check_contains "reread: no field failed" "$TL_OUT" '"failed":0'
    check "reread: fields read" [ "$(json_num read "$TL_OUT")" -gt 0 ]
else
    echo "note: the second reader's model is not installed; reread not exercised"
fi

# --- a read-only store: read, never written ---------------------------------
mkdir -p "$W/in2" "$W/RO"
cp "$SAMPLES/s003_reg_clean.jpg" "$W/in2/card.jpg"
export DANGAN_DB="$W/ro.db"
check_exit "store set --read-only" 0 "$DANGAN" store set --read-only "$W/RO"
check_exit "ingest into a workspace with a read-only store" 0 "$DANGAN" ingest --json "$W/in2"
check_contains "the read-only store lacked it" "$TL_OUT" '"stored":0,"store_missing":1'
check_eq "nothing written to the read-only store" "$(find "$W/RO" -type f | wc -l)" 0
finish
