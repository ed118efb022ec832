#!/usr/bin/env bash
# sources.sh - golden case: a registration card and a ledger row of one
# graduate (张三, born 1962-03: the review fixture's records 1 and 2, on two
# pages) are two independent readings the trust weighing compares before
# load links them.
#   agree:    the card's name alone is under its threshold; with the ledger
#             reading the same name, p rises and the value is verified;
#   disagree: the ledger reads another entry month: the card's enroll_date
#             goes to review as source_conflict, and `review show` lists the
#             ledger's reading with its record, page and box;
#   namesakes: a ledger row of the same name and birth month that disagrees
#             on more other facts than it agrees on is someone else.
# The weights are written here (the mechanism is under test, not the fit).
# usage: sources.sh DANGAN TEST_REVIEW CONFIGS_DIR WORKDIR
set -u
DANGAN=$1 FIXTURE=$2 CONFIGS=$3 WORK=$4
. "$(dirname "$0")/../lib/testlib.sh"
fresh_dir "$WORK"
mkdir -p "$WORK/configs"
for f in "$CONFIGS"/*; do
    [ "$(basename "$f")" = trust.conf ] || ln -s "$f" "$WORK/configs/"
done
w() { # w TYPE: the same weights for a type
    printf 'threshold.%s = 0.9\nw.%s.bias = -1\nw.%s.tess_conf = 2\n' "$1" "$1" "$1"
    printf 'w.%s.source_agree = 2\nw.%s.source_differ = -2\n' "$1" "$1"
}
{ for t in name date code enum number text; do w $t; done; } > "$WORK/configs/trust.conf"
export DANGAN_CONFIG_DIR="$WORK/configs"

# The fixture as extraction leaves it: nothing normalized, nothing in review.
fixture() { # fixture DB [SQL]
    mkdir -p "$WORK/scans"
    need "build the fixture" "$FIXTURE" fixture "$1" "$WORK/scans"
    tl_sql "$1" "UPDATE record SET state = 'extracted';
        UPDATE field SET value = NULL, flag = NULL, p = NULL, evidence = '',
          match_decision = NULL, match_code = NULL, match_name = NULL, match_score = NULL,
          state = CASE WHEN raw IS NULL THEN 'missing' ELSE 'extracted' END;
        DELETE FROM match_candidate; DELETE FROM field_step; ${2:-}"
    need "normalize" "$DANGAN" -q --db "$1" normalize
}

# The card alone (the ledger row is someone else's: another birth month).
fixture "$WORK/alone.db" "UPDATE field SET raw = '63.5' WHERE id = 12;"
p_alone=$(tl_sql "$WORK/alone.db" "SELECT p FROM field WHERE id = 1")
check_eq "alone: the card's name is not linked" \
    "$(tl_sql "$WORK/alone.db" "SELECT json_extract(evidence, '\$.source') IS NULL FROM field WHERE id = 1")" 1
check_eq "alone: the card's name waits for review" \
    "$(tl_sql "$WORK/alone.db" "SELECT state FROM field WHERE id = 1")" review

# Two people who share a name and a birth month: the ledger row disagrees
# with the card on every other fact both read (major, entry month).
fixture "$WORK/twins.db" "UPDATE field SET raw = '物理' WHERE id = 14; UPDATE field SET raw = '80.9' WHERE id = 16;"
check_eq "namesakes: not taken for one graduate" \
    "$(tl_sql "$WORK/twins.db" "SELECT count(*) FROM field WHERE json_valid(evidence) AND json_extract(evidence, '\$.source') IS NOT NULL")" 0
check_eq "namesakes: no source conflict" \
    "$(tl_sql "$WORK/twins.db" "SELECT count(*) FROM field WHERE flag LIKE 'source_conflict%'")" 0

# Card and ledger agree on the name.
fixture "$WORK/agree.db"
A="$WORK/agree.db"
check_eq "agree: the card's name is linked to the ledger row" \
    "$(tl_sql "$A" "SELECT json_extract(evidence, '\$.source.record') || '/' || json_extract(evidence, '\$.source.page') FROM field WHERE id = 1")" 2/2
check_eq "agree: the ledger reading counts as agreement" \
    "$(tl_sql "$A" "SELECT CAST(json_extract(evidence, '\$.candidates[0].features.source_agree') AS INTEGER) FROM field WHERE id = 1")" 1
p_agree=$(tl_sql "$A" "SELECT p FROM field WHERE id = 1")
check "agree: p rises ($p_alone -> $p_agree)" awk -v a="$p_alone" -v b="$p_agree" 'BEGIN { exit !(b > a) }'
check_eq "agree: the card's name is verified" "$(tl_sql "$A" "SELECT state FROM field WHERE id = 1")" auto
check_eq "agree: and so is the ledger's" "$(tl_sql "$A" "SELECT state FROM field WHERE id = 11")" auto
check_eq "agree: the other ledger row is no one's other source" \
    "$(tl_sql "$A" "SELECT json_extract(evidence, '\$.source') IS NULL FROM field WHERE id = 21")" 1

# The ledger reads another entry month than the card.
fixture "$WORK/differ.db" "UPDATE field SET raw = '86.9' WHERE id = 16;"
D="$WORK/differ.db"
check_eq "disagree: the card's entry month goes to review" \
    "$(tl_sql "$D" "SELECT state FROM field WHERE id = 6")" review
check_contains "disagree: flagged as a conflict between sources" \
    "$(tl_sql "$D" "SELECT flag FROM field WHERE id = 6")" "source_conflict (record 2 on page 2 reads '1986-09')"
check_eq "disagree: the ledger's entry month too" "$(tl_sql "$D" "SELECT state FROM field WHERE id = 16")" review
item=$(tl_sql "$D" "SELECT id FROM review_item WHERE field_id = 6")
if [ -z "$item" ]; then
    "$DANGAN" --db "$D" review list > /dev/null 2>&1
    item=$(tl_sql "$D" "SELECT id FROM review_item WHERE field_id = 6")
fi
check_exit "review show $item" 0 "$DANGAN" --db "$D" review show "$item"
check_contains "review show: filed as a conflict between sources" "$TL_OUT" "field, source_conflict"
check_contains "review show: this reading" "$TL_OUT" "value:    1985-09"
check_contains "review show: the other source's reading, record, page and box" "$TL_OUT" \
    "other source: record 2, page 1 of scans/scan2.png (page id 2), field 16, box x=330 y=100 w=60 h=20; read '1986-09' (tesseract)"
check_exit "review show --json $item" 0 "$DANGAN" --db "$D" review show "$item" --json
check_contains "review show --json: the other source" "$TL_OUT" '"source":{"record":2,"page":2,"field":16'
check_exit "review show --source-crop" 0 "$DANGAN" --db "$D" review show "$item" \
    --crop "$WORK/this.png" --source-crop "$WORK/other.png"
check "both crops are written" [ -s "$WORK/this.png" -a -s "$WORK/other.png" ]
check "the crops are of different scans" [ "$(cmp -s "$WORK/this.png" "$WORK/other.png"; echo $?)" = 1 ]
"$DANGAN" --db "$WORK/alone.db" review list > /dev/null
alone_item=$(tl_sql "$WORK/alone.db" "SELECT id FROM review_item WHERE field_id = 1")
check_exit "no other source: no source crop" 5 \
    "$DANGAN" --db "$WORK/alone.db" review show "$alone_item" --source-crop "$WORK/none.png"
finish
