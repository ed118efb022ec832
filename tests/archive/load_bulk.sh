#!/usr/bin/env bash
# load_bulk.sh - `dangan load` of many records at once (the bulk path:
# secondary indexes dropped and built again in the transaction, bulk_min = 1
# here; a batch read in one query, one provenance INSERT a record, the
# namesake search filtered in SQL) archives exactly what loading the same
# records one at a time does:
# 48 normalized records on three pages (gen_normalized.py: names that
# repeat, a university in two header forms), two second sources of one
# graduate on a later page (one links, one disagrees on the degree and waits
# on a conflict) and a record whose name is still in review.  The one-at-a-
# time load makes one record ready, loads, and goes on to the next.
# Compared: export records, export archive, and the archive's tables with
# what differs by run left out (run ids, load times).
# usage: load_bulk.sh DANGAN SAMPLES GEN_NORMALIZED CONFIGS_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 GEN=$3 CONFIGS=$4 WORK=$5
. "$(dirname "$0")/../lib/testlib.sh"
fresh_dir "$WORK"
cd "$WORK" || exit 1
# the bulk side's settings: the shipped ones, but any load takes the bulk path
mkdir -p bulk-configs
for f in "$CONFIGS"/*; do
    [ "$(basename "$f")" = load.conf ] || ln -s "$f" bulk-configs/
done
{ cat "$CONFIGS/load.conf"; echo "bulk_min = 1"; } > bulk-configs/load.conf
export DANGAN_CONFIG_DIR="$CONFIGS"

need "ingest a scan" "$DANGAN" --db a.db -q ingest "$(ls "$SAMPLES"/*.jpg | head -1)"
need "make 48 normalized records" python3 "$GEN" a.db 48 7
# r(N): the id of the Nth generated record
r0=$(sqlite3 a.db "SELECT min(id) - 1 FROM record WHERE state = 'normalized'")
p1=$(sqlite3 a.db "SELECT page_id FROM record WHERE id = $((r0 + 1))")
p2=$(sqlite3 a.db "SELECT page_id FROM record WHERE id = $((r0 + 21))")
run=$(sqlite3 a.db "SELECT max(id) FROM run")
# records 45 and 46 (page 3) are second sources of records 3 and 4 (page 1):
# the same but for the page; 46 reads another degree.  Record
# 47's name is in review.
copy() { # copy FROM TO KEY
    echo "UPDATE field SET value = (SELECT value FROM field WHERE record_id = $((r0 + $1))
          AND key = '$3'), raw = (SELECT raw FROM field WHERE record_id = $((r0 + $1))
          AND key = '$3') WHERE record_id = $((r0 + $2)) AND key = '$3';"
}
need "shape the fixture" sqlite3 a.db "
  INSERT INTO page_form (page_id, run_id, template, header) VALUES
    ($p1, $run, 'graduate_ledger', '{\"university\":\"北京大学\"}'),
    ($p2, $run, 'graduate_ledger', '{\"university\":{\"raw\":\"清华大学\",\"value\":\"清华大学\"}}');
  $(for k in name birth_date student_no enroll_date grad_date; do copy 3 45 $k; copy 4 46 $k; done)
  UPDATE field SET value = '工学硕士', raw = '工学硕士' WHERE record_id = $((r0 + 46)) AND key = 'degree';
  UPDATE field SET state = 'review' WHERE record_id = $((r0 + 47)) AND key = 'name';"
cp a.db b.db

indexes() { sqlite3 "$1" "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"; }
indexes a.db > indexes-before.txt
need "load all at once, the bulk path" env DANGAN_CONFIG_DIR="$WORK/bulk-configs" "$DANGAN" --db a.db -q load
check "the bulk path built every index again" diff indexes-before.txt <(indexes a.db)
check "integrity_check: ok" test "$(sqlite3 a.db "PRAGMA integrity_check")" = ok
ids=$(sqlite3 b.db "SELECT id FROM record WHERE state = 'normalized' ORDER BY id")
need "set the records aside" sqlite3 b.db "UPDATE record SET state = 'extracted' WHERE state = 'normalized'"
for id in $ids; do
    sqlite3 b.db "UPDATE record SET state = 'normalized' WHERE id = $id" &&
        "$DANGAN" --db b.db -q load >/dev/null || fail "load record $id alone"
done

dump() { # dump DB: what the archive holds, without what differs by run
    "$DANGAN" --db "$1" export records
    "$DANGAN" --db "$1" export archive
    sqlite3 "$1" "SELECT id, state FROM record ORDER BY id;
      SELECT * FROM person ORDER BY id; SELECT * FROM person_reading ORDER BY rowid;
      SELECT json_remove(json_object('r', json(json_group_array(x))), '$.none') FROM
        (SELECT json_array(id, person_id, university, department, student_no, major_hist,
           major_code_hist, major_edition, code_2022, name_2022, enroll, grad, degree,
           certificate_no, supervisor) AS x FROM study_record ORDER BY id);
      SELECT study_id, record_id, role, linked_by FROM study_source ORDER BY rowid;
      SELECT * FROM provenance ORDER BY rowid;
      SELECT kind, field_id, record_id, study_id, state, detail FROM review_item ORDER BY id;
      SELECT record_id, reason FROM load_wait ORDER BY record_id;
      SELECT kind, subject, json_remove(content, '$.run', '$.rows.study_record.load_run',
        '$.rows.study_record.loaded') FROM audit_event WHERE kind IN ('load', 'link')
        ORDER BY seq;"
}
dump a.db > a.txt
dump b.db > b.txt
check "the fixture loaded as intended: 46 loaded (one a second source), 2 waiting" \
    test "$(sqlite3 a.db "SELECT count(*) FROM record WHERE state = 'loaded'"):$(sqlite3 a.db \
        "SELECT count(*) FROM study_source WHERE role = 'linked'"):$(sqlite3 a.db \
        "SELECT count(*) FROM record WHERE state = 'pending'")" = "46:1:2"
check "the universities of both header forms were archived" \
    test "$(sqlite3 a.db "SELECT count(DISTINCT university) FROM study_record")" = 2
check "a bulk load archives what loading one record at a time does" diff a.txt b.txt
check "audit verify: intact after the bulk load" "$DANGAN" --db a.db -q audit verify
finish
