#!/usr/bin/env bash
# link.sh - the same graduate in two shards (a card in one, a ledger row in
# another) is one person and one study record after the merge, as in one
# workspace (issue #24): load's rule across shards (archive/relink.c).
# Records are written into ingest-only shards with SQL and archived by the
# real `dangan load`, so this runs in seconds.  Checks: linked (one person,
# the card primary, the ledger row linked, the missing value filled with its
# provenance), the merged archive's `export archive` equal to a single
# workspace's holding both records; two people of one name and birth month
# with other student numbers stay two; a pair whose values differ goes to
# review as conflicts, stays two until accepted, then `dangan load` links
# it; a rejected pair stays two; `audit verify` intact throughout; merging
# again adds nothing.
# usage: link.sh DANGAN SAMPLES_DIR SOURCE_DIR WORKDIR
set -u
DANGAN=$1 SAMPLES=$2 SRC=$3 WORK=$4
. "$SRC/tests/lib/testlib.sh"
command -v sqlite3 > /dev/null || { echo "sqlite3 shell not installed"; exit 1; }
fresh_dir "$WORK"
cd "$WORK" || exit 1
CARD=$SAMPLES/s003_reg_clean.jpg LEDGER=$SAMPLES/s009_ledger_clean.jpg
OTHER=$SAMPLES/s008_reg_clean.jpg THIRD=$SAMPLES/s015_ledger_moderate.tif

# add_record DB FILE ROW TEMPLATE "key=value;..." : a normalized record on
# the file's page, every field settled ('auto'), the major matched
add_record() {
    local db=$1 file=$2 row=$3 tpl=$4 kv=$5
    local sha; sha=$(sha256sum "$file" | cut -d' ' -f1)
    local sql="INSERT INTO run (stage, version, started, finished, status) SELECT 'normalize', 'test', 'now', 'now', 'done' WHERE NOT EXISTS (SELECT 1 FROM run WHERE version = 'test');
INSERT INTO record (page_id, row_no, template, run_id, state) SELECT p.id, $row, '$tpl', (SELECT id FROM run WHERE version = 'test'), 'normalized' FROM page p JOIN file f ON f.id = p.file_id WHERE f.sha256 = '$sha';"
    local IFS=';'
    for pair in $kv; do
        local k=${pair%%=*} v=${pair#*=}
        sql="$sql
INSERT INTO field (record_id, key, raw, value, state, p) VALUES ((SELECT max(id) FROM record), '$k', '$v', '$v', 'auto', 0.99);"
        if [ "$k" = major ]; then
            sql="$sql
UPDATE field SET match_code = '070104', match_name = '应用数学', match_decision = 'auto' WHERE id = (SELECT max(id) FROM field);"
        fi
    done
    tl_sql "$db" "$sql"
}
ZHANG_CARD="name=张伟;birth_date=1962-03;student_no=8501;major=应用数学;grad_date=1987-07"
ZHANG_LEDGER="name=张伟;birth_date=1962-03;major=应用数学;supervisor=李国平"
WANG_A="name=王芳;birth_date=1955-05;student_no=1111;major=应用数学"
WANG_B="name=王芳;birth_date=1955-05;student_no=2222;major=应用数学"
LI_CARD="name=李明;birth_date=1960-01;major=应用数学;grad_date=1985-07"
LI_OTHER="name=李明;birth_date=1960-01;major=应用数学;grad_date=1986-07"

"$DANGAN" --db a.db -q ingest "$CARD"
"$DANGAN" --db b.db -q ingest "$LEDGER"
"$DANGAN" --db single.db -q ingest "$CARD" "$LEDGER"
add_record a.db "$CARD" 0 graduate_registration "$ZHANG_CARD"
add_record a.db "$CARD" 1 graduate_registration "$WANG_A"
add_record b.db "$LEDGER" 1 graduate_ledger "$ZHANG_LEDGER"
add_record b.db "$LEDGER" 2 graduate_ledger "$WANG_B"
add_record single.db "$CARD" 0 graduate_registration "$ZHANG_CARD"
add_record single.db "$CARD" 1 graduate_registration "$WANG_A"
add_record single.db "$LEDGER" 1 graduate_ledger "$ZHANG_LEDGER"
add_record single.db "$LEDGER" 2 graduate_ledger "$WANG_B"
for db in a b single; do
    check_exit "load $db" 0 "$DANGAN" --db $db.db -q load
done
check_eq "single workspace: load linked the ledger row" \
    "$(tl_sql single.db "SELECT count(*) FROM study_source WHERE role = 'linked'")" 1

check_exit "merge a, b" 0 "$DANGAN" merge --into m.db a.db b.db
check_contains "merge says what it linked" "$TL_ERR$TL_OUT" "1 linked"
check_eq "one 张伟 after the merge" "$(tl_sql m.db "SELECT count(*) FROM person WHERE name_simplified = '张伟'")" 1
check_eq "one study record of 张伟, two sources" \
    "$(tl_sql m.db "SELECT count(DISTINCT s.study_id) || ' ' || count(*) FROM study_source s JOIN study_record r ON r.id = s.study_id JOIN person p ON p.id = r.person_id WHERE p.name_simplified = '张伟'")" "1 2"
check_eq "the card primary, the ledger row linked by the rule" \
    "$(tl_sql m.db "SELECT group_concat(s.role || ':' || rec.template || ':' || s.linked_by, '|') FROM (SELECT * FROM study_source ORDER BY role DESC) s JOIN record rec ON rec.id = s.record_id JOIN study_record r ON r.id = s.study_id JOIN person p ON p.id = r.person_id WHERE p.name_simplified = '张伟'")" \
    "primary:graduate_registration:|linked:graduate_ledger:rule: same name, birth and student number"
check_eq "the supervisor filled from the ledger, with its provenance" \
    "$(tl_sql m.db "SELECT r.supervisor || ' ' || (SELECT rec.template FROM provenance v JOIN field f ON f.id = v.field_id JOIN record rec ON rec.id = f.record_id WHERE v.study_id = r.id AND v.key = 'supervisor') FROM study_record r JOIN person p ON p.id = r.person_id WHERE p.name_simplified = '张伟'")" \
    "李国平 graduate_ledger"
check_eq "two 王芳: same name and birth, other student numbers" \
    "$(tl_sql m.db "SELECT count(*) FROM person WHERE name_simplified = '王芳'")" 2
check_eq "no dangling reference" "$(tl_sql m.db 'PRAGMA foreign_key_check' | wc -l)" 0
check_exit "verify after linking" 0 "$DANGAN" --db m.db audit verify
for db in single m; do
    "$DANGAN" --db $db.db export archive | python3 "$SRC/tests/shard/normalize.py" archive > $db.archive
done
check "export archive exported" [ -s single.archive ]
check "export archive: merged = single workspace" cmp -s single.archive m.archive ||
    diff single.archive m.archive | head -10
h0=$(tl_sql m.db 'SELECT max(seq) FROM audit_event')
check_exit "merge again" 0 "$DANGAN" merge --into m.db b.db a.db
check_eq "merge again: nothing added" "$(tl_sql m.db 'SELECT max(seq) FROM audit_event')" "$h0"

# --- values that differ: review first, as within a workspace
"$DANGAN" --db c.db -q ingest "$OTHER"
"$DANGAN" --db d.db -q ingest "$THIRD"
add_record c.db "$OTHER" 0 graduate_registration "$LI_CARD"
add_record d.db "$THIRD" 1 graduate_ledger "$LI_OTHER"
"$DANGAN" --db c.db -q load && "$DANGAN" --db d.db -q load
check_exit "merge c, d" 0 "$DANGAN" merge --into n.db c.db d.db
check_contains "merge says one waits" "$TL_ERR$TL_OUT" "1 waiting for review"
check_eq "a conflict item on the graduation date" \
    "$(tl_sql n.db "SELECT count(*) FROM review_item WHERE kind = 'conflict' AND state = 'open' AND detail LIKE 'grad_date%'")" 1
check_eq "two 李明 while it waits" "$(tl_sql n.db "SELECT count(*) FROM person WHERE name_simplified = '李明'")" 2
check_exit "verify while it waits" 0 "$DANGAN" --db n.db audit verify
cp n.db r.db
item=$(tl_sql n.db "SELECT id FROM review_item WHERE kind = 'conflict'")
check_exit "accept the conflict" 0 "$DANGAN" --db n.db review accept "$item" --operator 审核员
check_exit "load links it" 0 "$DANGAN" --db n.db -q load
check_eq "one 李明 once accepted" "$(tl_sql n.db "SELECT count(*) FROM person WHERE name_simplified = '李明'")" 1
check_eq "the archived graduation date stands, linked by the operator" \
    "$(tl_sql n.db "SELECT r.grad || ' ' || s.linked_by FROM study_record r JOIN study_source s ON s.study_id = r.id AND s.role = 'linked'")" \
    "1985-07 operator: 审核员"
check_exit "verify after the accepted link" 0 "$DANGAN" --db n.db audit verify
check_exit "reject in the copy" 0 "$DANGAN" --db r.db review reject "$item" --why "two people"
check_exit "load after the rejection" 0 "$DANGAN" --db r.db -q load
check_eq "rejected: two 李明" "$(tl_sql r.db "SELECT count(*) FROM person WHERE name_simplified = '李明'")" 2
check_exit "verify after the rejection" 0 "$DANGAN" --db r.db audit verify

# --- archives with link events merged again (regions into a national
# archive): the second one's ids all move, its link's removals with them
check_exit "merged archives merged again" 0 "$DANGAN" merge --into outer.db m.db n.db
check_exit "merged archives merged again: verify" 0 "$DANGAN" --db outer.db audit verify
check_eq "merged archives merged again: their persons" \
    "$(tl_sql outer.db 'SELECT count(*) FROM person')" \
    "$(( $(tl_sql m.db 'SELECT count(*) FROM person') + $(tl_sql n.db 'SELECT count(*) FROM person') ))"

# --- a linked study's removal is only accepted from a link event
tl_sql m.db "DELETE FROM study_source WHERE study_id = (SELECT max(id) FROM study_record); DELETE FROM provenance WHERE study_id = (SELECT max(id) FROM study_record); DELETE FROM study_record WHERE id = (SELECT max(id) FROM study_record)"
check_exit "verify: a study deleted behind dangan's back" 7 "$DANGAN" --db m.db audit verify
check_contains "verify names it" "$TL_OUT$TL_ERR" "deleted"
finish
