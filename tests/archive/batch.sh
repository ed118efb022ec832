#!/usr/bin/env bash
# batch.sh - golden case: a value another page of the batch reads too is
# evidence (archive/stage_batch.c).  The review fixture's records: 1 on page
# 1, 2 and 3 on page 2, one batch; records 1 and 2 read the major 计算机软件,
# record 3 物理.  Record 1's birth month is changed so the two are not one
# graduate's two sources (that is source_agree's evidence, not this).
#   batch:     record 1's major is read on the other page: batch = log(2),
#              weighed by w.text.batch, p rises over the same reading alone;
#   page:      a record on the same page is the column's, not the batch's;
#   batches:   a page of another batch is no evidence;
#   keys:      a graduate's own facts (the name) never count.
# The weights are written here (the mechanism is under test, not the fit).
# usage: batch.sh DANGAN TEST_REVIEW CONFIGS_DIR WORKDIR
set -u
DANGAN=$1 FIXTURE=$2 CONFIGS=$3 WORK=$4
. "$(dirname "$0")/../lib/testlib.sh"
fresh_dir "$WORK"
mkdir -p "$WORK/configs"
for f in "$CONFIGS"/*; do
    [ "$(basename "$f")" = trust.conf ] || ln -s "$f" "$WORK/configs/"
done
{ for t in name date code enum number text; do
    printf 'threshold.%s = 0.9\nw.%s.bias = -1\nw.%s.tess_conf = 2\nw.%s.batch = 2\n' "$t" "$t" "$t" "$t"
done; } > "$WORK/configs/trust.conf"
export DANGAN_CONFIG_DIR="$WORK/configs"

fixture() { # fixture DB [SQL]
    mkdir -p "$WORK/scans"
    need "build the fixture" "$FIXTURE" fixture "$1" "$WORK/scans"
    tl_sql "$1" "UPDATE record SET state = 'extracted';
        UPDATE field SET value = NULL, flag = NULL, p = NULL, evidence = '',
          match_decision = NULL, match_code = NULL, match_name = NULL, match_score = NULL,
          state = CASE WHEN raw IS NULL THEN 'missing' ELSE 'extracted' END;
        DELETE FROM match_candidate; DELETE FROM field_step;
        UPDATE field SET raw = '63.5' WHERE id = 12; ${2:-}"
    need "normalize" "$DANGAN" -q --db "$1" normalize
}
feat() { # feat DB FIELD FEATURE: the chosen candidate's feature, 4 places
    tl_sql "$1" "SELECT printf('%.4f', json_extract(evidence, '\$.candidates[0].features.$3')) FROM field WHERE id = $2"
}

fixture "$WORK/one.db"
B="$WORK/one.db"
check_eq "not one graduate: no other source" \
    "$(tl_sql "$B" "SELECT count(*) FROM field WHERE json_valid(evidence) AND json_extract(evidence, '\$.source') IS NOT NULL")" 0
check_eq "batch: record 1's major is read on page 2 (log 2)" "$(feat "$B" 5 batch)" 0.6931
check_eq "batch: weighed by w.text.batch" \
    "$(tl_sql "$B" "SELECT printf('%.4f', json_extract(evidence, '\$.candidates[0].terms.batch')) FROM field WHERE id = 5")" 1.3863
check_eq "page: record 2 counts record 1, not record 3 of its own page" "$(feat "$B" 14 batch)" 0.6931
check_eq "batch: 物理 is read nowhere else" "$(feat "$B" 24 batch)" 0.0000
check_eq "keys: a name is a graduate's own (张三 on both pages)" "$(feat "$B" 11 batch)" 0.0000

# The same page's records are the column's: record 3 reads 计算机软件 too.
fixture "$WORK/page.db" "UPDATE field SET raw = '计算机软件' WHERE id = 24;"
check_eq "page: record 1 now has two records of page 2 (log 3)" "$(feat "$WORK/page.db" 5 batch)" 1.0986
check_eq "page: record 2 still only record 1" "$(feat "$WORK/page.db" 14 batch)" 0.6931

# Page 2 in a batch of its own.
fixture "$WORK/two.db" "INSERT INTO batch(id, run_id, paths, started) SELECT 2, run_id, paths, started FROM batch WHERE id = 1;
    UPDATE file SET batch_id = 2 WHERE id = (SELECT file_id FROM page WHERE id = 2);"
check_eq "batches: another batch's page is no evidence" "$(feat "$WORK/two.db" 5 batch)" 0.0000
p_one=$(tl_sql "$B" "SELECT p FROM field WHERE id = 5")
p_two=$(tl_sql "$WORK/two.db" "SELECT p FROM field WHERE id = 5")
check "batch: p rises with the batch's reading ($p_two -> $p_one)" \
    awk -v a="$p_two" -v b="$p_one" 'BEGIN { exit !(b > a) }'
finish
