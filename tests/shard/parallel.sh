#!/usr/bin/env bash
# parallel.sh - the samples in 4 shards through GNU parallel, merged, against
# one single-process run of the same scans: `export records`, `export archive`
# and `status --json` equal after normalize.py (row ids aside); the merged
# archive passes `audit verify`, which still catches a changed value; merging
# again adds nothing; a shard run again resumes without adding anything;
# decisions, a mapping rule, an access-log row and loads made in a shard
# before the merge come along, verifiable.
# usage: parallel.sh DANGAN SAMPLES_DIR SOURCE_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 SRC=$3 WORK=$4
. "$SRC/tests/lib/testlib.sh"
command -v parallel > /dev/null || { echo "GNU parallel not installed (Debian: parallel)"; exit 1; }
command -v sqlite3 > /dev/null || { echo "sqlite3 shell not installed"; exit 1; }
fresh_dir "$WORK"
cd "$WORK" || exit 1
mkdir scans
cp "$SAMPLES"/*.jpg "$SAMPLES"/*.tif scans/
cp scans/s003_reg_clean.jpg scans/alias_s003.jpg # an alias: same bytes, another name

need "plan" sh -c "'$DANGAN' shard plan --shards 4 scans > plan.tsv"
a=$(awk -F'\t' '$3 == "scans/alias_s003.jpg" {print $1}' plan.tsv)
b=$(awk -F'\t' '$3 == "scans/s003_reg_clean.jpg" {print $1}' plan.tsv)
check_eq "an alias lands in its file's shard" "$a" "$b"

check_exit "single run" 0 "$DANGAN" --db single.db -q run --jobs 2 scans
check_exit "4 shards through GNU parallel" 0 \
    parallel --halt now,fail=1 -j4 "'$DANGAN' --db shard-{}.db -q run --jobs 1 --shard {}/4 --plan plan.tsv" ::: 1 2 3 4
check_exit "merge" 0 "$DANGAN" merge --into merged.db shard-1.db shard-2.db shard-3.db shard-4.db
check_contains "merge: a line a shard" "$TL_OUT$TL_ERR" "4 shards merged, 0 already merged"
check_exit "audit verify on the merged archive" 0 "$DANGAN" --db merged.db audit verify

for db in single merged; do
    "$DANGAN" --db $db.db export records --format jsonl | python3 "$SRC/tests/shard/normalize.py" records > $db.records
    "$DANGAN" --db $db.db export archive | python3 "$SRC/tests/shard/normalize.py" archive > $db.archive
    "$DANGAN" --db $db.db status --json | python3 "$SRC/tests/shard/normalize.py" status > $db.status
done
check "records exported" [ -s single.records ]
for k in records archive status; do
    check "export $k: merged = single run" cmp -s single.$k merged.$k || diff single.$k merged.$k | head -20
done
studies=$(tl_sql single.db 'SELECT count(*) FROM study_record')
check_eq "study records" "$(tl_sql merged.db 'SELECT count(*) FROM study_record')" "$studies"
check_eq "every shard file once" "$(tl_sql merged.db 'SELECT count(*) FROM file')" \
    "$(tl_sql single.db 'SELECT count(*) FROM file')"
check_eq "the alias kept" "$(tl_sql merged.db 'SELECT count(*) FROM file_path')" \
    "$(tl_sql single.db 'SELECT count(*) FROM file_path')"
check_eq "no dangling reference" "$(tl_sql merged.db 'PRAGMA foreign_key_check' | wc -l)" 0

# idempotent: the same shards again (and one twice) add nothing
count() { tl_sql merged.db "SELECT (SELECT count(*) FROM audit_event) || ':' || (SELECT count(*) FROM field) || ':' || (SELECT count(*) FROM run)"; }
before=$(count)
check_exit "merge again" 0 "$DANGAN" merge --into merged.db shard-1.db shard-2.db shard-3.db shard-4.db shard-2.db
check_contains "merge again: nothing" "$TL_OUT$TL_ERR" "0 shards merged, 5 already merged"
check_eq "merge again: nothing added" "$(count)" "$before"

# a shard run again resumes: nothing new (its chain grows by the runs, so a
# merge of it is refused as changed since)
check_exit "shard re-run" 0 "$DANGAN" --db shard-2.db run --jobs 1 --shard 2/4 --plan plan.tsv
check_contains "shard re-run: nothing new" "$TL_OUT" "0 records loaded"
check_exit "merge of a shard changed since" 4 "$DANGAN" merge --into merged.db shard-2.db
check_contains "changed since: reason" "$TL_ERR" "has changed since"
check_eq "refused: nothing added" "$(count)" "$before"

# tampering in the merged archive is still caught
cp merged.db tampered.db
tl_sql tampered.db "UPDATE person SET birth = '1900-01' WHERE id = (SELECT max(id) FROM person)"
check_exit "audit verify: a changed value" 7 "$DANGAN" --db tampered.db audit verify
check_contains "audit verify names it" "$TL_OUT" "1900-01"
# review in a shard before the merge: a match picked (it makes a mapping
# rule), a field accepted, the item shown (an access-log row), then load; the
# shard merged into a fresh archive with the others carries all of it
cp shard-2.db r2.db
item=$(tl_sql r2.db "SELECT id FROM review_item WHERE state = 'open' AND kind = 'match' ORDER BY id LIMIT 1")
item2=$(tl_sql r2.db "SELECT id FROM review_item WHERE state = 'open' AND kind = 'field' ORDER BY id LIMIT 1")
need "a match and a field item to review" [ -n "$item" ] && [ -n "$item2" ]
check_exit "review pick in the shard" 0 "$DANGAN" --db r2.db review pick "$item" 1 --operator alice
check_exit "review accept in the shard" 0 "$DANGAN" --db r2.db review accept "$item2" --operator alice
check_exit "review show in the shard" 0 "$DANGAN" --db r2.db review show "$item2" --operator alice
"$DANGAN" --db r2.db -q load
name=$(tl_sql r2.db "SELECT name_simplified FROM person ORDER BY id DESC LIMIT 1")
check_exit "lookup in the shard" 0 "$DANGAN" --db r2.db lookup --name "$name"
check_exit "merge with the reviewed shard" 0 "$DANGAN" merge --into fresh.db shard-1.db r2.db shard-3.db shard-4.db
check_exit "audit verify: the reviewed shard merged" 0 "$DANGAN" --db fresh.db audit verify
for t in review_decision mapping_rule access_log amendment; do
    check_eq "merged $t rows" "$(tl_sql fresh.db "SELECT count(*) FROM $t")" "$(tl_sql r2.db "SELECT count(*) FROM $t")"
done
check_eq "decisions by alice" "$(tl_sql fresh.db "SELECT count(*) FROM review_decision WHERE operator = 'alice'")" \
    "$(tl_sql r2.db "SELECT count(*) FROM review_decision WHERE operator = 'alice'")"
check "decisions by alice: some" [ "$(tl_sql fresh.db "SELECT count(*) FROM review_decision WHERE operator = 'alice'")" -ge 2 ]
shown=$(tl_sql fresh.db "SELECT shown FROM access_log WHERE action = 'lookup'")
check_eq "the lookup's study ids moved with the study records" \
    "$(tl_sql fresh.db "SELECT p.name_simplified FROM study_record s JOIN person p ON p.id = s.person_id WHERE s.id = json_extract('$shown', '\$[0]')")" "$name"
check_eq "the decision's rule came along" \
    "$(tl_sql fresh.db 'SELECT count(*) FROM review_decision d JOIN mapping_rule r ON r.id = d.rule_id')" \
    "$(tl_sql r2.db 'SELECT count(*) FROM review_decision d JOIN mapping_rule r ON r.id = d.rule_id')"
check_eq "study records of all four" "$(tl_sql fresh.db 'SELECT count(*) FROM study_record')" \
    "$(( $(tl_sql shard-1.db 'SELECT count(*) FROM study_record') + $(tl_sql r2.db 'SELECT count(*) FROM study_record') + $(tl_sql shard-3.db 'SELECT count(*) FROM study_record') + $(tl_sql shard-4.db 'SELECT count(*) FROM study_record') ))"
check_eq "fresh: no dangling reference" "$(tl_sql fresh.db 'PRAGMA foreign_key_check' | wc -l)" 0
finish
